//! Which weights a measurement is about: one weight layer, or all of them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A weight layer of the network, or all its weights together. Written as
/// the book writes the matrices: `w1` is w^1, the weights into the first
/// hidden layer (index 0 of `Network::weights`), `w2` the next, ...; `all`
/// is every weight of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// The weight layer with this index (0 for w1).
    Weights(usize),
    /// All weights together.
    All,
}

impl Layer {
    /// `Weights(l)` for `Some(l)`, `All` for `None`: the convention of the
    /// probes' accessors.
    pub fn of(index: Option<usize>) -> Layer {
        index.map_or(Layer::All, Layer::Weights)
    }

    /// The weight layer's index, None for all weights.
    pub fn index(self) -> Option<usize> {
        match self {
            Layer::Weights(l) => Some(l),
            Layer::All => None,
        }
    }

    /// The first weight layer, w1.
    pub const FIRST: Layer = Layer::Weights(0);

    /// Every weight layer of a network with `layers` weight layers, then all
    /// weights: w1, w2, ..., all.
    pub fn each_then_all(layers: usize) -> impl Iterator<Item = Layer> {
        (0..layers).map(Layer::Weights).chain([Layer::All])
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Weights(l) => write!(f, "w{}", l + 1),
            Layer::All => f.write_str("all"),
        }
    }
}

impl std::str::FromStr for Layer {
    type Err = String;

    fn from_str(text: &str) -> Result<Layer, String> {
        if text == "all" {
            return Ok(Layer::All);
        }
        text.strip_prefix('w')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n >= 1)
            .map(|n| Layer::Weights(n - 1))
            .ok_or_else(|| format!("{text:?}; expected w1, w2, ... or all"))
    }
}

impl Serialize for Layer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Layer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Layer, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_written_and_read_as_the_book_numbers_them() {
        let layers: Vec<Layer> = Layer::each_then_all(2).collect();
        assert_eq!(layers, [Layer::Weights(0), Layer::Weights(1), Layer::All]);
        let names: Vec<String> = layers.iter().map(Layer::to_string).collect();
        assert_eq!(names, ["w1", "w2", "all"]);
        for layer in layers {
            assert_eq!(layer.to_string().parse::<Layer>(), Ok(layer));
            let json = serde_json::to_string(&layer).unwrap();
            assert_eq!(serde_json::from_str::<Layer>(&json).unwrap(), layer);
        }
        assert_eq!(Layer::of(Some(1)), Layer::Weights(1));
        assert_eq!(Layer::of(None).index(), None);
        for bad in ["w0", "w", "x1", "All", ""] {
            assert!(bad.parse::<Layer>().is_err(), "{bad}");
        }
    }
}

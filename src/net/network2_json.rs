//! network2.py's JSON file format, both ways:
//!
//! ```json
//! {"sizes": [784, 30, 10],
//!  "weights": [ [[w_11, ..., w_1n], ...], ... ],   // per layer: n_out rows of n_in
//!  "biases":  [ [[b_1], [b_2], ...], ... ],        // per layer: n_out rows of 1 (column vectors)
//!  "cost": "CrossEntropyCost"}                     // or "QuadraticCost"
//! ```
//!
//! A file written here loads with network2's `load`, and a file network2's
//! `save` wrote loads here and keeps training.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Activation, Cost, Network};
use crate::error::{Error, Result};
use crate::kernels::Real;

#[derive(Serialize, Deserialize)]
struct Network2File {
    sizes: Vec<usize>,
    weights: Vec<Vec<Vec<f64>>>,
    biases: Vec<Vec<Vec<f64>>>,
    cost: String,
    /// The hidden layers' activation, written only where it is not
    /// network2's sigmoid (network2.py's `load` ignores the key).
    #[serde(default, skip_serializing_if = "Activation::is_sigmoid")]
    activation: Activation,
}

/// The JSON text of `net` in network2's format.
pub fn to_json<T: Real>(net: &Network<T>) -> String {
    let file = Network2File {
        sizes: net.sizes().to_vec(),
        weights: (0..net.layers())
            .map(|l| {
                let (_, n_in) = net.shape(l);
                net.weights[l]
                    .chunks_exact(n_in)
                    .map(|row| row.iter().map(|w| w.as_f64()).collect())
                    .collect()
            })
            .collect(),
        biases: net
            .biases
            .iter()
            .map(|b| b.iter().map(|&b| vec![b.as_f64()]).collect())
            .collect(),
        cost: net.cost.network2_name().to_string(),
        activation: net.hidden,
    };
    serde_json::to_string(&file).expect("a network serializes")
}

/// Parse network2 JSON text; `path` names the source in error messages.
pub fn from_json<T: Real>(text: &str, path: &Path) -> Result<Network<T>> {
    let bad = |message: String| Error::bad_file(path, message);
    let file: Network2File = serde_json::from_str(text).map_err(|e| {
        bad(format!(
            "not a network2 network file ({e}); expected JSON with sizes, weights, biases and cost"
        ))
    })?;
    let cost = Cost::from_network2_name(&file.cost).ok_or_else(|| {
        bad(format!(
            "cost \"{}\"; expected \"CrossEntropyCost\", \"QuadraticCost\" or \"LogLikelihoodCost\"",
            file.cost
        ))
    })?;
    let flatten = |what: &str, layers: Vec<Vec<Vec<f64>>>, width: &dyn Fn(usize) -> usize| {
        layers
            .into_iter()
            .enumerate()
            .map(|(l, rows)| {
                let mut flat = Vec::new();
                for (r, row) in rows.into_iter().enumerate() {
                    let expected = width(l);
                    if row.len() != expected {
                        return Err(bad(format!(
                            "{what}[{l}][{r}] has {} entries; expected {expected}",
                            row.len()
                        )));
                    }
                    if let Some(x) = row.iter().find(|x| !x.is_finite()) {
                        return Err(bad(format!(
                            "{what}[{l}][{r}] holds {x}; expected finite numbers"
                        )));
                    }
                    flat.extend(row.into_iter().map(T::from_f64));
                }
                Ok(flat)
            })
            .collect::<Result<Vec<Vec<T>>>>()
    };
    let sizes = file.sizes.clone();
    let n_in = |l: usize| sizes.get(l).copied().unwrap_or(0);
    let weights = flatten("weights", file.weights, &n_in)?;
    let biases = flatten("biases", file.biases, &|_| 1)?;
    let net =
        Network::from_parts(file.sizes, weights, biases, cost).map_err(|e| bad(e.to_string()))?;
    Ok(net.with_hidden(file.activation))
}

/// Read a network2 JSON file.
pub fn load<T: Real>(path: &Path) -> Result<Network<T>> {
    let limit = crate::input::whole_file_limit();
    let text = crate::input::read_text_bounded(path, "a network2 JSON file", limit)?;
    from_json(&text, path)
}

/// Write a network2 JSON file, atomically.
pub fn save<T: Real>(net: &Network<T>, path: &Path) -> Result<()> {
    crate::output::write_atomic(path, to_json(net).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Init;
    use rand::SeedableRng;

    fn here() -> &'static Path {
        Path::new("net.json")
    }

    #[test]
    fn round_trip_is_exact_in_both_precisions() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let net: Network<f64> = Network::new(&[5, 4, 3], Init::Large, Cost::CrossEntropy, &mut rng);
        let back: Network<f64> = from_json(&to_json(&net), here()).unwrap();
        assert_eq!(back, net);
        let net32 = net.convert::<f32>();
        let back32: Network<f32> = from_json(&to_json(&net32), here()).unwrap();
        assert_eq!(back32, net32);
        // Sigmoid networks are written as network2 writes them; tanh and
        // the log-likelihood are named, and read back.
        assert!(!to_json(&net).contains("activation"));
        let mut other = net.with_hidden(Activation::Tanh);
        other.cost = Cost::LogLikelihood;
        let text = to_json(&other);
        assert!(text.contains(r#""activation":"tanh""#) && text.contains("LogLikelihoodCost"));
        assert_eq!(from_json::<f64>(&text, here()).unwrap(), other);
    }

    #[test]
    fn reads_what_network2_writes() {
        // The layout of network2.save for sizes [2, 1]: column-vector biases.
        let text = r#"{"sizes": [2, 1], "weights": [[[0.5, -1.25]]],
                       "biases": [[[0.75]]], "cost": "QuadraticCost"}"#;
        let net: Network<f64> = from_json(text, here()).unwrap();
        assert_eq!(net.weights, vec![vec![0.5, -1.25]]);
        assert_eq!(net.biases, vec![vec![0.75]]);
        assert_eq!(net.cost, Cost::Quadratic);
        assert!(to_json(&net).contains(r#""biases":[[[0.75]]]"#));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = from_json::<f32>(&text, here());
        }

        #[test]
        fn arbitrary_shapes_never_panic(
            sizes in proptest::collection::vec(0usize..4, 0..4),
            rows in proptest::collection::vec(proptest::collection::vec(-2.0f64..2.0, 0..4), 0..4),
        ) {
            let text = serde_json::json!({
                "sizes": sizes, "weights": [rows.clone()], "biases": [rows], "cost": "QuadraticCost"
            });
            let _ = from_json::<f64>(&text.to_string(), here());
        }
    }

    #[test]
    fn malformed_files_name_what_is_wrong() {
        let cases = [
            (r#"{"sizes": [2, 1]}"#, "missing field"),
            (
                r#"{"sizes": [2, 1], "weights": [[[0.5]]], "biases": [[[0.75]]], "cost": "QuadraticCost"}"#,
                "weights[0][0] has 1 entries; expected 2",
            ),
            (
                r#"{"sizes": [2, 1], "weights": [[[0.5, 1]]], "biases": [[[0.75]]], "cost": "Hinge"}"#,
                "cost \"Hinge\"",
            ),
            (
                r#"{"sizes": [2, 1], "weights": [[[0.5, 1]]], "biases": [[[NaN]]], "cost": "QuadraticCost"}"#,
                "not a network2 network file",
            ),
            (
                r#"{"sizes": [2, 1], "weights": [[[0.5, 1]]], "biases": [], "cost": "QuadraticCost"}"#,
                "expected 1 of each",
            ),
            ("{", "not a network2 network file"),
        ];
        for (text, expected) in cases {
            let err = from_json::<f64>(text, here()).unwrap_err().to_string();
            assert!(err.contains(expected) && err.contains("net.json"), "{err}");
        }
    }
}

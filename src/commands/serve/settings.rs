//! A playground run's settings, read from a query string (`sizes`, `init`,
//! `eta`, `lambda`, `m`, `n`, `epochs`, `seed`, `optimizer`), bounded so
//! that one run cannot hold the server for long, and written as the flags
//! of `decaylab train` that give the same bits.

use std::fmt;

use crate::data::mnist::TRAINING_SIZE;

/// The largest hidden layer a page may ask for.
pub const MAX_HIDDEN: usize = 200;
/// The most hidden layers a page may ask for.
pub const MAX_HIDDEN_LAYERS: usize = 3;
/// The most epochs of one run.
pub const MAX_EPOCHS: usize = 500;
/// The fewest training examples (n) of a run.
pub const MIN_N: usize = 100;
/// The largest mini-batch (m).
pub const MAX_M: usize = 1000;
/// The smallest and largest learning rate eta.
pub const MIN_ETA: f64 = 1e-6;
pub const MAX_ETA: f64 = 100.0;
/// The largest lambda.
pub const MAX_LAMBDA: f64 = 10_000.0;

/// Inputs n_0 and the pooling that gives them: 28x28, 14x14, 7x7.
const INPUTS: [(usize, usize); 3] = [(784, 1), (196, 2), (49, 4)];

/// The settings of one playground run.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Layer sizes n_0, ..., n_L (n_0 784, 196 or 49; n_L 10).
    pub sizes: Vec<usize>,
    /// `large` (N(0, 1)) or `default` (N(0, 1/n_in)).
    pub init: Init,
    /// Learning rate eta.
    pub eta: f64,
    /// Regularization parameter lambda.
    pub lambda: f64,
    /// Mini-batch size m.
    pub m: usize,
    /// Training examples n (the first n of the 50,000).
    pub n: usize,
    /// Epochs to train.
    pub epochs: usize,
    /// The seed of the initial weights and of every epoch's order.
    pub seed: u64,
    /// The update rule, as `train --optimizer` names it.
    pub optimizer: Optimizer,
}

/// The weight initialization, as `train --init` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    Large,
    Default,
}

/// The update rule, as `train --optimizer` names it (with its default
/// constants).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimizer {
    Sgd,
    Momentum,
    Sgdw,
    Adam,
    Adamw,
}

impl Optimizer {
    const ALL: [(Optimizer, &'static str); 5] = [
        (Optimizer::Sgd, "sgd"),
        (Optimizer::Momentum, "momentum"),
        (Optimizer::Sgdw, "sgdw"),
        (Optimizer::Adam, "adam"),
        (Optimizer::Adamw, "adamw"),
    ];

    /// The flag's value.
    pub fn name(self) -> &'static str {
        Optimizer::ALL
            .iter()
            .find(|(o, _)| *o == self)
            .map_or("sgd", |(_, name)| name)
    }

    /// Whether its decay is decoupled (D = lambda/n taken by eta*D, not
    /// through the gradient): lambda is then fixed for the run.
    pub fn is_decoupled(self) -> bool {
        matches!(self, Optimizer::Sgdw | Optimizer::Adamw)
    }
}

impl Default for Settings {
    /// The book's regularized run, shortened: [784, 30, 10], default
    /// init, eta 0.5, lambda 5, m 10, all 50,000 examples, 30 epochs.
    fn default() -> Settings {
        Settings {
            sizes: vec![784, 30, 10],
            init: Init::Default,
            eta: 0.5,
            lambda: 5.0,
            m: 10,
            n: TRAINING_SIZE,
            epochs: 30,
            seed: 0,
            optimizer: Optimizer::Sgd,
        }
    }
}

/// A query parameter the settings refuse: its name, what was found and
/// what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The parameter, as the URL names it.
    pub parameter: String,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.parameter, self.message)
    }
}

fn refuse(parameter: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        parameter: parameter.to_string(),
        message: message.into(),
    }
}

/// `text` as a number in `low..=high` (a finite decimal).
fn number(parameter: &str, text: &str, low: f64, high: f64) -> Result<f64, Refusal> {
    match text.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && (low..=high).contains(&x) => Ok(x),
        _ => Err(refuse(
            parameter,
            format!("found {text:?}; expected a number from {low} to {high}"),
        )),
    }
}

/// `text` as a whole number in `low..=high`.
fn whole(parameter: &str, text: &str, low: usize, high: usize) -> Result<usize, Refusal> {
    match text.trim().parse::<usize>() {
        Ok(k) if (low..=high).contains(&k) => Ok(k),
        _ => Err(refuse(
            parameter,
            format!("found {text:?}; expected a whole number from {low} to {high}"),
        )),
    }
}

/// eta from a query value.
pub fn parse_eta(text: &str) -> Result<f64, Refusal> {
    number("eta", text, MIN_ETA, MAX_ETA)
}

/// lambda from a query value.
pub fn parse_lambda(text: &str) -> Result<f64, Refusal> {
    number("lambda", text, 0.0, MAX_LAMBDA)
}

impl Settings {
    /// The settings of `pairs` (a query string's, decoded), the defaults
    /// for those not given; `ignored` names parameters that are the page's
    /// own and not a run's. An unknown or repeated parameter is refused.
    pub fn from_pairs(pairs: &[(String, String)], ignored: &[&str]) -> Result<Settings, Refusal> {
        let mut s = Settings::default();
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in pairs {
            if ignored.contains(&key.as_str()) {
                continue;
            }
            if seen.contains(&key.as_str()) {
                return Err(refuse(key, "given twice; expected it once"));
            }
            seen.push(key);
            match key.as_str() {
                "sizes" => s.sizes = parse_sizes(value)?,
                "init" => {
                    s.init = match value.as_str() {
                        "large" => Init::Large,
                        "default" => Init::Default,
                        _ => {
                            return Err(refuse(
                                key,
                                format!("found {value:?}; expected large or default"),
                            ));
                        }
                    }
                }
                "eta" => s.eta = parse_eta(value)?,
                "lambda" => s.lambda = parse_lambda(value)?,
                "m" => s.m = whole(key, value, 1, MAX_M)?,
                "n" => s.n = whole(key, value, MIN_N, TRAINING_SIZE)?,
                "epochs" => s.epochs = whole(key, value, 1, MAX_EPOCHS)?,
                "seed" => {
                    s.seed = value.trim().parse().map_err(|_| {
                        refuse(
                            key,
                            format!(
                                "found {value:?}; expected a whole number from 0 to {}",
                                u64::MAX
                            ),
                        )
                    })?
                }
                "optimizer" => {
                    s.optimizer = Optimizer::ALL
                        .iter()
                        .find(|(_, name)| name == value)
                        .map(|(o, _)| *o)
                        .ok_or_else(|| {
                            refuse(
                                key,
                                format!(
                                    "found {value:?}; expected sgd, momentum, sgdw, adam or adamw"
                                ),
                            )
                        })?
                }
                _ => {
                    return Err(refuse(
                        key,
                        "unknown; expected sizes, init, eta, lambda, m, n, epochs, seed or optimizer",
                    ));
                }
            }
        }
        if s.m > s.n {
            return Err(refuse(
                "m",
                format!("found {}; expected at most n = {}", s.m, s.n),
            ));
        }
        Ok(s)
    }

    /// The pooling that gives the first layer its n_0 inputs.
    pub fn pool(&self) -> usize {
        INPUTS
            .iter()
            .find(|(inputs, _)| *inputs == self.sizes[0])
            .map_or(1, |(_, pool)| *pool)
    }

    /// The flags of `decaylab train` that train this run, bit for bit.
    /// With a decoupled rule, lambda is given as its decay D = lambda/n.
    pub fn train_flags(&self) -> Vec<String> {
        let sizes: Vec<String> = self.sizes.iter().map(usize::to_string).collect();
        let mut flags = vec![
            "--sizes".to_string(),
            sizes.join(","),
            "--init".to_string(),
            match self.init {
                Init::Large => "large",
                Init::Default => "default",
            }
            .to_string(),
            "--eta".to_string(),
            self.eta.to_string(),
        ];
        if self.optimizer.is_decoupled() {
            flags.extend([
                "--optimizer".to_string(),
                self.optimizer.name().to_string(),
                "--weight-decay".to_string(),
                (self.lambda / self.n as f64).to_string(),
            ]);
        } else {
            flags.extend(["--lambda".to_string(), self.lambda.to_string()]);
            if self.optimizer != Optimizer::Sgd {
                flags.extend(["--optimizer".to_string(), self.optimizer.name().to_string()]);
            }
        }
        flags.extend([
            "--batch".to_string(),
            self.m.to_string(),
            "--epochs".to_string(),
            self.epochs.to_string(),
            "--seed".to_string(),
            self.seed.to_string(),
        ]);
        if self.n != TRAINING_SIZE {
            flags.extend(["--train-size".to_string(), self.n.to_string()]);
        }
        if self.pool() != 1 {
            flags.extend(["--pool".to_string(), self.pool().to_string()]);
        }
        flags
    }
}

/// Layer sizes `784,30,10`: 784, 196 or 49 inputs, 1 to
/// `MAX_HIDDEN_LAYERS` hidden layers of 1 to `MAX_HIDDEN` neurons, 10
/// outputs.
fn parse_sizes(text: &str) -> Result<Vec<usize>, Refusal> {
    let expected = format!(
        "expected n_0,...,10 with n_0 784, 196 or 49 and 1 to {MAX_HIDDEN_LAYERS} hidden layers of 1 to {MAX_HIDDEN} neurons (e.g. 784,30,10)"
    );
    let bad = || refuse("sizes", format!("found {text:?}; {expected}"));
    let sizes: Vec<usize> = text
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let hidden = sizes.len().saturating_sub(2);
    let ok = sizes.len() >= 3
        && hidden <= MAX_HIDDEN_LAYERS
        && INPUTS.iter().any(|(inputs, _)| *inputs == sizes[0])
        && sizes[sizes.len() - 1] == 10
        && sizes[1..sizes.len() - 1]
            .iter()
            .all(|&h| (1..=MAX_HIDDEN).contains(&h));
    if ok { Ok(sizes) } else { Err(bad()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn settings(query: &[(&str, &str)]) -> Result<Settings, Refusal> {
        Settings::from_pairs(&pairs(query), &["page"])
    }

    #[test]
    fn every_setting_is_read_and_written_as_trains_flags() {
        let s = settings(&[
            ("sizes", "196,100,10"),
            ("init", "large"),
            ("eta", "0.25"),
            ("lambda", "50"),
            ("m", "20"),
            ("n", "1000"),
            ("epochs", "3"),
            ("seed", "7"),
            ("optimizer", "momentum"),
            ("page", "anything"),
        ])
        .unwrap();
        assert_eq!(
            s.train_flags().join(" "),
            "--sizes 196,100,10 --init large --eta 0.25 --lambda 50 --optimizer momentum \
             --batch 20 --epochs 3 --seed 7 --train-size 1000 --pool 2"
        );
    }

    #[test]
    fn nothing_given_is_the_default_and_decoupled_rules_take_lambda_over_n() {
        assert_eq!(settings(&[]).unwrap(), Settings::default());
        let s = settings(&[("optimizer", "sgdw"), ("n", "1000"), ("lambda", "5")]).unwrap();
        let flags = s.train_flags().join(" ");
        assert!(
            flags.contains("--optimizer sgdw --weight-decay 0.005"),
            "{flags}"
        );
        assert!(!flags.contains("--lambda"), "{flags}");
    }

    #[test]
    fn bad_values_are_refused_naming_the_parameter() {
        for (query, parameter, says) in [
            (("sizes", "784,30"), "sizes", "784,30,10"),
            (("sizes", "785,30,10"), "sizes", "784, 196 or 49"),
            (("sizes", "784,201,10"), "sizes", "1 to 200"),
            (("sizes", "784,,10"), "sizes", "found \"784,,10\""),
            (("eta", "0"), "eta", "from 0.000001 to 100"),
            (("eta", "1e-320"), "eta", "from 0.000001 to 100"),
            (("eta", "NaN"), "eta", "from 0.000001 to 100"),
            (("eta", "1e999"), "eta", "from 0.000001 to 100"),
            (("lambda", "-1"), "lambda", "from 0 to 10000"),
            (("m", "0"), "m", "from 1 to 1000"),
            (("n", "99"), "n", "from 100 to 50000"),
            (("epochs", "501"), "epochs", "from 1 to 500"),
            (("seed", "-3"), "seed", "whole number"),
            (("init", "huge"), "init", "large or default"),
            (("optimizer", "lion"), "optimizer", "adamw"),
            (("etta", "1"), "etta", "unknown"),
        ] {
            let refusal = settings(&[query]).unwrap_err();
            assert_eq!(refusal.parameter, parameter, "{query:?}");
            assert!(refusal.message.contains(says), "{query:?}: {refusal}");
        }
        let twice = settings(&[("eta", "1"), ("eta", "2")]).unwrap_err();
        assert_eq!(twice.to_string(), "eta: given twice; expected it once");
        let m = settings(&[("m", "200"), ("n", "150")]).unwrap_err();
        assert_eq!(m.parameter, "m");
    }

    proptest! {
        /// Whatever the query, the settings are read or refused, never a
        /// panic; what is read stays inside the bounds.
        #[test]
        fn any_query_is_read_within_bounds_or_refused(
            query in proptest::collection::vec(
                (
                    prop_oneof![
                        Just("sizes".to_string()), Just("eta".to_string()),
                        Just("lambda".to_string()), Just("m".to_string()),
                        Just("n".to_string()), Just("epochs".to_string()),
                        Just("seed".to_string()), Just("init".to_string()),
                        Just("optimizer".to_string()), ".{0,6}",
                    ],
                    prop_oneof![".{0,12}", "[0-9,.e-]{1,12}"],
                ),
                0..6,
            )
        ) {
            if let Ok(s) = Settings::from_pairs(&query, &[]) {
                prop_assert!((MIN_ETA..=MAX_ETA).contains(&s.eta));
                prop_assert!((0.0..=MAX_LAMBDA).contains(&s.lambda));
                prop_assert!(s.m >= 1 && s.m <= s.n && s.n <= TRAINING_SIZE);
                prop_assert!(s.epochs >= 1 && s.epochs <= MAX_EPOCHS);
                prop_assert!(s.sizes.iter().skip(1).all(|&h| h <= MAX_HIDDEN));
            }
        }
    }
}

//! The setups beyond the book's: chapter 3's other techniques (L1, the
//! book's momentum, softmax with the log-likelihood, tanh hidden neurons)
//! and today's weight decay (Adam with L2, AdamW). A setup is what a run
//! trains with; the study gives each setup its own base runs, in the base
//! runs' roles, so that the claims are decided on them by the same code
//! as on network2's setup (`claims::setups`).

use serde::{Deserialize, Serialize};

use super::{BASE_ROLES, DECAY_ONLY_N, Plan, Purpose, RunSpec, init_name};
use crate::net::{Activation, Cost, Init};
use crate::run::Config;
use crate::train::rule::{ADAM_BETA1, ADAM_BETA2, ADAM_EPS};
use crate::train::{Optimizer, Regularization, Rule};

/// Epochs of a setup's base runs: chapter 3's 30 (quick: 10). They are
/// not trained until settled (claim 3 is not decided for setups).
pub const SETUP_EPOCHS: usize = 30;
pub const SETUP_EPOCHS_QUICK: usize = 10;

/// What a setup trains with. Everything else (the network [784, 30, 10],
/// m = 10, n = 50,000, the seeds) is the base setup's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// Its name in the report and in its runs' names: letters, digits and
    /// '-'.
    pub name: String,
    /// The learning rate eta (Adam's and AdamW's `lr`).
    pub eta: f64,
    /// lambda of the penalty in the cost (0 for SGDW and AdamW, whose decay
    /// is their weight decay D).
    #[serde(default)]
    pub lambda: f64,
    /// The update rule and its constants.
    pub optimizer: Optimizer,
    /// The penalty taken through the gradient: l2 (default) or l1.
    #[serde(default)]
    pub regularization: Regularization,
    /// The cost: cross-entropy (default), quadratic or log-likelihood
    /// (with a softmax output layer).
    #[serde(default = "cross_entropy")]
    pub cost: Cost,
    /// The hidden neurons: sigmoid (default) or tanh.
    #[serde(default)]
    pub activation: Activation,
}

fn cross_entropy() -> Cost {
    Cost::CrossEntropy
}

impl Setup {
    /// The update rule.
    pub fn rule(&self) -> Rule {
        Rule {
            optimizer: self.optimizer,
            regularization: self.regularization,
        }
    }

    /// The same setup with its penalty or decay switched off (lambda 0, or
    /// D = 0): the base runs' "no L2" role.
    pub fn without_decay(&self) -> Setup {
        let optimizer = match self.optimizer {
            Optimizer::Sgdw { .. } => Optimizer::Sgdw { weight_decay: 0.0 },
            Optimizer::AdamW {
                beta1, beta2, eps, ..
            } => Optimizer::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay: 0.0,
            },
            other => other,
        };
        Setup {
            lambda: 0.0,
            optimizer,
            ..self.clone()
        }
    }

    /// Why the setup cannot be a study's, if it cannot: a name that is not
    /// file-name-safe, or a constant out of its range. (The rule's own
    /// checks are the run's: `run::Config::validate`.)
    pub fn check(&self) -> Result<(), String> {
        let safe = |c: char| c.is_ascii_alphanumeric() || c == '-';
        if self.name.is_empty() || self.name.len() > 40 || !self.name.chars().all(safe) {
            return Err(format!(
                "name {:?}; expected 1 to 40 letters, digits and '-'",
                self.name
            ));
        }
        if !(self.eta.is_finite() && self.eta > 0.0) {
            return Err(format!("eta {}; expected a finite eta > 0", self.eta));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(format!(
                "lambda {}; expected a finite lambda >= 0",
                self.lambda
            ));
        }
        // Its runs with and without decay must differ.
        match self.optimizer {
            Optimizer::Sgdw { weight_decay } | Optimizer::AdamW { weight_decay, .. }
                if weight_decay <= 0.0 || weight_decay.is_nan() =>
            {
                return Err(format!(
                    "weight_decay {weight_decay} of {}; expected a weight decay above 0",
                    self.name
                ));
            }
            Optimizer::Sgdw { .. } | Optimizer::AdamW { .. } => {}
            _ if self.lambda == 0.0 => {
                return Err("lambda 0; expected a penalty above 0 (sgdw and adamw take weight_decay instead)".to_string());
            }
            _ => {}
        }
        Ok(())
    }
}

/// The built-in study's setups, each at a learning rate where it trains
/// [784, 30, 10] on MNIST, and with network2's lambda 5 where the rule
/// takes a penalty:
///
/// - `momentum`: mu 0.9 and eta 0.01, so that eta/(1 - mu) is the base
///   eta; lambda 5 (its decay per epoch, once the velocity has built up,
///   is network2's: exp(-eta*lambda/(m (1 - mu))) = exp(-0.05)).
/// - `l1`: the book's L1 at the base eta and lambda.
/// - `adam`: torch's defaults, lr 0.001, weight_decay lambda/n at lambda 5.
/// - `adamw`: lr 0.001 and D = 0.01: eta*D = 1e-5 per step, network2's.
/// - `softmax`: network2's rule with a softmax output and the
///   log-likelihood cost.
/// - `tanh`: network2's rule with tanh hidden neurons.
pub fn built_in() -> Vec<Setup> {
    let sgd = |name: &str| Setup {
        name: name.to_string(),
        eta: 0.1,
        lambda: 5.0,
        optimizer: Optimizer::Sgd,
        regularization: Regularization::L2,
        cost: Cost::CrossEntropy,
        activation: Activation::Sigmoid,
    };
    vec![
        Setup {
            eta: 0.01,
            optimizer: Optimizer::Momentum { mu: 0.9 },
            ..sgd("momentum")
        },
        Setup {
            regularization: Regularization::L1,
            ..sgd("l1")
        },
        Setup {
            eta: 0.001,
            optimizer: Optimizer::Adam {
                beta1: ADAM_BETA1,
                beta2: ADAM_BETA2,
                eps: ADAM_EPS,
            },
            ..sgd("adam")
        },
        Setup {
            eta: 0.001,
            lambda: 0.0,
            optimizer: Optimizer::AdamW {
                beta1: ADAM_BETA1,
                beta2: ADAM_BETA2,
                eps: ADAM_EPS,
                weight_decay: 0.01,
            },
            ..sgd("adamw")
        },
        Setup {
            cost: Cost::LogLikelihood,
            ..sgd("softmax")
        },
        Setup {
            activation: Activation::Tanh,
            ..sgd("tanh")
        },
    ]
}

/// The role a setup's run plays: one of the base setup's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum SetupRole {
    /// As `Purpose::Base`: large or default initialization, with or
    /// without the setup's penalty or decay.
    Base { init: Init, l2: bool },
    /// As `Purpose::DecayOnly`: the setup's decay alone, c its fraction
    /// per step (eta*lambda/n, or eta*D).
    DecayOnly { c: f64 },
}

impl Plan {
    /// Each setup's runs: its four base runs on every seed (large and
    /// default initialization, with and without its penalty or decay), for
    /// `setup_epochs` epochs, the probes on in the runs with decay (claim 1
    /// reads their budget; claim 4 reads only the accuracy and saturation
    /// of those without, and the split rules' probes cost 5 to 7 times
    /// their step), and one decay-only run as the base setup's (n = 1,000,
    /// [49, 10, 10], f64) at its own eta and penalty.
    pub(super) fn setup_runs(&self, base: &Config) -> Vec<RunSpec> {
        let mut runs = Vec::new();
        for setup in &self.setups {
            let trains_with = |setup: &Setup, config: Config| Config {
                eta: setup.eta,
                lambda: setup.lambda,
                rule: setup.rule(),
                cost: setup.cost,
                hidden: setup.activation,
                ..config
            };
            for &seed in &self.seeds {
                for (init, l2) in BASE_ROLES {
                    let with = if l2 {
                        setup.clone()
                    } else {
                        setup.without_decay()
                    };
                    let config = trains_with(
                        &with,
                        Config {
                            init,
                            epochs: self.setup_epochs,
                            stop_when_settled: false,
                            probes: l2,
                            seed,
                            ..base.clone()
                        },
                    );
                    runs.push(RunSpec {
                        name: format!(
                            "setup-{}-{}-{}-s{seed}",
                            setup.name,
                            init_name(init),
                            if l2 { "l2" } else { "nol2" }
                        ),
                        purpose: Purpose::Setup {
                            setup: setup.name.clone(),
                            role: SetupRole::Base { init, l2 },
                        },
                        seed,
                        config,
                        parent: None,
                        saves_network: false,
                    });
                }
            }
            let config = trains_with(setup, self.decay_only_config(base));
            runs.push(RunSpec {
                name: format!("setup-{}-decay-only", setup.name),
                purpose: Purpose::Setup {
                    setup: setup.name.clone(),
                    role: SetupRole::DecayOnly {
                        c: config.decay_per_step(DECAY_ONLY_N),
                    },
                },
                seed: self.seeds[0],
                config,
                parent: None,
                saves_network: false,
            });
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_setups_have_safe_distinct_names_and_decay() {
        let setups = built_in();
        let mut names: Vec<&str> = setups.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), setups.len());
        for setup in &setups {
            setup.check().unwrap();
            let off = setup.without_decay();
            assert_eq!(off.lambda, 0.0);
            assert!(!matches!(
                off.optimizer,
                Optimizer::AdamW { weight_decay, .. } | Optimizer::Sgdw { weight_decay }
                    if weight_decay != 0.0
            ));
            assert_eq!((off.cost, off.activation), (setup.cost, setup.activation));
        }
    }

    #[test]
    fn a_setup_names_what_is_wrong_with_it() {
        let mut setup = built_in().remove(0);
        setup.name = "a/b".into();
        assert!(setup.check().unwrap_err().contains("name \"a/b\""));
        setup.name = String::new();
        assert!(setup.check().unwrap_err().contains("name \"\""));
        setup.name = "x".repeat(41);
        assert!(setup.check().unwrap_err().contains("1 to 40"));
        setup.name = "x".repeat(40);
        setup.check().unwrap();
        setup.eta = 0.0;
        assert!(setup.check().unwrap_err().contains("eta 0"));
        // A decoupled rule without its decay: its runs with and without
        // decay would be the same.
        let mut adamw = built_in().into_iter().find(|s| s.name == "adamw").unwrap();
        adamw.check().unwrap();
        for weight_decay in [0.0, f64::NAN] {
            if let Optimizer::AdamW {
                weight_decay: d, ..
            } = &mut adamw.optimizer
            {
                *d = weight_decay;
            }
            assert!(
                adamw.check().unwrap_err().contains("weight_decay"),
                "{weight_decay}"
            );
        }
    }
}

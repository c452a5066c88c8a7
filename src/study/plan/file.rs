//! The study file (TOML): what a study runs. `claims --config FILE` reads
//! one; `claims --print-config` writes the built-in study's, to start
//! from. It holds the mode, the seeds and the setups beyond the book's;
//! the base setup's constants, sweeps and caps are the built-in plan's
//! (`plan`), which the report and the claims' words name.

use serde::{Deserialize, Serialize};

use super::setup::{self, Setup};
use super::{Mode, Plan};

/// A study as its file describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyFile {
    /// "quick", "full" or "deep" (see `Mode`).
    pub mode: Mode,
    /// Seeds per configuration (full and deep; quick uses one).
    pub seeds: usize,
    /// The first seed: the runs use seed_base, seed_base + 1, ...
    pub seed_base: u64,
    /// The setups beyond the book's, one `[[setup]]` table each (none: the
    /// report has no "Beyond the book's setup").
    #[serde(default, rename = "setup")]
    pub setups: Vec<Setup>,
}

/// The first lines of a written study file.
const HEADER: &str = "\
# A decaylab study: `decaylab claims --config FILE` runs it.
# mode: quick, full or deep. Each [[setup]] is a setup beyond the book's:
# name, eta, lambda (0 for sgdw and adamw), optimizer (kind = sgd,
# momentum (mu), sgdw (weight_decay), adam (beta1, beta2, eps) or adamw
# (the same and weight_decay)), and optionally regularization (l2, l1),
# cost (cross-entropy, quadratic, log-likelihood), activation (sigmoid,
# tanh). The base setup (network2's) is always run.
";

impl StudyFile {
    /// The built-in study of `mode` with `seeds` seeds from `seed_base`.
    pub fn built_in(mode: Mode, seeds: usize, seed_base: u64) -> StudyFile {
        StudyFile {
            mode,
            seeds,
            seed_base,
            setups: setup::built_in(),
        }
    }

    /// The file's text.
    pub fn to_toml(&self) -> String {
        // Plain numbers, strings and tables: serializing cannot fail.
        HEADER.to_string() + "\n" + &toml::to_string(self).expect("a study file serializes")
    }

    /// The study `text` describes, or what is wrong with it: the TOML
    /// parser's message (line, column and key), or the setup and what is
    /// wrong with it.
    pub fn parse(text: &str) -> Result<StudyFile, String> {
        let file: StudyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.seeds == 0 {
            return Err("seeds = 0; expected at least 1".to_string());
        }
        for (k, setup) in file.setups.iter().enumerate() {
            setup
                .check()
                .map_err(|why| format!("setup {} ({}): {why}", k + 1, setup.name))?;
            if file.setups[..k].iter().any(|s| s.name == setup.name) {
                return Err(format!(
                    "setup {} ({}): a second setup of that name; expected names that differ",
                    k + 1,
                    setup.name
                ));
            }
        }
        Ok(file)
    }

    /// Its plan; None if the seeds do not fit in a u64.
    pub fn plan(&self) -> Option<Plan> {
        Plan::with_setups(self.mode, self.seeds, self.seed_base, self.setups.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_study_reads_back_as_itself_and_plans_the_built_in_plan() {
        let built_in = StudyFile::built_in(Mode::Full, 3, 1);
        let text = built_in.to_toml();
        assert!(text.starts_with("# A decaylab study"));
        let read = StudyFile::parse(&text).unwrap();
        assert_eq!(read, built_in);
        let (a, b) = (read.plan().unwrap(), Plan::new(Mode::Full, 3, 1).unwrap());
        assert_eq!(a.runs, b.runs);
    }

    #[test]
    fn a_bad_file_names_the_key_or_the_setup() {
        let cases = [
            (
                "mode = \"full\"\nseeds = 3\nseed_base = 1\ncolour = 1\n",
                "colour",
            ),
            ("mode = \"fast\"\nseeds = 3\nseed_base = 1\n", "fast"),
            ("mode = \"full\"\nseed_base = 1\n", "seeds"),
            ("mode = \"full\"\nseeds = 0\nseed_base = 1\n", "seeds = 0"),
            (
                "mode = \"full\"\nseeds = 1\nseed_base = 1\n[[setup]]\nname = \"m\"\neta = 0.1\noptimizer = { kind = \"nesterov\" }\n",
                "nesterov",
            ),
            (
                "mode = \"full\"\nseeds = 1\nseed_base = 1\n[[setup]]\nname = \"m\"\neta = 0.1\noptimizer = { kind = \"momentum\", mu = 0.9 }\nmomentum = 0.5\n",
                "momentum",
            ),
            (
                "mode = \"full\"\nseeds = 1\nseed_base = 1\n[[setup]]\nname = \"a b\"\neta = 0.1\noptimizer = { kind = \"sgd\" }\n",
                "setup 1 (a b): name",
            ),
        ];
        for (text, names) in cases {
            let error = StudyFile::parse(text).unwrap_err();
            assert!(error.contains(names), "{text}: {error}");
        }
        let head = "mode = \"quick\"\nseeds = 1\nseed_base = 1\n";
        let setup = "[[setup]]\nname = \"m\"\neta = 0.1\noptimizer = { kind = \"sgd\" }\n";
        let error = StudyFile::parse(&format!("{head}{setup}{setup}")).unwrap_err();
        assert!(error.contains("setup 2 (m): a second setup"), "{error}");
    }
}

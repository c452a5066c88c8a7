//! The study file (TOML): what a study runs, read from a file or written
//! from the built-in study as a starting point. It holds the mode, the
//! seeds and the setups beyond the book's; the base setup's constants,
//! sweeps and caps are the built-in plan's (`plan`), which the report and
//! the claims' words name.

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
    /// Epochs of each setup's base runs (absent: 30, in quick mode 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_epochs: Option<usize>,
    /// The setups beyond the book's, one `[[setup]]` table each (none: the
    /// report has no "Beyond the book's setup").
    #[serde(default, rename = "setup")]
    pub setups: Vec<Setup>,
}

/// The most epochs a setup's base runs may take.
pub const MAX_SETUP_EPOCHS: usize = 1000;

impl StudyFile {
    /// The built-in study of `mode` with `seeds` seeds from `seed_base`.
    pub fn built_in(mode: Mode, seeds: usize, seed_base: u64) -> StudyFile {
        StudyFile {
            mode,
            seeds,
            seed_base,
            setup_epochs: Some(if mode == Mode::Quick {
                super::SETUP_EPOCHS_QUICK
            } else {
                super::SETUP_EPOCHS
            }),
            setups: setup::built_in(),
        }
    }

    /// The file's text, or why it cannot be written (TOML's integers are
    /// i64: a seed_base above i64::MAX).
    pub fn to_toml(&self) -> Result<String, String> {
        if i64::try_from(self.seed_base).is_err() {
            return Err(format!(
                "seed_base {} is above TOML's largest integer",
                self.seed_base
            ));
        }
        toml::to_string(self).map_err(|e| e.to_string())
    }

    /// The study `text` describes, or what is wrong with it: the TOML
    /// parser's message (line, column and key), or the setup and what is
    /// wrong with it.
    pub fn parse(text: &str) -> Result<StudyFile, String> {
        let file: StudyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        unknown_optimizer_keys(text, &file)?;
        if file.seeds == 0 {
            return Err("seeds = 0; expected at least 1".to_string());
        }
        if let Some(epochs) = file.setup_epochs
            && !(2..=MAX_SETUP_EPOCHS).contains(&epochs)
        {
            return Err(format!(
                "setup_epochs = {epochs}; expected 2 to {MAX_SETUP_EPOCHS}"
            ));
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
        Plan::with_setups(
            self.mode,
            self.seeds,
            self.seed_base,
            self.setups.clone(),
            self.setup_epochs,
        )
    }
}

/// A key of a setup's `optimizer` table that its rule does not take (serde
/// lets a rule without constants, `sgd`, ignore any): an error naming it.
fn unknown_optimizer_keys(text: &str, file: &StudyFile) -> Result<(), String> {
    let raw: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let tables = raw.get("setup").and_then(|s| s.as_array());
    for (k, (table, setup)) in tables.into_iter().flatten().zip(&file.setups).enumerate() {
        let given = table.get("optimizer").and_then(|o| o.as_table());
        let taken = toml::Table::try_from(setup.optimizer).map_err(|e| e.to_string())?;
        if let Some(key) = given
            .into_iter()
            .flatten()
            .map(|(key, _)| key)
            .find(|key| !taken.contains_key(*key))
        {
            let keys: Vec<&str> = taken.keys().map(String::as_str).collect();
            return Err(format!(
                "setup {} ({}): optimizer key `{key}`, which its rule does not take; expected {}",
                k + 1,
                setup.name,
                keys.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_study_reads_back_as_itself_and_plans_the_built_in_plan() {
        let built_in = StudyFile::built_in(Mode::Full, 3, 1);
        let text = built_in.to_toml().unwrap();
        let read = StudyFile::parse(&text).unwrap();
        assert_eq!(read, built_in);
        let (a, b) = (read.plan().unwrap(), Plan::new(Mode::Full, 3, 1).unwrap());
        assert_eq!(a.runs, b.runs);
    }

    #[test]
    fn a_seed_base_toml_cannot_hold_is_an_error_not_a_panic() {
        assert!(
            StudyFile::built_in(Mode::Quick, 1, u64::MAX)
                .to_toml()
                .is_err()
        );
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
                "mode = \"full\"\nseeds = 1\nseed_base = 1\nsetup_epochs = 1\n",
                "setup_epochs = 1",
            ),
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
            (
                "mode = \"full\"\nseeds = 1\nseed_base = 1\n[[setup]]\nname = \"s\"\neta = 0.1\nlambda = 5\noptimizer = { kind = \"sgd\", weight_decay = 0.01 }\n",
                "weight_decay",
            ),
            (
                "mode = \"full\"\nseeds = 1\nseed_base = 1\n[[setup]]\nname = \"s\"\neta = 0.1\noptimizer = { kind = \"sgd\" }\n",
                "lambda 0",
            ),
        ];
        for (text, names) in cases {
            let error = StudyFile::parse(text).unwrap_err();
            assert!(error.contains(names), "{text}: {error}");
        }
        let head = "mode = \"quick\"\nseeds = 1\nseed_base = 1\n";
        let setup =
            "[[setup]]\nname = \"m\"\neta = 0.1\nlambda = 5\noptimizer = { kind = \"sgd\" }\n";
        let error = StudyFile::parse(&format!("{head}{setup}{setup}")).unwrap_err();
        assert!(error.contains("setup 2 (m): a second setup"), "{error}");
    }
}

//! Shards of a study for a job array: every task computes the same split
//! from the plan alone, without talking to the others. Run k of the plan
//! (0-based) belongs to shard k mod N + 1.

use crate::error::{Error, Result};

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether run `k` of the plan (0-based) is in this shard.
    pub fn holds(&self, k: usize) -> bool {
        k % self.count + 1 == self.index
    }

    /// `--shard I/N`, or `auto` from the scheduler's environment (`env`
    /// reads a variable), with `shard_count` for Kubernetes.
    pub fn parse(
        text: &str,
        shard_count: Option<usize>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard> {
        let (index, count) = if text == "auto" {
            auto(shard_count, env)?
        } else {
            let number = |s: &str| s.trim().parse::<usize>().ok();
            let parsed = text
                .split_once('/')
                .and_then(|(i, n)| Some((number(i)?, number(n)?)));
            parsed.ok_or_else(|| {
                Error::bad_flag(
                    "--shard",
                    format!("{text:?}; expected I/N (e.g. 2/3) or auto"),
                )
            })?
        };
        if count == 0 || index == 0 || index > count {
            return Err(Error::bad_flag(
                "--shard",
                format!("shard {index} of {count}; expected 1 <= I <= N"),
            ));
        }
        Ok(Shard { index, count })
    }
}

/// I and N from Slurm (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN + 1 of
/// SLURM_ARRAY_TASK_COUNT) or from Kubernetes (JOB_COMPLETION_INDEX + 1
/// of --shard-count).
fn auto(
    shard_count: Option<usize>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(usize, usize)> {
    let number = |name: &str| -> Result<Option<usize>> {
        match env(name) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                Error::bad_flag(
                    "--shard",
                    format!("auto: {name}={v:?} is not a whole number"),
                )
            }),
        }
    };
    if let (Some(id), Some(count)) = (
        number("SLURM_ARRAY_TASK_ID")?,
        number("SLURM_ARRAY_TASK_COUNT")?,
    ) {
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let index = id.checked_sub(min).ok_or_else(|| {
            Error::bad_flag(
                "--shard",
                format!("auto: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"),
            )
        })?;
        return Ok((index + 1, count));
    }
    match (number("JOB_COMPLETION_INDEX")?, shard_count) {
        (Some(index), Some(count)) => Ok((index + 1, count)),
        (Some(_), None) => Err(Error::bad_flag(
            "--shard",
            "auto: JOB_COMPLETION_INDEX is set but --shard-count is not; expected --shard-count N",
        )),
        (None, _) => Err(Error::bad_flag(
            "--shard",
            "auto: none of SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX, is set; expected to run in a Slurm job array or a Kubernetes indexed Job",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn shards_split_the_plan_by_position() {
        let shards: Vec<Shard> = (1..=3)
            .map(|i| Shard::parse(&format!("{i}/3"), None, none).unwrap())
            .collect();
        for k in 0..10 {
            assert_eq!(shards.iter().filter(|s| s.holds(k)).count(), 1, "run {k}");
        }
        assert!(
            shards[0].holds(0) && shards[1].holds(1) && shards[2].holds(2) && shards[0].holds(3)
        );
    }

    #[test]
    fn bad_shards_are_refused() {
        for text in ["0/3", "4/3", "1/0", "x", "1/", "2-3", "auto"] {
            assert!(Shard::parse(text, None, none).is_err(), "{text}");
        }
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes() {
        let slurm = |name: &str| match name {
            "SLURM_ARRAY_TASK_ID" => Some("5".into()),
            "SLURM_ARRAY_TASK_MIN" => Some("4".into()),
            "SLURM_ARRAY_TASK_COUNT" => Some("3".into()),
            _ => None,
        };
        assert_eq!(
            Shard::parse("auto", None, slurm).unwrap(),
            Shard { index: 2, count: 3 }
        );
        let kubernetes = |name: &str| (name == "JOB_COMPLETION_INDEX").then(|| "0".to_string());
        assert_eq!(
            Shard::parse("auto", Some(4), kubernetes).unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert!(Shard::parse("auto", None, kubernetes).is_err());
    }
}

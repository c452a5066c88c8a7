//! Shards of a study for a job array: every task computes the same split
//! from the plan alone, without talking to the others. Run k of the plan
//! (0-based) belongs to shard k mod N + 1.

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// Why a shard's description (I/N, or `auto` from the scheduler's
/// environment) names no shard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Neither I/N nor `auto`.
    #[error("{0:?}; expected I/N (e.g. 2/3) or auto")]
    Malformed(String),
    /// I and N, but not 1 <= I <= N.
    #[error("shard {index} of {count}; expected 1 <= I <= N")]
    OutOfRange { index: usize, count: usize },
    /// A scheduler's variable holds no whole number.
    #[error("auto: {name}={value:?} is not a whole number")]
    NotANumber { name: &'static str, value: String },
    /// Slurm's task id lies below its first task id.
    #[error("auto: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}")]
    BelowMin { id: usize, min: usize },
    /// Slurm's task id without the first task id it counts from.
    #[error(
        "auto: SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_MIN; expected both, as Slurm sets them for a job array"
    )]
    NoMin,
    /// Slurm's task ids do not fall on 1..N once counted from the first
    /// with the step (an array given as a list, e.g. --array=1,4,9).
    #[error(
        "auto: SLURM_ARRAY_TASK_ID {id} is not task k of {count} tasks from {min} in steps of {step}; expected an array of evenly spaced ids (--array=A-B or A-B:S)"
    )]
    Uneven {
        id: usize,
        min: usize,
        step: usize,
        count: usize,
    },
    /// A number of shards given where the shards' description says it.
    #[error("{0}")]
    CountNotNeeded(&'static str),
    /// Kubernetes gives the index but nobody gave the number of shards.
    #[error(
        "auto: JOB_COMPLETION_INDEX is set but not the number of shards; expected the number of shards N"
    )]
    NoCount,
    /// Neither Slurm's nor Kubernetes' variables are set.
    #[error(
        "auto: none of SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX, is set; expected to run in a Slurm job array or a Kubernetes indexed Job"
    )]
    NoScheduler,
}

impl Shard {
    /// Whether run `k` of the plan (0-based) is in this shard.
    pub fn holds(&self, k: usize) -> bool {
        k % self.count + 1 == self.index
    }

    /// `I/N`, or `auto` from the scheduler's environment (`env` reads a
    /// variable), with `count` the number of shards for Kubernetes.
    pub fn parse(
        text: &str,
        count: Option<usize>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard, ShardError> {
        let (index, count) = if text == "auto" {
            auto(count, env)?
        } else if count.is_some() {
            return Err(ShardError::CountNotNeeded(
                "I/N names the number of shards; the number of shards is expected only with auto under Kubernetes",
            ));
        } else {
            let number = |s: &str| s.trim().parse::<usize>().ok();
            let parsed = text
                .split_once('/')
                .and_then(|(i, n)| Some((number(i)?, number(n)?)));
            parsed.ok_or_else(|| ShardError::Malformed(text.to_string()))?
        };
        if count == 0 || index == 0 || index > count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }
}

/// I and N from Slurm ((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) /
/// SLURM_ARRAY_TASK_STEP + 1 of SLURM_ARRAY_TASK_COUNT; the step is 1 when
/// unset) or from Kubernetes (JOB_COMPLETION_INDEX + 1 of `count`).
fn auto(
    count_given: Option<usize>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(usize, usize), ShardError> {
    let number = |name: &'static str| -> Result<Option<usize>, ShardError> {
        match env(name) {
            None => Ok(None),
            Some(value) => value
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| ShardError::NotANumber { name, value }),
        }
    };
    if let (Some(id), Some(count)) = (
        number("SLURM_ARRAY_TASK_ID")?,
        number("SLURM_ARRAY_TASK_COUNT")?,
    ) {
        if count_given.is_some() {
            return Err(ShardError::CountNotNeeded(
                "Slurm's SLURM_ARRAY_TASK_COUNT gives the number of shards; the number of shards is expected only under Kubernetes",
            ));
        }
        let min = number("SLURM_ARRAY_TASK_MIN")?.ok_or(ShardError::NoMin)?;
        let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
        let offset = id
            .checked_sub(min)
            .ok_or(ShardError::BelowMin { id, min })?;
        let k = offset / step;
        if offset % step != 0 || k >= count {
            return Err(ShardError::Uneven {
                id,
                min,
                step,
                count,
            });
        }
        return Ok((k + 1, count));
    }
    match (number("JOB_COMPLETION_INDEX")?, count_given) {
        (Some(index), Some(count)) => Ok((index + 1, count)),
        (Some(_), None) => Err(ShardError::NoCount),
        (None, _) => Err(ShardError::NoScheduler),
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
        assert_eq!(
            Shard::parse("auto", None, kubernetes),
            Err(ShardError::NoCount)
        );
    }

    /// Slurm's variables for task `id` of an array from `min` in steps of
    /// `step` (None: unset) with `count` tasks.
    fn slurm_array(
        id: usize,
        min: Option<usize>,
        step: Option<usize>,
        count: usize,
    ) -> impl Fn(&str) -> Option<String> {
        move |name: &str| match name {
            "SLURM_ARRAY_TASK_ID" => Some(id.to_string()),
            "SLURM_ARRAY_TASK_MIN" => min.map(|m| m.to_string()),
            "SLURM_ARRAY_TASK_STEP" => step.map(|s| s.to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some(count.to_string()),
            _ => None,
        }
    }

    #[test]
    fn a_stepped_slurm_array_runs_every_shard_once() {
        // --array=0-4:2: ids 0, 2, 4 are shards 1, 2, 3 of 3.
        let shards: Vec<usize> = [0, 2, 4]
            .iter()
            .map(|&id| {
                let env = slurm_array(id, Some(0), Some(2), 3);
                Shard::parse("auto", None, env).unwrap().index
            })
            .collect();
        assert_eq!(shards, [1, 2, 3]);
        // An id off the steps, or past the last task, is refused.
        for id in [3, 6] {
            let err = Shard::parse("auto", None, slurm_array(id, Some(0), Some(2), 3));
            assert!(
                matches!(err, Err(ShardError::Uneven { .. })),
                "{id}: {err:?}"
            );
        }
        // Without the first id, the ids cannot be counted from it.
        let err = Shard::parse("auto", None, slurm_array(2, None, Some(1), 3));
        assert_eq!(err, Err(ShardError::NoMin));
    }

    #[test]
    fn a_number_of_shards_is_refused_where_it_is_not_needed() {
        for (text, env) in [
            ("2/3", slurm_array(1, Some(1), None, 3)),
            ("auto", slurm_array(1, Some(1), None, 3)),
        ] {
            let err = Shard::parse(text, Some(3), env);
            assert!(
                matches!(err, Err(ShardError::CountNotNeeded(_))),
                "{text}: {err:?}"
            );
        }
    }
}

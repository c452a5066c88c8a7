//! Deciding the four claims, one file per claim. Each claim is a
//! [`Claim`]: it gathers its typed evidence from the measured study, then
//! decides a verdict and typed findings from that evidence and the named
//! [`Thresholds`]. [`decide_all`] decides every claim and its sensitivity
//! table the same way. No sentence is written here: the report
//! (`report::text`) words the findings.
//!
//! A fifth claim is one more file here (its evidence, findings and `impl
//! Claim`), one line in [`decide_all`] and one variant of [`ClaimResult`],
//! and its words in `report/text/`.

pub mod claim1;
pub mod claim2;
pub mod claim3;
pub mod claim4;
pub mod live;
pub mod setups;
pub mod thresholds;

use std::fmt::Debug;

use serde::{Deserialize, Serialize};

pub use claim1::Claim1;
pub use claim2::Claim2;
pub use claim3::Claim3;
pub use claim4::Claim4;
pub use thresholds::{Threshold, Thresholds};

use crate::study::Results;
use crate::study::equilibrium::{SettledEntry, SizeFit};
use crate::study::noise_law::NoiseLaw;

/// A claim's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// What the claim says is what was measured.
    Holds,
    /// Some of it was measured, not all.
    Partly,
    /// The measurements contradict it.
    Fails,
    /// The runs it needs are missing.
    Inconclusive,
}

impl Verdict {
    /// The verdict's word, as `claims.json` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Partly => "partly",
            Verdict::Fails => "fails",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// A decision: the verdict and what was found on the way to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<F> {
    /// The claim's verdict.
    pub verdict: Verdict,
    /// The typed findings the report words.
    pub findings: F,
}

/// A threshold of a verdict, and the verdict at half and at twice it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The threshold.
    pub threshold: Threshold,
    /// Its value in the study.
    pub value: f64,
    /// The verdict with the threshold at half its value.
    pub verdict_at_half: Verdict,
    /// The verdict with the threshold at twice its value.
    pub verdict_at_twice: Verdict,
    /// Whether some finding (not only the verdict) differs with the
    /// threshold at half its value.
    pub findings_change_at_half: bool,
    /// The same at twice its value.
    pub findings_change_at_twice: bool,
}

/// What the claims are decided from: the study's runs, their settled table
/// and its fits.
#[derive(Clone, Copy)]
pub struct Measured<'a> {
    /// The runs, grouped by purpose.
    pub results: &'a Results,
    /// Every run's settled state.
    pub settled: &'a [SettledEntry],
    /// The power laws of the settled sizes.
    pub fits: &'a [SizeFit],
    /// The branches' sizes against eta/m, beside the optimum.
    pub noise_laws: &'a [NoiseLaw],
}

/// Why a claim could not be decided: the runs its evidence needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing(pub &'static str);

/// A claim the study decides.
pub trait Claim {
    /// Everything the claim is decided on (`claims.json`'s `evidence`).
    type Evidence: Clone + Debug + Serialize;
    /// What the decision found besides the verdict.
    type Findings: Clone + Debug + PartialEq;
    /// The claim's number.
    const ID: u8;
    /// A short title.
    const TITLE: &'static str;
    /// The claim as the user stated it.
    const STATEMENT: &'static str;
    /// Every threshold whose value can change the decision (the verdict or
    /// a finding), in the order of the sensitivity table.
    const THRESHOLDS: &'static [Threshold];

    /// The evidence, measured at the thresholds `t`, or what is missing.
    fn evidence(measured: &Measured, t: &Thresholds) -> Result<Self::Evidence, Missing>;

    /// The verdict and findings from the evidence at the thresholds `t`.
    fn decide(evidence: &Self::Evidence, t: &Thresholds) -> Decision<Self::Findings>;
}

/// A claim decided: its evidence, its decision, and the verdict with each
/// of its thresholds at half and at twice its value.
#[derive(Debug, Clone)]
pub struct Decided<C: Claim> {
    /// The evidence.
    pub evidence: C::Evidence,
    /// The verdict and the findings.
    pub decision: Decision<C::Findings>,
    /// One row per threshold of `C::THRESHOLDS`.
    pub sensitivity: Vec<Sensitivity>,
}

/// A claim decided, or not for lack of runs.
pub type Outcome<C> = Result<Decided<C>, Missing>;

/// Decide `C` from `evidence` at the thresholds `t`, and again with each
/// of its thresholds at half and at twice its value.
pub fn decided<C: Claim>(evidence: C::Evidence, t: &Thresholds) -> Decided<C> {
    let decision = C::decide(&evidence, t);
    let sensitivity = C::THRESHOLDS
        .iter()
        .map(|&threshold| {
            let half = C::decide(&evidence, &t.scaled(threshold, 0.5));
            let twice = C::decide(&evidence, &t.scaled(threshold, 2.0));
            Sensitivity {
                threshold,
                value: t.get(threshold),
                verdict_at_half: half.verdict,
                verdict_at_twice: twice.verdict,
                findings_change_at_half: half.findings != decision.findings,
                findings_change_at_twice: twice.findings != decision.findings,
            }
        })
        .collect();
    Decided {
        evidence,
        decision,
        sensitivity,
    }
}

/// Gather `C`'s evidence from `measured` and decide it.
pub fn outcome<C: Claim>(measured: &Measured, t: &Thresholds) -> Outcome<C> {
    C::evidence(measured, t).map(|e| decided::<C>(e, t))
}

/// One claim's result, whichever claim it is.
#[derive(Debug, Clone)]
pub enum ClaimResult {
    /// Claim 1.
    Claim1(Box<Outcome<Claim1>>),
    /// Claim 2.
    Claim2(Box<Outcome<Claim2>>),
    /// Claim 3.
    Claim3(Box<Outcome<Claim3>>),
    /// Claim 4.
    Claim4(Box<Outcome<Claim4>>),
}

/// Every claim decided from `measured` at the thresholds `t`, in order.
pub fn decide_all(measured: &Measured, t: &Thresholds) -> Vec<ClaimResult> {
    vec![
        ClaimResult::Claim1(Box::new(outcome::<Claim1>(measured, t))),
        ClaimResult::Claim2(Box::new(outcome::<Claim2>(measured, t))),
        ClaimResult::Claim3(Box::new(outcome::<Claim3>(measured, t))),
        ClaimResult::Claim4(Box::new(outcome::<Claim4>(measured, t))),
    ]
}

/// Claim 1 among `claims`, if it was decided.
pub fn claim1(claims: &[ClaimResult]) -> Option<&Decided<Claim1>> {
    claims.iter().find_map(|c| match c {
        ClaimResult::Claim1(o) => o.as_ref().as_ref().ok(),
        _ => None,
    })
}

/// Claim 3's decision, if it was decided.
pub fn claim3(claims: &[ClaimResult]) -> Option<&Decided<Claim3>> {
    claims.iter().find_map(|c| match c {
        ClaimResult::Claim3(o) => o.as_ref().as_ref().ok(),
        _ => None,
    })
}

/// Claim 4's decision, if it was decided.
pub fn claim4(claims: &[ClaimResult]) -> Option<&Decided<Claim4>> {
    claims.iter().find_map(|c| match c {
        ClaimResult::Claim4(o) => o.as_ref().as_ref().ok(),
        _ => None,
    })
}

/// What every claim's result tells, whichever claim it is.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// The claim's number.
    pub id: u8,
    /// Its title.
    pub title: &'static str,
    /// The claim as the user stated it.
    pub statement: &'static str,
    /// Its verdict (inconclusive if it could not be decided).
    pub verdict: Verdict,
    /// Its sensitivity table (empty if it could not be decided).
    pub sensitivity: &'a [Sensitivity],
}

fn header_of<C: Claim>(outcome: &Outcome<C>) -> Header<'_> {
    let (verdict, sensitivity) = match outcome {
        Ok(d) => (d.decision.verdict, d.sensitivity.as_slice()),
        Err(_) => (Verdict::Inconclusive, &[][..]),
    };
    Header {
        id: C::ID,
        title: C::TITLE,
        statement: C::STATEMENT,
        verdict,
        sensitivity,
    }
}

impl ClaimResult {
    /// The claim's number, title, statement, verdict and sensitivity.
    pub fn header(&self) -> Header<'_> {
        match self {
            ClaimResult::Claim1(o) => header_of(o),
            ClaimResult::Claim2(o) => header_of(o),
            ClaimResult::Claim3(o) => header_of(o),
            ClaimResult::Claim4(o) => header_of(o),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A claim that holds while its evidence is below the size factor.
    #[derive(Debug, Clone)]
    struct Below;

    impl Claim for Below {
        type Evidence = f64;
        type Findings = bool;
        const ID: u8 = 9;
        const TITLE: &'static str = "below";
        const STATEMENT: &'static str = "the value is below the size factor";
        const THRESHOLDS: &'static [Threshold] = &[Threshold::SizeFactor];

        fn evidence(_: &Measured, _: &Thresholds) -> Result<f64, Missing> {
            Err(Missing("nothing"))
        }

        fn decide(value: &f64, t: &Thresholds) -> Decision<bool> {
            let below = *value < t.size_factor;
            Decision {
                verdict: if below {
                    Verdict::Holds
                } else {
                    Verdict::Fails
                },
                findings: below,
            }
        }
    }

    #[test]
    fn sensitivity_decides_at_half_and_at_twice_each_threshold() {
        // Holds below 3: at 1.5 (half) it fails for 2.0, at 6 it holds.
        let d = decided::<Below>(2.0, &Thresholds::default());
        assert_eq!(d.decision.verdict, Verdict::Holds);
        assert!(d.decision.findings);
        assert_eq!(
            d.sensitivity,
            [Sensitivity {
                threshold: Threshold::SizeFactor,
                value: 3.0,
                verdict_at_half: Verdict::Fails,
                verdict_at_twice: Verdict::Holds,
                findings_change_at_half: true,
                findings_change_at_twice: false,
            }]
        );
        let missing: Outcome<Below> = Err(Missing("nothing"));
        let header = header_of(&missing);
        assert_eq!(header.verdict, Verdict::Inconclusive);
        assert!(header.sensitivity.is_empty());
    }
}

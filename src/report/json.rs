//! `claims.json`: every claim's verdict, evidence, words and sensitivity,
//! the settled table and its fits, as one JSON document.

use serde::Serialize;

use super::math;
use super::text::{self, ClaimText};
use crate::study::Mode;
use crate::study::architecture::Architecture;
use crate::study::book_examples::BookExample;
use crate::study::claims::claim1::Claim1Evidence;
use crate::study::claims::claim2::Claim2Evidence;
use crate::study::claims::claim3::Claim3Evidence;
use crate::study::claims::claim4::Claim4Evidence;
use crate::study::claims::setups::{SetupClaims, SetupMeasures};
use crate::study::claims::{Claim, ClaimResult, Outcome, Sensitivity, Verdict};
use crate::study::equilibrium::{SettledEntry, SizeFit};
use crate::study::noise_law::NoiseLaw;
use crate::study::plan::Setup;
use crate::study::tail_average::AveragedBranch;

/// A claim's evidence as `claims.json` writes it: the claim's own fields,
/// or what was missing.
#[derive(Serialize)]
#[serde(untagged)]
enum EvidenceJson<'a> {
    Claim1(&'a Claim1Evidence),
    Claim2(&'a Claim2Evidence),
    Claim3(&'a Claim3Evidence),
    Claim4(&'a Claim4Evidence),
    Missing { missing: &'static str },
}

/// `decided`'s evidence, or what was missing.
fn evidence_of<'a, C: Claim>(
    outcome: &'a Outcome<C>,
    decided: fn(&'a C::Evidence) -> EvidenceJson<'a>,
) -> EvidenceJson<'a> {
    match outcome {
        Ok(d) => decided(&d.evidence),
        Err(m) => EvidenceJson::Missing { missing: m.0 },
    }
}

/// A claim's evidence, whichever claim it is.
fn evidence_json(claim: &ClaimResult) -> EvidenceJson<'_> {
    match claim {
        ClaimResult::Claim1(o) => evidence_of(o, EvidenceJson::Claim1),
        ClaimResult::Claim2(o) => evidence_of(o, EvidenceJson::Claim2),
        ClaimResult::Claim3(o) => evidence_of(o, EvidenceJson::Claim3),
        ClaimResult::Claim4(o) => evidence_of(o, EvidenceJson::Claim4),
    }
}

/// One claim in `claims.json`; its words with their formulas as plain
/// text (`math::plain`).
#[derive(Serialize)]
struct ClaimJson<'a> {
    id: u8,
    title: String,
    statement: String,
    verdict: Verdict,
    about: String,
    evidence: EvidenceJson<'a>,
    answer: String,
    explanation: String,
    /// The rule that decides the verdict, its thresholds in words.
    rule: String,
    /// More numbers around the verdict (claim 1), written only where there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<String>,
    /// Its paragraphs, separated by a blank line.
    going_on: Option<String>,
    caveats: Vec<String>,
    sensitivity: &'a [Sensitivity],
}

fn claim_json(claim: &ClaimResult) -> ClaimJson<'_> {
    let header = claim.header();
    let ClaimText {
        about,
        answer,
        explanation,
        rule,
        details,
        going_on,
        caveats,
    } = text::of(claim);
    ClaimJson {
        id: header.id,
        title: math::plain(header.title),
        statement: math::plain(header.statement),
        verdict: header.verdict,
        about: math::plain(&about),
        evidence: evidence_json(claim),
        answer: math::plain(&answer),
        explanation: math::plain(&explanation),
        rule: math::plain(&rule),
        details: details.as_deref().map(math::plain),
        going_on: (!going_on.is_empty()).then(|| math::plain(&going_on.join("\n\n"))),
        caveats: caveats.iter().map(|c| math::plain(c)).collect(),
        sensitivity: header.sensitivity,
    }
}

/// `claims.json`'s document.
#[derive(Serialize)]
pub struct ClaimsFile<'a> {
    /// The claims decided, each with its words.
    #[serde(serialize_with = "claims_with_words")]
    pub claims: &'a [ClaimResult],
    /// Every run's settled state per layer and for all weights.
    pub settled: &'a [SettledEntry],
    /// Power laws of the settled sizes.
    pub fits: &'a [SizeFit],
    /// The branches' settled |w_l|^2 against eta/m and its line, beside the
    /// L2 optimum's, per layer and lambda (none in quick mode).
    pub noise_law: &'a [NoiseLaw],
    /// The all-weights rms against n_w as form and prefactor (null if claim
    /// 3 was not decided).
    pub architecture: Option<&'a Architecture>,
    /// The first seed's branches: the last network and the tail average of
    /// each, beside the L2 optimum (none in quick mode).
    pub tail_average: &'a [AveragedBranch],
    /// The book's own weight-initialization runs, measured (`--book`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub book_examples: &'a [BookExample],
    /// The claims on each setup beyond the book's: its definition, key
    /// numbers, and each claim's verdict, evidence and sensitivity (no
    /// words: the claims' words are network2's setup's).
    #[serde(serialize_with = "setups_json")]
    pub beyond_the_book: &'a [SetupClaims],
    /// Quick or full.
    pub mode: Mode,
    /// The seeds of the study.
    pub seeds: &'a [u64],
    /// The runs' names, in plan order.
    pub runs: Vec<&'a str>,
    /// Wall time of the invocation.
    pub seconds: f64,
    /// Trainings run side by side.
    pub jobs: usize,
}

/// One claim of a setup beyond the book's.
#[derive(Serialize)]
struct SetupClaimJson<'a> {
    id: u8,
    verdict: Verdict,
    evidence: EvidenceJson<'a>,
    sensitivity: &'a [Sensitivity],
}

/// One setup beyond the book's in `claims.json`.
#[derive(Serialize)]
struct SetupJson<'a> {
    setup: &'a Setup,
    measured: &'a SetupMeasures,
    claims: Vec<SetupClaimJson<'a>>,
}

fn setups_json<S: serde::Serializer>(
    setups: &&[SetupClaims],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(setups.iter().map(|s| {
        SetupJson {
            setup: &s.setup,
            measured: &s.measured,
            claims: s
                .claims
                .iter()
                .map(|claim| {
                    let header = claim.header();
                    SetupClaimJson {
                        id: header.id,
                        verdict: header.verdict,
                        evidence: evidence_json(claim),
                        sensitivity: header.sensitivity,
                    }
                })
                .collect(),
        }
    }))
}

fn claims_with_words<S: serde::Serializer>(
    claims: &&[ClaimResult],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(claims.iter().map(claim_json))
}

/// `claims.json`'s text.
pub fn render(file: &ClaimsFile) -> String {
    // Only maps with string keys and finite or null numbers: serializing
    // cannot fail.
    serde_json::to_string_pretty(file).expect("claims.json serializes") + "\n"
}

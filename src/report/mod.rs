//! The report: a document of blocks (headings, paragraphs, tables, figures)
//! built once from the study's typed results (`build`), then written by one
//! exporter per format (`export`): HTML (self-contained, figures inline),
//! Markdown (figures as SVG files beside it), `claims.json` and `runs.csv`.
//!
//! Text in blocks may hold links written as in Markdown, `[text](#anchor)`
//! or `[text](https://...)`; each exporter renders them its own way.

use crate::study::Results;
use crate::study::book_examples::BookExample;
use crate::study::claims::ClaimResult;
use crate::study::claims::setups::SetupClaims;
use crate::study::comments::Comments;
use crate::study::equilibrium::SettledEntry;

pub mod axes;
pub mod beyond;
pub mod book;
pub mod book_examples;
pub mod build;
pub mod cells;
pub mod evidence;
pub mod export;
pub mod figures;
pub mod glossary;
pub mod html;
pub mod json;
pub mod markdown;
pub mod math;
pub mod plots;
pub mod text;

/// Per-epoch accuracies of reference curves (e.g. from network2 scripts).
pub type Reference = Vec<(String, Vec<f64>)>;

/// The book's chapter 3, where the question comes from.
pub const CHAPTER_3: &str = "http://neuralnetworksanddeeplearning.com/chap3.html";

/// What the report is built from.
pub struct Inputs<'a> {
    pub results: &'a Results,
    pub claims: &'a [ClaimResult],
    pub settled: &'a [SettledEntry],
    pub reference: &'a Reference,
    /// The question's comments, measured.
    pub comments: &'a Comments,
    /// The book's own examples, measured (empty without `--book`).
    pub book_examples: &'a [BookExample],
    /// The claims on each setup beyond the book's.
    pub setups: &'a [SetupClaims],
    pub seconds: f64,
    pub jobs: usize,
}

/// A figure: `name` is its file name without extension, `svg` its drawing.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub svg: String,
    pub caption: String,
}

/// One claim's answer at the top of the report.
#[derive(Debug, Clone)]
pub struct Answer {
    pub anchor: String,
    pub title: String,
    /// "holds", "partly", "fails" or "inconclusive".
    pub verdict: String,
    pub text: String,
}

/// One piece of the report.
#[derive(Debug, Clone)]
pub enum Block {
    /// A heading; `anchor` is its stable id (`#claim-1`, `#runs`, ...).
    Heading {
        level: u8,
        text: String,
        anchor: Option<String>,
    },
    Paragraph(String),
    /// What a reader must see before anything else (a quick study's
    /// limits), set apart at the top.
    Notice(String),
    /// A paragraph shown as a verdict: "holds", "partly", "fails",
    /// "inconclusive", with the rule that decides it (empty: none shown).
    Verdict {
        verdict: String,
        text: String,
        rule: String,
    },
    /// The claims' answers, each linking to its section.
    Answers(Vec<Answer>),
    /// A table of contents of the headings with anchors at `level` 1.
    Contents,
    List(Vec<String>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Figures shown side by side on a wide screen, one above the other on
    /// a narrow one.
    Figures(Vec<Figure>),
    /// Terms and their definitions, each with the anchor `glossary-TERM`.
    Glossary(Vec<glossary::Term>),
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading {
            level,
            text: text.into(),
            anchor: None,
        });
    }

    /// A heading with a stable anchor.
    pub fn section(&mut self, anchor: &str, text: impl Into<String>) {
        self.blocks.push(Block::Heading {
            level: 1,
            text: text.into(),
            anchor: Some(anchor.into()),
        });
    }

    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(text.into()));
    }

    pub fn list(&mut self, items: Vec<String>) {
        self.blocks.push(Block::List(items));
    }

    pub fn table(&mut self, header: &[&str], rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
        });
    }

    pub fn figure(&mut self, name: &str, svg: String, caption: impl Into<String>) {
        self.figures(vec![Figure {
            name: name.to_string(),
            svg,
            caption: caption.into(),
        }]);
    }

    pub fn figures(&mut self, figures: Vec<Figure>) {
        self.blocks.push(Block::Figures(figures));
    }

    /// The sections with anchors, in order: (anchor, heading).
    pub fn contents(&self) -> Vec<(&str, &str)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading {
                    level: 1,
                    text,
                    anchor: Some(anchor),
                } => Some((anchor.as_str(), text.as_str())),
                _ => None,
            })
            .collect()
    }
}

/// A piece of text with links: plain runs and (text, target) links.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline<'a> {
    Text(&'a str),
    Link(&'a str, &'a str),
}

/// Split `text` at its `[text](target)` links.
pub fn inlines(text: &str) -> Vec<Inline<'_>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let link = rest[open..].find("](").and_then(|close| {
            let target_start = open + close + 2;
            let end = rest[target_start..].find(')')? + target_start;
            let (label, target) = (&rest[open + 1..open + close], &rest[target_start..end]);
            let is_target = target.starts_with('#') || target.starts_with("http");
            (is_target && !label.contains('[')).then_some((label, target, end))
        });
        match link {
            Some((label, target, end)) => {
                if open > 0 {
                    parts.push(Inline::Text(&rest[..open]));
                }
                parts.push(Inline::Link(label, target));
                rest = &rest[end + 1..];
            }
            None => {
                parts.push(Inline::Text(&rest[..=open]));
                rest = &rest[open + 1..];
            }
        }
    }
    if !rest.is_empty() {
        parts.push(Inline::Text(rest));
    }
    parts
}

#[cfg(test)]
mod tests;

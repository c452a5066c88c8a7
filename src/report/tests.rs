//! Exact-output tests: each format's rendering of one small document of
//! every kind of block, and the Markdown of a small synthetic study's
//! report, pinned as insta snapshots in `src/report/snapshots/`. When the
//! output changes on purpose, rewrite them with
//!
//!     INSTA_UPDATE=always cargo test --release --lib report::
//!
//! (or `cargo insta review`) and read the diff before committing it.

use std::path::Path;

use super::Inputs;
use super::build::document;
use super::{Block, Document, Inline, html, inlines, markdown};
use crate::metrics::synthetic::synthetic_run;
use crate::net::Init;
use crate::study::claims::setups::decide_setups;
use crate::study::claims::{Measured, Thresholds, claim1, decide_all};
use crate::study::comments;
use crate::study::results::of_plan;
use crate::study::{Mode, Plan, Results, equilibrium};

/// The quick plan's runs with made-up records: the rms falls from 1 to a
/// size that shrinks with n_in, f rises from 0 to 1, accuracy from 90%.
fn synthetic_study() -> Results {
    let plan = Plan::new(Mode::Quick, 1, 1).expect("a plan");
    of_plan(plan, |spec| {
        let n_in = spec.config.sizes[0] as f64;
        let settled = 0.2 * (784.0 / n_in).powf(0.6) / (spec.config.lambda / 5.0).powf(0.3);
        let epochs = 16;
        let rms: Vec<f64> = (0..=epochs)
            .map(|e| settled + (1.0 - settled) * (-0.4 * e as f64).exp())
            .collect();
        let f: Vec<f64> = (0..=epochs)
            .map(|e| 1.0 - (-0.05 * (e * e) as f64).exp())
            .collect();
        let accuracy: Vec<f64> = (0..=epochs)
            .map(|e| 0.96 - 0.06 * (-0.5 * e as f64).exp())
            .collect();
        synthetic_run(&rms, &f, &accuracy, 0.95)
    })
}

fn synthetic_document() -> Document {
    let results = synthetic_study();
    let settled = results.settled();
    let fits = equilibrium::size_fits(&results.runs, &settled);
    let noise_laws = results.noise_laws();
    let measured = Measured {
        results: &results,
        settled: &settled,
        fits: &fits,
        noise_laws: &noise_laws,
    };
    let claims = decide_all(&measured, &Thresholds::default());
    let setups = decide_setups(&results, &Thresholds::default());
    let large = results.base(Init::Large, true);
    let comments = comments::of(claim1(&claims).map(|d| &d.evidence), large.first().copied());
    document(&Inputs {
        results: &results,
        claims: &claims,
        comments: &comments,
        settled: &settled,
        reference: &Vec::new(),
        book_examples: &[],
        setups: &setups,
        seconds: 12.0,
        jobs: 2,
    })
}

/// One block of every kind, with text that needs escaping and links.
fn small_document() -> Document {
    let mut doc = Document {
        title: "A <small> report".into(),
        blocks: Vec::new(),
    };
    doc.paragraph("An introduction with a [link](#claim-1) & a [page](https://example.org).");
    doc.blocks.push(Block::Answers(vec![super::Answer {
        anchor: "claim-1".into(),
        title: "1. A claim".into(),
        verdict: "holds".into(),
        text: "It holds: f_1 = 0.05 < 0.1.".into(),
    }]));
    doc.blocks.push(Block::Contents);
    doc.section("claim-1", "Claim 1: a claim");
    doc.heading(2, "A subsection");
    doc.blocks.push(Block::Verdict {
        verdict: "partly".into(),
        text: "Partly, see the [glossary](#glossary-term).".into(),
        rule: "Holds if $|f| < 0.1$.".into(),
    });
    doc.list(vec!["first | item".into(), "second".into()]);
    doc.table(
        &["name", "value"],
        vec![
            vec!["a|b".into(), "1".into()],
            vec!["c".into(), "2.5".into()],
            vec!["$|w|^2$ | size".into(), "$exp(-eta*lambda/m)$".into()],
        ],
    );
    doc.figures(vec![super::Figure {
        name: "tiny".into(),
        svg: TINY_SVG.into(),
        caption: "A tiny figure.".into(),
    }]);
    doc.section("glossary", "Glossary");
    doc.blocks.push(Block::Glossary(vec![super::glossary::Term {
        term: "term".into(),
        forms: vec!["term"],
        slug: "term",
        definition: "What a term means.".into(),
    }]));
    doc
}

const TINY_SVG: &str = "<svg width=\"2\" height=\"2\"></svg>";

#[test]
fn the_markdown_of_every_block() {
    let (text, figures) = markdown::render(&small_document());
    insta::assert_snapshot!("small_document_md", text);
    assert_eq!(figures, [("tiny.svg".to_string(), TINY_SVG.to_string())]);
}

#[test]
fn the_html_of_every_block() {
    insta::assert_snapshot!("small_document_html", html::render(&small_document()));
}

#[test]
fn the_markdown_report_of_a_synthetic_study() {
    let (text, figures) = markdown::render(&synthetic_document());
    insta::assert_snapshot!("synthetic_report_md", text);
    assert!(figures.iter().any(|(name, _)| name == "accuracy.svg"));
}

#[test]
fn the_html_report_holds_every_section_and_figure() {
    let doc = synthetic_document();
    let html = html::render(&doc);
    for (anchor, _) in doc.contents() {
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
    }
    let figures: usize = doc
        .blocks
        .iter()
        .map(|b| match b {
            Block::Figures(f) => f.len(),
            _ => 0,
        })
        .sum();
    assert!(figures > 5, "{figures} figures");
    assert_eq!(html.matches("<figure").count(), figures);
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
}

/// A cell reads as JSON if it holds an object, a quoted key or a list
/// in brackets (outside its links).
fn looks_like_json(cell: &str) -> bool {
    super::inlines(cell).iter().any(|part| match part {
        super::Inline::Text(text) => {
            text.contains('{') || text.contains("\":") || (text.contains('[') && text.contains(']'))
        }
        super::Inline::Link(..) => false,
    })
}

#[test]
fn no_table_cell_holds_json() {
    let doc = synthetic_document();
    let mut cells = 0;
    for block in &doc.blocks {
        if let Block::Table { header, rows } = block {
            for cell in header.iter().chain(rows.iter().flatten()) {
                assert!(!looks_like_json(cell), "a cell holds JSON: {cell}");
                cells += 1;
            }
        }
    }
    assert!(cells > 100, "{cells} cells");
    assert!(looks_like_json("[[15], [0]]") && looks_like_json("{\"a\": 1}"));
    assert!(!looks_like_json("3, 4, 5") && !looks_like_json("width^-0.40 (-0.43 to -0.37)"));
    assert!(!looks_like_json("[adam](#beyond-adam)"));
}

#[test]
fn the_answers_come_first_and_link_to_every_claim() {
    let doc = synthetic_document();
    // A quick study says so first, then the introduction.
    assert!(matches!(doc.blocks.first(), Some(Block::Notice(n)) if n.starts_with("Quick mode")));
    let Some(Block::Answers(answers)) = doc.blocks.get(2) else {
        panic!("the answers are not right under the introduction");
    };
    let anchors: Vec<&str> = answers.iter().map(|a| a.anchor.as_str()).collect();
    assert_eq!(anchors, ["claim-1", "claim-2", "claim-3", "claim-4"]);
    let contents: Vec<&str> = doc.contents().iter().map(|c| c.0).collect();
    for anchor in anchors.iter().chain(&["glossary", "runs"]) {
        assert!(contents.contains(anchor), "{anchor}");
    }
    // Every glossary link points at an entry.
    let html = html::render(&doc);
    for part in html.split("href=\"#glossary-").skip(1) {
        let slug = part.split('"').next().unwrap();
        assert!(html.contains(&format!("id=\"glossary-{slug}\"")), "{slug}");
    }
}

#[test]
fn links_are_split_out_of_text() {
    assert_eq!(
        inlines("see [claim 1](#claim-1), sizes [784, 30] and [x](y)"),
        [
            Inline::Text("see "),
            Inline::Link("claim 1", "#claim-1"),
            Inline::Text(", sizes ["),
            Inline::Text("784, 30] and ["),
            Inline::Text("x](y)"),
        ]
    );
}

#[test]
fn the_readme_names_every_glossary_term() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    for term in super::glossary::terms() {
        // The README writes formulas as they are typed, without `$`.
        let shown = format!("**{}**", term.term.replace('$', "").replace('*', "\\*"));
        assert!(readme.contains(&shown), "README lacks {shown}");
    }
}

/// Every metrics field of a record, and of its dynamics, is in the README.
#[test]
fn the_readme_documents_every_field() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("README.md");
    let record = synthetic_run(&[1.0, 0.9], &[0.0, 0.1], &[0.9, 0.9], 0.95);
    let value = serde_json::to_value(&record[1]).unwrap();
    let dynamics = value["dynamics"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| format!("dynamics.{k}"));
    for key in value.as_object().unwrap().keys().cloned().chain(dynamics) {
        if key == "dynamics" {
            continue;
        }
        assert!(readme.contains(&format!("`{key}")), "README lacks `{key}`");
    }
}

/// `html` with every element that opens with one of `elements`' first
/// strings and closes with its second left out (a space in its place).
fn without(html: &str, elements: &[(&str, &str)]) -> String {
    let mut text = html.to_string();
    for (open, close) in elements {
        while let Some(i) = text.find(open) {
            let Some(j) = text[i..].find(close) else {
                break;
            };
            text.replace_range(i..i + j + close.len(), " ");
        }
    }
    text
}

/// Formulas in the HTML's running text are set as math: outside the math
/// spans, the figures and code, no ASCII formula is left (`eta*lambda`,
/// `->`, `grad C`, `sqrt(`, `^2`, `lambda/n`, `eta/m`).
#[test]
fn no_ascii_formula_is_left_in_running_text() {
    let html = html::render(&synthetic_document());
    let text = without(
        &html,
        &[
            ("<svg", "</svg>"),
            ("<math", "</math>"),
            ("<code>", "</code>"),
            ("<style>", "</style>"),
        ],
    );
    let found: Vec<String> = [
        "eta*lambda",
        "-&gt;",
        "grad C",
        "sqrt(",
        "^2",
        "lambda/n",
        "eta/m",
    ]
    .iter()
    .filter_map(|pattern| {
        let i = text.find(pattern)?;
        let (from, to) = (i.saturating_sub(60), (i + 40).min(text.len()));
        let from = (0..=from)
            .rev()
            .find(|&k| text.is_char_boundary(k))
            .unwrap_or(0);
        let to = (to..=text.len())
            .find(|&k| text.is_char_boundary(k))
            .unwrap_or(text.len());
        Some(format!("{pattern}: ...{}...", &text[from..to]))
    })
    .collect();
    assert!(found.is_empty(), "{found:#?}");
}

/// Every formula of the HTML is MathML, which browsers set as mathematics:
/// no formula is left as `$...$` or as the HTML-text form.
#[test]
fn every_formula_in_the_html_is_mathml() {
    let html = html::render(&synthetic_document());
    assert!(html.matches("<math alttext=").count() >= 3, "few formulas");
    assert_eq!(
        html.matches("<math").count(),
        html.matches("</math>").count()
    );
    assert!(!html.contains("<span class=\"math\">"));
    let text = without(
        &html,
        &[
            ("<svg", "</svg>"),
            ("<math", "</math>"),
            ("<style>", "</style>"),
        ],
    );
    assert!(!text.contains('$'), "a formula left as $...$");
}

/// The report names every threshold in words: no code name (the enum's,
/// or claims.json's SCREAMING one) is in the HTML or the Markdown, and the
/// sensitivity tables' words are.
#[test]
fn no_threshold_is_named_by_its_code_name() {
    use crate::study::claims::Threshold;
    let doc = synthetic_document();
    let html = html::render(&doc);
    let (markdown, _) = markdown::render(&doc);
    let mut worded = 0;
    for threshold in Threshold::ALL {
        let names = [
            format!("{threshold:?}"),
            serde_json::to_string(&threshold)
                .unwrap()
                .trim_matches('"')
                .to_string(),
        ];
        for (format, text) in [("HTML", &html), ("Markdown", &markdown)] {
            for name in &names {
                assert!(!text.contains(name.as_str()), "{format} names {name}");
            }
        }
        let words = super::text::threshold_words(threshold).replace('|', "&#124;");
        if markdown.contains(&words) {
            worded += 1;
        }
    }
    assert!(worded >= 3, "only {worded} thresholds in words");
}

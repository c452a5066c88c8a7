//! The report as Markdown (GitHub's dialect), its figures as SVG files in
//! `plots/` beside it. Anchors are explicit `<a id>`s, so links hold
//! whatever the heading says.

use super::math::{self, Part};
use super::{Block, Document, Figure};

/// Text for a table cell: `|` outside formulas as an HTML entity (which
/// neither ends the cell nor shows a backslash), line breaks as spaces.
/// Its formulas are left as they are, for the one pass over the whole
/// text that sets every formula as LaTeX (whose `\vert` is no `|`).
fn cell(text: &str) -> String {
    math::parts(text)
        .into_iter()
        .map(|part| match part {
            Part::Prose(p) => p.replace('|', "&#124;"),
            Part::Formula(f) => format!("${f}$"),
        })
        .collect::<String>()
        .replace('\n', " ")
}

/// `report.md`'s text, and the figures it links to as (file name, SVG).
pub fn render(doc: &Document) -> (String, Vec<(String, String)>) {
    let mut text = format!("# {}\n\n", doc.title);
    let mut figures = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Heading {
                level,
                text: t,
                anchor,
            } => {
                if let Some(anchor) = anchor {
                    text.push_str(&format!("<a id=\"{anchor}\"></a>\n\n"));
                }
                text.push_str(&format!("{} {t}\n\n", "#".repeat(*level as usize + 1)));
            }
            Block::Paragraph(p) => text.push_str(&format!("{p}\n\n")),
            Block::Notice(p) => text.push_str(&format!("> **Note.** {p}\n\n")),
            Block::Verdict {
                verdict,
                text: t,
                rule,
            } => {
                text.push_str(&format!("**Verdict: {verdict}.** {t}\n\n"));
                if !rule.is_empty() {
                    text.push_str(&format!("*The rule:* {rule}\n\n"));
                }
            }
            Block::Answers(answers) => {
                for a in answers {
                    text.push_str(&format!(
                        "- **[{}](#{}): {}.** {}\n",
                        a.title,
                        a.anchor,
                        a.verdict.to_uppercase(),
                        a.text
                    ));
                }
                text.push('\n');
            }
            Block::Contents => {
                text.push_str("## Contents\n\n");
                for (anchor, heading) in doc.contents() {
                    text.push_str(&format!("- [{heading}](#{anchor})\n"));
                }
                text.push('\n');
            }
            Block::List(items) => {
                for item in items {
                    text.push_str(&format!("- {item}\n"));
                }
                text.push('\n');
            }
            Block::Table { header, rows } => {
                let line = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                text.push_str(&line(header));
                text.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
                for row in rows {
                    text.push_str(&line(row));
                }
                text.push('\n');
            }
            Block::Figures(row) => {
                for Figure { name, svg, caption } in row {
                    figures.push((format!("{name}.svg"), svg.clone()));
                    text.push_str(&format!(
                        "![{}](plots/{name}.svg)\n\n*{caption}*\n\n",
                        math::plain(caption).replace(['[', ']'], "")
                    ));
                }
            }
            Block::Glossary(terms) => {
                for t in terms {
                    text.push_str(&format!(
                        "- <a id=\"{}\"></a>**{}**: {}\n",
                        t.anchor(),
                        t.term,
                        t.definition
                    ));
                }
                text.push('\n');
            }
        }
    }
    (with_formulas(&text), figures)
}

/// `text` with its `$formulas$` as LaTeX between `$`s (which GitHub's
/// Markdown sets as mathematics), the rest as it is.
fn with_formulas(text: &str) -> String {
    math::parts(text)
        .into_iter()
        .map(|part| match part {
            Part::Prose(p) => p.to_string(),
            Part::Formula(f) => math::to_latex(f),
        })
        .collect()
}

//! The report as one self-contained HTML page: styles and figures inline,
//! no script, no request to any network; one column on a phone, plots at
//! a readable size on a projector, and printable.

use super::math::{self, Part};
use super::{Block, Document, Inline, inlines};

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; line-height: 1.5;
       max-width: 60rem; margin: 0 auto; padding: 1rem; color: #222; overflow-wrap: break-word; }
h1, h2, h3 { line-height: 1.2; }
a { color: #1a5fa8; }
table { border-collapse: collapse; display: block; overflow-x: auto; max-width: 100%; margin: 1rem 0;
        /* A table wider than the screen scrolls; a shadow at the edge it
           scrolls towards says so (the white covers follow the content, the
           shadows stay at the edges). */
        background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)),
                    linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) 100% 0,
                    radial-gradient(farthest-side at 0 50%, rgba(0,0,0,0.25), rgba(0,0,0,0)),
                    radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,0.25), rgba(0,0,0,0)) 100% 0;
        background-repeat: no-repeat; background-size: 2.5rem 100%, 2.5rem 100%, 0.9rem 100%, 0.9rem 100%;
        background-attachment: local, local, scroll, scroll; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top;
         font-variant-numeric: tabular-nums; }
th { background: #f2f2f2; }
/* The first column stays in view while a wide table scrolls. */
tr > :first-child { position: sticky; left: 0; background: #fff; }
tr > th:first-child { background: #f2f2f2; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 1rem 0; flex: 1 1 22rem; max-width: 45rem; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.9rem; color: #444; }
.verdict, .answer { padding: 0.6rem 1rem; border-left: 0.4rem solid #777; background: #f7f7f7; margin: 0.75rem 0; }
.answer p, .verdict p { margin: 0.25rem 0; }
.verdict p.rule { margin-top: 0.5rem; font-size: 0.92rem; color: #333; }
math { font-size: 1.1em; }
.notice { padding: 0.6rem 1rem; border: 2px solid #b07800; background: #fff6dc; margin: 0.75rem 0; }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 0.3rem; color: #fff; background: #777;
         font-weight: bold; text-transform: uppercase; font-size: 0.85rem; }
.holds { border-color: #2a7d2a; } .partly { border-color: #b07800; }
.fails { border-color: #b22222; } .inconclusive { border-color: #777; }
.badge.holds { background: #2a7d2a; } .badge.partly { background: #b07800; }
.badge.fails { background: #b22222; } .badge.inconclusive { background: #666; }
nav ul { padding-left: 1.2rem; }
dt { font-weight: bold; margin-top: 0.5rem; }
dd { margin-left: 1rem; }
@media print { body { max-width: none; } a { color: inherit; } }
";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text with its `[text](target)` links as anchors and its `$formulas$`
/// as mathematics, the rest escaped.
fn rich(text: &str) -> String {
    inlines(text)
        .into_iter()
        .map(|part| match part {
            Inline::Text(t) => math::parts(t)
                .into_iter()
                .map(|part| match part {
                    Part::Prose(p) => escape(p),
                    Part::Formula(f) => math::to_html(f),
                })
                .collect(),
            Inline::Link(label, target) => {
                format!("<a href=\"{}\">{}</a>", escape(target), escape(label))
            }
        })
        .collect()
}

fn badge(verdict: &str) -> String {
    format!("<span class=\"badge {verdict}\">{verdict}</span>")
}

/// The page, as text.
pub fn render(doc: &Document) -> String {
    let mut body = format!("<h1>{}</h1>\n", rich(&doc.title));
    for block in &doc.blocks {
        body.push_str(&render_block(doc, block));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(&math::plain(&doc.title))
    )
}

fn render_block(doc: &Document, block: &Block) -> String {
    match block {
        Block::Heading {
            level,
            text,
            anchor,
        } => {
            let level = level + 1;
            let id = anchor
                .as_ref()
                .map_or(String::new(), |a| format!(" id=\"{}\"", escape(a)));
            format!("<h{level}{id}>{}</h{level}>\n", rich(text))
        }
        Block::Paragraph(p) => format!("<p>{}</p>\n", rich(p)),
        Block::Notice(p) => format!("<p class=\"notice\">{}</p>\n", rich(p)),
        Block::Verdict {
            verdict,
            text,
            rule,
        } => format!(
            "<div class=\"verdict {verdict}\"><p>{} {}</p>{}</div>\n",
            badge(verdict),
            rich(text),
            if rule.is_empty() {
                String::new()
            } else {
                format!("<p class=\"rule\"><b>The rule:</b> {}</p>", rich(rule))
            }
        ),
        Block::Answers(answers) => answers
            .iter()
            .map(|a| {
                format!(
                    "<div class=\"answer {}\"><p><a href=\"#{}\"><b>{}</b></a> {}</p><p>{}</p></div>\n",
                    a.verdict,
                    escape(&a.anchor),
                    rich(&a.title),
                    badge(&a.verdict),
                    rich(&a.text)
                )
            })
            .collect(),
        Block::Contents => {
            let items: String = doc
                .contents()
                .iter()
                .map(|(anchor, text)| {
                    format!("<li><a href=\"#{}\">{}</a></li>\n", escape(anchor), rich(text))
                })
                .collect();
            format!("<nav>\n<h2>Contents</h2>\n<ul>\n{items}</ul>\n</nav>\n")
        }
        Block::List(items) => {
            let items: String = items
                .iter()
                .map(|i| format!("<li>{}</li>\n", rich(i)))
                .collect();
            format!("<ul>\n{items}</ul>\n")
        }
        Block::Table { header, rows } => {
            let mut table = String::from("<table>\n<tr>");
            for h in header {
                table.push_str(&format!("<th>{}</th>", rich(h)));
            }
            table.push_str("</tr>\n");
            for row in rows {
                table.push_str("<tr>");
                for cell in row {
                    table.push_str(&format!("<td>{}</td>", rich(cell)));
                }
                table.push_str("</tr>\n");
            }
            table.push_str("</table>\n");
            table
        }
        Block::Figures(figures) => {
            let inner: String = figures
                .iter()
                .map(|f| {
                    format!(
                        "<figure id=\"figure-{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                        escape(&f.name),
                        f.svg,
                        rich(&f.caption)
                    )
                })
                .collect();
            format!("<div class=\"figures\">\n{inner}</div>\n")
        }
        Block::Glossary(terms) => {
            let entries: String = terms
                .iter()
                .map(|t| {
                    format!(
                        "<dt id=\"{}\">{}</dt><dd>{}</dd>\n",
                        escape(&t.anchor()),
                        rich(&t.term),
                        rich(&t.definition)
                    )
                })
                .collect();
            format!("<dl>\n{entries}</dl>\n")
        }
    }
}

//! The report as one self-contained HTML file: styles and figures inline,
//! no request to any network, readable on a phone and when printed.

use std::path::Path;

use super::{Block, Document};
use crate::error::Result;
use crate::output::write_atomic;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; line-height: 1.5;
       max-width: 60rem; margin: 0 auto; padding: 1rem; color: #222; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; display: block; overflow-x: auto; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #f2f2f2; }
figure { margin: 1.5rem 0; break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #555; }
.verdict { padding: 0.75rem 1rem; border-left: 0.4rem solid #888; background: #f7f7f7; }
.verdict b { text-transform: uppercase; }
.holds { border-color: #2a7d2a; } .partly { border-color: #c98a00; }
.fails { border-color: #b22222; } .inconclusive { border-color: #777; }
@media print { body { max-width: none; } a { color: inherit; } }
";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Write `report.html` into `dir`.
pub fn write(doc: &Document, dir: &Path) -> Result<()> {
    let mut body = format!("<h1>{}</h1>\n", escape(&doc.title));
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let level = level + 1;
                body.push_str(&format!("<h{level}>{}</h{level}>\n", escape(text)));
            }
            Block::Paragraph(p) => body.push_str(&format!("<p>{}</p>\n", escape(p))),
            Block::Verdict { verdict, text } => body.push_str(&format!(
                "<p class=\"verdict {verdict}\"><b>Verdict: {verdict}.</b> {}</p>\n",
                escape(text)
            )),
            Block::List(items) => {
                body.push_str("<ul>\n");
                for item in items {
                    body.push_str(&format!("<li>{}</li>\n", escape(item)));
                }
                body.push_str("</ul>\n");
            }
            Block::Table { header, rows } => {
                body.push_str("<table>\n<tr>");
                for h in header {
                    body.push_str(&format!("<th>{}</th>", escape(h)));
                }
                body.push_str("</tr>\n");
                for row in rows {
                    body.push_str("<tr>");
                    for cell in row {
                        body.push_str(&format!("<td>{}</td>", escape(cell)));
                    }
                    body.push_str("</tr>\n");
                }
                body.push_str("</table>\n");
            }
            Block::Figure { svg, caption, .. } => {
                body.push_str(&format!(
                    "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
                    escape(caption)
                ));
            }
        }
    }
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(&doc.title)
    );
    write_atomic(&dir.join("report.html"), page.as_bytes())
}

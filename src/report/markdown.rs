//! The report as Markdown, its figures as SVG files in `plots/` beside it.

use std::path::Path;

use super::{Block, Document};
use crate::error::Result;
use crate::output::write_atomic;

/// Write `report.md` and `plots/*.svg` into `dir`.
pub fn write(doc: &Document, dir: &Path) -> Result<()> {
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|cause| crate::Error::Write {
        path: plots.clone(),
        cause,
    })?;
    let mut text = format!("# {}\n\n", doc.title);
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text: t } => {
                text.push_str(&format!("{} {t}\n\n", "#".repeat(*level as usize)));
            }
            Block::Paragraph(p) => text.push_str(&format!("{p}\n\n")),
            Block::Verdict { verdict, text: t } => {
                text.push_str(&format!("**Verdict: {verdict}.** {t}\n\n"));
            }
            Block::List(items) => {
                for item in items {
                    text.push_str(&format!("- {item}\n"));
                }
                text.push('\n');
            }
            Block::Table { header, rows } => {
                let line = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                text.push_str(&line(header));
                text.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
                for row in rows {
                    text.push_str(&line(row));
                }
                text.push('\n');
            }
            Block::Figure { name, svg, caption } => {
                write_atomic(&plots.join(format!("{name}.svg")), svg.as_bytes())?;
                text.push_str(&format!(
                    "![{caption}](plots/{name}.svg)\n\n*{caption}*\n\n"
                ));
            }
        }
    }
    write_atomic(&dir.join("report.md"), text.as_bytes())
}

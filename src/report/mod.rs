//! The report: a document of blocks (headings, paragraphs, tables, figures)
//! built once from the study's results, then written by one exporter per
//! format: `markdown` (figures as SVG files beside it) and `html`
//! (self-contained, figures inline).

pub mod book;
pub mod build;
pub mod figures;
pub mod html;
pub mod markdown;
pub mod plots;

/// One piece of the report.
#[derive(Debug, Clone)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    /// A paragraph shown as a verdict: "holds", "partly", "fails", "inconclusive".
    Verdict {
        verdict: String,
        text: String,
    },
    List(Vec<String>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A figure: `name` is its file name without extension, `svg` its drawing.
    Figure {
        name: String,
        svg: String,
        caption: String,
    },
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
        self.blocks.push(Block::Figure {
            name: name.to_string(),
            svg,
            caption: caption.into(),
        });
    }
}

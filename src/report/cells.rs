//! Table cells: numbers as the report's tables print them.

use super::{Block, Document};

/// A number to four significant digits, or "-".
pub fn sig(value: Option<f64>) -> String {
    match value {
        Some(0.0) => "0".into(),
        Some(v) if v.is_finite() && (v.abs() >= 1e5 || v.abs() < 1e-3) => format!("{v:.3e}"),
        Some(v) if v.is_finite() => {
            let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
            format!("{v:.decimals$}")
        }
        _ => "-".into(),
    }
}

/// A fraction as a percentage to one decimal, or "-".
pub fn percent(value: Option<f64>) -> String {
    value.map_or("-".into(), |v| format!("{:.1}%", 100.0 * v))
}

/// A table with `header`.
pub fn table_of(doc: &mut Document, header: Vec<String>, rows: Vec<Vec<String>>) {
    doc.blocks.push(Block::Table { header, rows });
}

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

/// A number in the shorter of its plain and its scientific forms: 0.5,
/// 1e-6.
pub fn short(value: f64) -> String {
    let (plain, scientific) = (format!("{value}"), format!("{value:e}"));
    if scientific.len() < plain.len() {
        scientific
    } else {
        plain
    }
}

/// A fraction as a whole percentage: 0.01 is "1%".
pub fn percent_whole(value: f64) -> String {
    format!("{:.0}%", 100.0 * value)
}

/// A table with `header`.
pub fn table_of(doc: &mut Document, header: Vec<String>, rows: Vec<Vec<String>>) {
    doc.blocks.push(Block::Table { header, rows });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_their_shorter_form() {
        assert_eq!(short(1e-6), "1e-6");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(0.01), "0.01");
        assert_eq!(percent_whole(0.01), "1%");
        assert_eq!(sig(Some(0.012345)), "0.01235");
        assert_eq!(sig(None), "-");
    }
}

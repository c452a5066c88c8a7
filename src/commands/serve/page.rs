//! The page, compiled into the binary: HTML, its script and its style,
//! written for this page alone (a few plots need no framework).

/// The page.
pub const INDEX: &str = include_str!("page/index.html");
/// Its script: settings from the URL, the run's stream, the plots (SVG),
/// the data table.
pub const SCRIPT: &str = include_str!("page/app.js");
/// Its style: one column on a phone, larger text for a projector.
pub const STYLE: &str = include_str!("page/style.css");

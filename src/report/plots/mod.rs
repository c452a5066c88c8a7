//! The report's figures as SVG. One renderer (`render`) draws a `Chart`;
//! `figures` builds one chart per figure from measured numbers.
//!
//! What every chart does the same way:
//! - the legend sits below the plot area, so it never covers data;
//! - reference lines (1/sqrt(n_in), thresholds, pure decay, ...) are dashed,
//!   labelled on the line, in colours no data series uses;
//! - a value outside a fixed y range is drawn as a triangle on the edge it
//!   passed (its value on hover), never flat at the edge as if measured;
//! - a log axis has its ticks at 1-2-5 or at decades, and every axis one
//!   number format;
//! - every data point carries an SVG `<title>`, so hovering shows its value.
//!
//! Sizes: an SVG is `WIDTH` px wide and scales with the page. On a 390 px
//! phone the page has 342 to 358 px for it, so one SVG px is 0.57 screen
//! px or more; text is `FONT` = 18 SVG px to stay at 10 screen px or more.
//!
//! Log axes are drawn by plotting log10 of the values on a linear axis and
//! labelling the ticks with the values themselves.

use super::axes::{Ticked, axis_value, clip_polyline, label_of, labels, linear_ticks, log_ticks};
use plotters::prelude::*;
pub use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Data series colours.
pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const ORANGE: RGBColor = RGBColor(230, 120, 20);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const PURPLE: RGBColor = RGBColor(148, 103, 189);
pub const CYAN: RGBColor = RGBColor(23, 170, 190);
pub const PALETTE: [RGBColor; 6] = [BLUE, ORANGE, GREEN, RED, PURPLE, CYAN];
/// Reference line colours, none of them a data colour.
const REFERENCE_COLORS: [RGBColor; 5] = [
    RGBColor(70, 70, 70),
    RGBColor(140, 86, 75),
    RGBColor(200, 80, 170),
    RGBColor(130, 130, 20),
    RGBColor(120, 120, 160),
];
const GREY: RGBColor = RGBColor(110, 110, 110);

/// A [`Style::Wide`] line of `color`: 7 px of it at 35% opacity, so that a
/// 2 px dashed line of the same colour shows through where they coincide.
fn wide(color: RGBColor) -> ShapeStyle {
    color.mix(0.35).stroke_width(7)
}

/// The SVG's width in px (it scales with the page).
pub const WIDTH: u32 = 600;
/// The plot area's height, title and axes included.
const PLOT_HEIGHT: u32 = 400;
/// Text size in SVG px (see the module's note on sizes).
pub const FONT: u32 = 18;
const LEGEND_ROW: u32 = 27;

/// The font of text `px` SVG px high: plotters' SVG backend writes a
/// font size of its own size / 1.24.
fn font(px: u32) -> (&'static str, f64) {
    ("sans-serif", (px as f64 * 1.24).ceil())
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    Line,
    Dashed,
    /// A wide, pale line: one that a dashed line of the same colour is
    /// drawn over and must stay visible where the two coincide.
    Wide,
    /// Markers only, not joined.
    Markers(Marker),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Marker {
    Dot,
    Square,
    /// An open circle.
    Ring,
    Cross,
}

/// One data series, with an optional band (x, low, high) drawn under it.
/// A point whose y is not finite leaves a gap in the line.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub band: Vec<(f64, f64, f64)>,
    pub color: RGBColor,
    pub style: Style,
}

impl Series {
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>, color: RGBColor) -> Series {
        Series {
            name: name.into(),
            points,
            band: Vec::new(),
            color,
            style: Style::Line,
        }
    }

    pub fn dashed(mut self) -> Series {
        self.style = Style::Dashed;
        self
    }

    pub fn wide(mut self) -> Series {
        self.style = Style::Wide;
        self
    }

    pub fn markers(mut self, marker: Marker) -> Series {
        self.style = Style::Markers(marker);
        self
    }

    pub fn with_band(mut self, band: Vec<(f64, f64, f64)>) -> Series {
        self.band = band;
        self
    }
}

/// A reference curve (a threshold, a prediction), labelled on the line.
#[derive(Debug, Clone)]
pub struct Reference {
    pub label: String,
    /// Two or more points; `horizontal` spans the whole x range.
    pub points: Vec<(f64, f64)>,
    horizontal: bool,
}

impl Reference {
    /// y = `value` across the plot.
    pub fn horizontal(value: f64, label: impl Into<String>) -> Reference {
        Reference {
            label: label.into(),
            points: vec![(0.0, value)],
            horizontal: true,
        }
    }

    pub fn curve(label: impl Into<String>, points: Vec<(f64, f64)>) -> Reference {
        Reference {
            label: label.into(),
            points,
            horizontal: false,
        }
    }
}

#[derive(Clone, Default)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    pub series: Vec<Series>,
    pub references: Vec<Reference>,
    /// Fix the y range (in data units); values outside it are marked clipped.
    pub y_range: Option<(f64, f64)>,
}

/// A series in axis units, ready to draw.
struct Placed<'a> {
    series: &'a Series,
    points: Vec<(f64, f64)>,
    band: Vec<(f64, f64, f64)>,
}

/// The axes of a chart: ranges and ticks in axis units.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    x_ticks: Vec<f64>,
    y_ticks: Vec<f64>,
}

/// On a log y axis, how many decades beyond the data a reference line may
/// stretch the axis; one farther off is named under the legend instead,
/// so that the data keep the plot's height (1/n_w at 4e-5 under weights of
/// 0.2 to 1 would squeeze them into its top third).
const LOG_REACH: f64 = 1.0;

impl Frame {
    fn of(chart: &Chart, placed: &[Placed], references: &[Vec<(f64, f64)>]) -> Frame {
        let xs = placed
            .iter()
            .flat_map(|p| p.points.iter().map(|q| q.0))
            .chain(
                chart
                    .references
                    .iter()
                    .zip(references)
                    .filter(|(r, _)| !r.horizontal)
                    .flat_map(|(_, p)| p.iter().map(|q| q.0)),
            );
        let data_ys = placed.iter().flat_map(|p| {
            let band = p.band.iter().flat_map(|q| [q.1, q.2]);
            p.points.iter().map(|q| q.1).chain(band)
        });
        let data = bounds(data_ys.clone());
        let reach = |y: f64| match data {
            Some((lo, hi)) if chart.log_y => y >= lo - LOG_REACH && y <= hi + LOG_REACH,
            _ => true,
        };
        let ys = data_ys.chain(
            references
                .iter()
                .filter(|p| p.iter().any(|q| reach(q.1)))
                .flat_map(|p| p.iter().map(|q| q.1)),
        );
        let pad = |(lo, hi): (f64, f64)| {
            let span = if hi > lo { hi - lo } else { 1.0 };
            (lo - 0.04 * span, hi + 0.04 * span)
        };
        let x = pad(bounds(xs).unwrap_or((0.0, 1.0)));
        let y = match chart.y_range {
            Some((lo, hi)) => (
                axis_value(lo, chart.log_y).unwrap_or(0.0),
                axis_value(hi, chart.log_y).unwrap_or(1.0),
            ),
            None => pad(bounds(ys).unwrap_or((0.0, 1.0))),
        };
        let ticks = |(lo, hi): (f64, f64), log: bool| {
            if log {
                log_ticks(lo, hi)
            } else {
                linear_ticks(lo, hi)
            }
        };
        Frame {
            x_ticks: ticks(x, chart.log_x),
            y_ticks: ticks(y, chart.log_y),
            x,
            y,
        }
    }
}

fn text(size: u32, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    font(size).into_font().color(&color).pos(pos)
}

/// Draw `chart` as an SVG document `WIDTH` px wide: the plot, then the
/// legend, then an invisible layer of `<title>`s over the points.
pub fn render(chart: &Chart) -> String {
    let placed: Vec<Placed> = chart.series.iter().map(|s| place(chart, s)).collect();
    let references: Vec<Vec<(f64, f64)>> = chart
        .references
        .iter()
        .map(|r| {
            r.points
                .iter()
                .filter_map(|&(x, y)| {
                    Some((axis_value(x, chart.log_x)?, axis_value(y, chart.log_y)?))
                })
                .collect()
        })
        .collect();
    let frame = Frame::of(chart, &placed, &references);
    let clipped = placed
        .iter()
        .any(|p| p.points.iter().any(|q| q.1 < frame.y.0 || q.1 > frame.y.1));
    let off_axis: Vec<String> = chart
        .references
        .iter()
        .zip(&references)
        .filter(|(_, p)| !p.is_empty() && p.iter().all(|q| q.1 < frame.y.0 || q.1 > frame.y.1))
        .map(|(r, p)| {
            let side = if p[0].1 < frame.y.0 { "below" } else { "above" };
            format!("{} ({side} the y range)", r.label)
        })
        .collect();
    let legend_rows = chart.series.len() as u32 + u32::from(clipped) + off_axis.len() as u32;
    let height = PLOT_HEIGHT + legend_rows * LEGEND_ROW + 12;
    let x_labels = labels(&frame.x_ticks, chart.log_x);
    let y_labels = labels(&frame.y_ticks, chart.log_y);
    let widest = y_labels.iter().map(|l| l.1.len()).max().unwrap_or(1) as u32;

    let mut svg = String::new();
    let mut hover = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).expect("draws");
        let (top, bottom) = root.split_vertically(PLOT_HEIGHT);
        let mut plot = ChartBuilder::on(&top)
            .caption(&chart.title, font(FONT + 1))
            .margin(10)
            .margin_right(16)
            .x_label_area_size(2 * FONT + 16)
            .y_label_area_size(FONT + 18 + widest * FONT * 6 / 10)
            .build_cartesian_2d(
                Ticked::new(frame.x, frame.x_ticks.clone()),
                Ticked::new(frame.y, frame.y_ticks.clone()),
            )
            .expect("a chart");
        let x_format = |v: &f64| label_of(&x_labels, *v);
        let y_format = |v: &f64| label_of(&y_labels, *v);
        plot.configure_mesh()
            .x_desc(chart.x_label.as_str())
            .y_desc(chart.y_label.as_str())
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .label_style(font(FONT))
            .axis_desc_style(font(FONT))
            .bold_line_style(RGBColor(232, 232, 232))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .expect("a mesh");
        for p in &placed {
            draw_series(&mut plot, p, &frame, &mut hover, chart);
        }
        draw_references(&mut plot, chart, &references, &frame);
        draw_legend(&bottom, &chart.series, clipped, &off_axis);
        root.present().expect("an SVG");
    }
    match svg.rfind("</svg>") {
        Some(end) => svg.insert_str(end, &format!("<g class=\"hover\">\n{hover}</g>\n")),
        None => svg.push_str(&hover),
    }
    // Every text on a white halo: a line drawn across a label (a reference
    // curve through its own label, a series through another's) leaves it
    // readable.
    svg.replace(
        "<text ",
        "<text stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\" ",
    )
}

fn place<'a>(chart: &Chart, s: &'a Series) -> Placed<'a> {
    let x = |v: f64| axis_value(v, chart.log_x);
    // A y that cannot be drawn (NaN, or <= 0 on a log axis) stays as NaN: a gap.
    let y = |v: f64| axis_value(v, chart.log_y).unwrap_or(f64::NAN);
    Placed {
        series: s,
        points: s
            .points
            .iter()
            .filter_map(|&(a, b)| Some((x(a)?, y(b))))
            .collect(),
        band: s
            .band
            .iter()
            .filter_map(|&(a, lo, hi)| {
                Some((
                    x(a)?,
                    axis_value(lo, chart.log_y)?,
                    axis_value(hi, chart.log_y)?,
                ))
            })
            .collect(),
    }
}

type Plot<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Ticked, Ticked>>;

/// One series: its band, its line pieces or markers, a triangle on the edge
/// for each point outside the y range, and a hover title per point.
fn draw_series(plot: &mut Plot, p: &Placed, frame: &Frame, hover: &mut String, chart: &Chart) {
    let (lo, hi) = frame.y;
    let color = p.series.color;
    if !p.band.is_empty() {
        let mut outline: Vec<(f64, f64)> = p
            .band
            .iter()
            .map(|&(x, l, _)| (x, l.clamp(lo, hi)))
            .collect();
        outline.extend(p.band.iter().rev().map(|&(x, _, h)| (x, h.clamp(lo, hi))));
        plot.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.18))))
            .expect("a band");
    }
    let inside: Vec<(f64, f64)> = p
        .points
        .iter()
        .copied()
        .filter(|q| (lo..=hi).contains(&q.1))
        .collect();
    let style = color.stroke_width(2);
    match p.series.style {
        Style::Markers(marker) => draw_markers(plot, &inside, marker, color),
        Style::Line | Style::Dashed | Style::Wide => {
            for piece in clip_polyline(&p.points, lo, hi) {
                match p.series.style {
                    Style::Dashed => plot.draw_series(DashedLineSeries::new(piece, 8, 5, style)),
                    Style::Wide => plot.draw_series(LineSeries::new(piece, wide(color))),
                    _ => plot.draw_series(LineSeries::new(piece, style)),
                }
                .expect("a line");
            }
        }
    }
    let canvas = plot.plotting_area().strip_coord_spec();
    let s = FONT as i32 / 2;
    for &(x, y) in p.points.iter().filter(|q| q.1 > hi || q.1 < lo) {
        let (px, py) = pixel(plot, (x, y.clamp(lo, hi)));
        // A triangle inside the plot, its tip on the edge the value passed.
        let inward = if y > hi { 1 } else { -1 };
        let base = py + inward * 2 * s;
        let triangle = vec![(px - s, base), (px + s, base), (px, py)];
        canvas
            .draw(&Polygon::new(triangle, color.filled()))
            .expect("a marker");
    }
    for (i, &(x, y)) in p.points.iter().enumerate() {
        if !y.is_finite() {
            continue;
        }
        let (px, py) = plot.backend_coord(&(x, y.clamp(lo, hi)));
        let value = |v: f64, log: bool| {
            let v = if log { 10f64.powf(v) } else { v };
            format_value(v)
        };
        let mut title = format!(
            "{}: {} {}, {} {}",
            p.series.name,
            chart.x_label,
            value(x, chart.log_x),
            chart.y_label,
            value(y, chart.log_y)
        );
        if let Some(&(_, l, h)) = p.band.get(i).filter(|b| b.0 == x) {
            let l = value(l, chart.log_y);
            let h = value(h, chart.log_y);
            title.push_str(&format!(" (seeds: {l} to {h})"));
        }
        if !(lo..=hi).contains(&y) {
            title.push_str(" (outside the plotted range)");
        }
        hover.push_str(&format!(
            "<circle cx=\"{px}\" cy=\"{py}\" r=\"6\" fill=\"white\" fill-opacity=\"0\"><title>{}</title></circle>\n",
            escape(&title)
        ));
    }
}

/// Where `q` (axis units) is, in px from the plotting area's top left.
fn pixel(plot: &Plot, q: (f64, f64)) -> (i32, i32) {
    let (x, y) = plot.backend_coord(&q);
    let (x0, y0) = plot.plotting_area().get_base_pixel();
    (x - x0, y - y0)
}

fn draw_markers(plot: &mut Plot, points: &[(f64, f64)], marker: Marker, color: RGBColor) {
    let r = 6;
    let drawn = match marker {
        Marker::Dot => plot
            .draw_series(points.iter().map(|&q| Circle::new(q, r, color.filled())))
            .map(|_| ()),
        Marker::Ring => plot
            .draw_series(
                points
                    .iter()
                    .map(|&q| Circle::new(q, r, color.stroke_width(2))),
            )
            .map(|_| ()),
        Marker::Cross => plot
            .draw_series(
                points
                    .iter()
                    .map(|&q| Cross::new(q, r, color.stroke_width(2))),
            )
            .map(|_| ()),
        Marker::Square => {
            let canvas = plot.plotting_area().strip_coord_spec();
            let mut squares = points.iter().map(|&q| {
                let (px, py) = pixel(plot, q);
                Rectangle::new([(px - r, py - r), (px + r, py + r)], color.filled())
            });
            squares.try_for_each(|square| canvas.draw(&square))
        }
    };
    drawn.expect("markers");
}

/// Reference curves, dashed, each labelled in its colour at its right end.
fn draw_references(plot: &mut Plot, chart: &Chart, references: &[Vec<(f64, f64)>], frame: &Frame) {
    let (lo, hi) = frame.y;
    let mut label_rows: Vec<i32> = Vec::new();
    for (i, (reference, points)) in chart.references.iter().zip(references).enumerate() {
        let color = REFERENCE_COLORS[i % REFERENCE_COLORS.len()];
        let points = match (reference.horizontal, points.first()) {
            (true, Some(&(_, y))) => vec![(frame.x.0, y), (frame.x.1, y)],
            _ => points.clone(),
        };
        let pieces = clip_polyline(&points, lo, hi);
        for piece in &pieces {
            plot.draw_series(DashedLineSeries::new(
                piece.clone(),
                6,
                4,
                color.stroke_width(2),
            ))
            .expect("a reference");
        }
        let Some(&end) = pieces.last().and_then(|p| p.last()) else {
            continue;
        };
        // Above the line's right end; below it if another label is there;
        // else stacked above.
        let (px, line_y) = pixel(plot, end);
        let row = FONT as i32 + 2;
        let free = |y: i32| label_rows.iter().all(|&r: &i32| (r - y).abs() >= row);
        let mut py = line_y - 3;
        if !free(py) && free(line_y + row) {
            py = line_y + row;
        }
        while !free(py) {
            py -= row;
        }
        label_rows.push(py);
        let canvas = plot.plotting_area().strip_coord_spec();
        let style = text(FONT, color, Pos::new(HPos::Right, VPos::Bottom));
        // A white box under the label, so that no line (its own curve, a
        // series) runs through its letters; its width estimated from the
        // label's length at about 0.55 em per character.
        let width = (reference.label.chars().count() as f64 * FONT as f64 * 0.55) as i32;
        canvas
            .draw(&Rectangle::new(
                [(px - 4 - width, py - FONT as i32 - 1), (px, py + 2)],
                WHITE.mix(0.85).filled(),
            ))
            .expect("a label's box");
        canvas
            .draw(&Text::new(reference.label.clone(), (px - 2, py), style))
            .expect("a label");
    }
}

/// The legend below the plot: one row per series, one for clipped values,
/// and one per reference line off the y range (`off_axis`, its label).
fn draw_legend(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    series: &[Series],
    clipped: bool,
    off_axis: &[String],
) {
    let label = text(
        FONT,
        RGBColor(34, 34, 34),
        Pos::new(HPos::Left, VPos::Center),
    );
    let row_y = |i: usize| 8 + LEGEND_ROW as i32 * i as i32 + LEGEND_ROW as i32 / 2;
    let x0 = 24;
    for (i, s) in series.iter().enumerate() {
        let y = row_y(i);
        let c = s.color;
        let drawn = match s.style {
            Style::Line => area.draw(&PathElement::new(
                vec![(x0, y), (x0 + 30, y)],
                c.stroke_width(3),
            )),
            Style::Wide => area.draw(&PathElement::new(vec![(x0, y), (x0 + 30, y)], wide(c))),
            Style::Dashed => area
                .draw(&PathElement::new(
                    vec![(x0, y), (x0 + 11, y)],
                    c.stroke_width(3),
                ))
                .and_then(|_| {
                    area.draw(&PathElement::new(
                        vec![(x0 + 19, y), (x0 + 30, y)],
                        c.stroke_width(3),
                    ))
                }),
            Style::Markers(Marker::Dot) => area.draw(&Circle::new((x0 + 15, y), 6, c.filled())),
            Style::Markers(Marker::Ring) => {
                area.draw(&Circle::new((x0 + 15, y), 6, c.stroke_width(2)))
            }
            Style::Markers(Marker::Cross) => {
                area.draw(&Cross::new((x0 + 15, y), 6, c.stroke_width(2)))
            }
            Style::Markers(Marker::Square) => area.draw(&Rectangle::new(
                [(x0 + 9, y - 6), (x0 + 21, y + 6)],
                c.filled(),
            )),
        };
        drawn.expect("a swatch");
        if !s.band.is_empty() {
            area.draw(&Rectangle::new(
                [(x0, y - 8), (x0 + 30, y + 8)],
                c.mix(0.18).filled(),
            ))
            .expect("a band swatch");
        }
        area.draw(&Text::new(s.name.clone(), (x0 + 42, y), label.clone()))
            .expect("a legend");
    }
    if clipped {
        let y = row_y(series.len());
        area.draw(&TriangleMarker::new(
            (x0 + 15, y),
            FONT as i32 / 2,
            GREY.filled(),
        ))
        .expect("a swatch");
        area.draw(&Text::new(
            "outside the y range: marked on its edge (value on hover)",
            (x0 + 42, y),
            label.clone(),
        ))
        .expect("a legend");
    }
    let first = series.len() + usize::from(clipped);
    for (i, name) in off_axis.iter().enumerate() {
        let y = row_y(first + i);
        area.draw(&PathElement::new(
            vec![(x0, y), (x0 + 8, y)],
            GREY.stroke_width(2),
        ))
        .and_then(|_| {
            area.draw(&PathElement::new(
                vec![(x0 + 14, y), (x0 + 22, y)],
                GREY.stroke_width(2),
            ))
        })
        .expect("a swatch");
        area.draw(&Text::new(name.clone(), (x0 + 42, y), label.clone()))
            .expect("a legend");
    }
}

/// A value for a hover title: four significant digits.
fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e6 {
        format!("{v}")
    } else if v.abs() >= 1e5 || v.abs() < 1e-3 {
        format!("{v:.3e}")
    } else {
        let decimals = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        format!("{v:.decimals$}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

#[cfg(test)]
mod tests;

//! The report's figures as SVG. One renderer (`render`) draws a `Chart`;
//! the functions below it build one chart each from measured numbers.
//!
//! Log axes are drawn by plotting log10 of the values on a linear axis and
//! labelling the ticks with the values themselves.

pub use plotters::chart::SeriesLabelPosition;
use plotters::prelude::*;
pub use plotters::style::RGBColor;

pub const BLUE: RGBColor = RGBColor(31, 119, 180);
pub const ORANGE: RGBColor = RGBColor(230, 120, 20);
pub const GREEN: RGBColor = RGBColor(44, 160, 44);
pub const RED: RGBColor = RGBColor(214, 39, 40);
pub const PURPLE: RGBColor = RGBColor(148, 103, 189);
pub const GREY: RGBColor = RGBColor(110, 110, 110);
pub const PALETTE: [RGBColor; 6] = [BLUE, ORANGE, GREEN, RED, PURPLE, GREY];

/// One curve, with an optional band (x, low, high) drawn under it.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub band: Vec<(f64, f64, f64)>,
    pub color: RGBColor,
    pub dashed: bool,
    /// Draw points as markers, not joined by a line.
    pub markers: bool,
}

impl Series {
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>, color: RGBColor) -> Series {
        Series {
            name: name.into(),
            points,
            band: Vec::new(),
            color,
            dashed: false,
            markers: false,
        }
    }

    pub fn dashed(mut self) -> Series {
        self.dashed = true;
        self
    }

    pub fn markers(mut self) -> Series {
        self.markers = true;
        self
    }

    pub fn with_band(mut self, band: Vec<(f64, f64, f64)>) -> Series {
        self.band = band;
        self
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
    /// Horizontal reference lines: (y, label, color).
    pub hlines: Vec<(f64, String, RGBColor)>,
    /// Force the y range (in data units).
    pub y_range: Option<(f64, f64)>,
    /// Where the legend goes (default: upper right).
    pub legend: Option<SeriesLabelPosition>,
}

fn axis_value(v: f64, log: bool) -> Option<f64> {
    if !v.is_finite() {
        return None;
    }
    if log {
        (v > 0.0).then(|| v.log10())
    } else {
        Some(v)
    }
}

/// `value` rounded to three significant digits.
fn three_digits(value: f64) -> f64 {
    if value == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(2 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

fn tick_label(v: f64, log: bool) -> String {
    if log {
        let value = 10f64.powf(v);
        if (1e-2..1e5).contains(&value) {
            format!("{}", three_digits(value))
        } else {
            format!("{value:.1e}")
        }
    } else if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-2) {
        format!("{v:.1e}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

/// Draw `chart` as an SVG document of 720 x 440 pixels.
pub fn render(chart: &Chart) -> String {
    let transform =
        |(x, y): (f64, f64)| Some((axis_value(x, chart.log_x)?, axis_value(y, chart.log_y)?));
    type Transformed = (Series, Vec<(f64, f64)>, Vec<(f64, f64, f64)>);
    let series: Vec<Transformed> = chart
        .series
        .iter()
        .map(|s| {
            let points = s.points.iter().filter_map(|&p| transform(p)).collect();
            let band = s
                .band
                .iter()
                .filter_map(|&(x, lo, hi)| {
                    Some((
                        axis_value(x, chart.log_x)?,
                        axis_value(lo, chart.log_y)?,
                        axis_value(hi, chart.log_y)?,
                    ))
                })
                .collect();
            (s.clone(), points, band)
        })
        .collect();
    let hlines: Vec<(f64, &str, RGBColor)> = chart
        .hlines
        .iter()
        .filter_map(|(y, label, c)| Some((axis_value(*y, chart.log_y)?, label.as_str(), *c)))
        .collect();

    let xs = series.iter().flat_map(|(_, p, _)| p.iter().map(|q| q.0));
    let (x_min, x_max) = bounds(xs).unwrap_or((0.0, 1.0));
    let ys = series
        .iter()
        .flat_map(|(_, p, b)| {
            p.iter()
                .map(|q| q.1)
                .chain(b.iter().flat_map(|q| [q.1, q.2]))
        })
        .chain(hlines.iter().map(|h| h.0));
    let (y_min, y_max) = match chart.y_range {
        Some((lo, hi)) => (
            axis_value(lo, chart.log_y).unwrap_or(0.0),
            axis_value(hi, chart.log_y).unwrap_or(1.0),
        ),
        None => bounds(ys).unwrap_or((0.0, 1.0)),
    };
    let pad = |lo: f64, hi: f64| {
        let span = if hi > lo { hi - lo } else { 1.0 };
        (lo - 0.04 * span, hi + 0.04 * span)
    };
    let (x_lo, x_hi) = pad(x_min, x_max);
    let (y_lo, y_hi) = pad(y_min, y_max);
    let clip = |y: f64| y.clamp(y_lo, y_hi);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 440)).into_drawing_area();
        root.fill(&WHITE).expect("draws");
        let mut plot = ChartBuilder::on(&root)
            .caption(&chart.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .expect("a chart");
        let (log_x, log_y) = (chart.log_x, chart.log_y);
        let x_format = move |v: &f64| tick_label(*v, log_x);
        let y_format = move |v: &f64| tick_label(*v, log_y);
        plot.configure_mesh()
            .x_desc(chart.x_label.as_str())
            .y_desc(chart.y_label.as_str())
            .x_label_formatter(&x_format)
            .y_label_formatter(&y_format)
            .label_style(("sans-serif", 13))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .expect("a mesh");
        for (y, label, color) in &hlines {
            plot.draw_series(DashedLineSeries::new(
                vec![(x_lo, *y), (x_hi, *y)],
                4,
                4,
                color.stroke_width(1),
            ))
            .expect("a line")
            .label(label.to_string())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(1))
            });
        }
        for (s, points, band) in &series {
            if !band.is_empty() {
                let mut outline: Vec<(f64, f64)> =
                    band.iter().map(|&(x, lo, _)| (x, clip(lo))).collect();
                outline.extend(band.iter().rev().map(|&(x, _, hi)| (x, clip(hi))));
                plot.draw_series(std::iter::once(Polygon::new(outline, s.color.mix(0.18))))
                    .expect("a band");
            }
            let color = s.color;
            let style = color.stroke_width(2);
            let points: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x, clip(y))).collect();
            let drawn = if s.markers {
                plot.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
            } else if s.dashed {
                plot.draw_series(DashedLineSeries::new(points, 8, 5, style))
            } else {
                plot.draw_series(LineSeries::new(points, style))
            };
            drawn
                .expect("a series")
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        plot.configure_series_labels()
            .position(
                chart
                    .legend
                    .clone()
                    .unwrap_or(SeriesLabelPosition::UpperRight),
            )
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(("sans-serif", 12))
            .draw()
            .expect("a legend");
        root.present().expect("an SVG");
    }
    svg
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
mod tests {
    use super::*;

    #[test]
    fn renders_lines_bands_and_log_axes() {
        let chart = Chart {
            title: "t".into(),
            x_label: "epoch".into(),
            y_label: "rms".into(),
            log_y: true,
            series: vec![
                Series::line("a", vec![(0.0, 1.0), (1.0, 0.5), (2.0, 0.25)], BLUE)
                    .with_band(vec![(0.0, 0.9, 1.1), (2.0, 0.2, 0.3)]),
                Series::line("b", vec![(0.0, 0.0), (1.0, -1.0)], RED).dashed(),
            ],
            hlines: vec![(0.1, "1/sqrt(n)".into(), GREY)],
            ..Chart::default()
        };
        let svg = render(&chart);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("epoch") && svg.contains("1/sqrt(n)"));
        assert!(svg.contains("<polygon") || svg.contains("<path"));
    }
}

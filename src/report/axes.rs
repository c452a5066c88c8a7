//! The axes of the report's plots: log and linear ticks at 1-2-5 steps,
//! one number format per axis, and lines cut where they leave the y range.
//! Values here are in axis units: log10 of the data on a log axis.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// `v` on the axis (log10 on a log axis); None if it cannot be drawn.
pub fn axis_value(v: f64, log: bool) -> Option<f64> {
    match (v.is_finite(), log) {
        (false, _) => None,
        (true, true) => (v > 0.0).then(|| v.log10()),
        (true, false) => Some(v),
    }
}

/// The smallest of 1, 2, 5 times a power of ten at or above `raw`.
pub fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// About five ticks at multiples of a 1-2-5 step within lo..=hi.
pub fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let step = nice_step((hi - lo).max(1e-12) / 5.0);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Ticks of a log axis spanning log10 values lo..=hi, as log10 values: at
/// 1, 2 and 5 times each decade, at decades when those are too many, and
/// at 1-2-5 steps of the values themselves when the range is under a decade.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let inside = |v: &f64| *v >= lo - 1e-9 && *v <= hi + 1e-9;
    let decades: Vec<i32> = (lo.floor() as i32..=hi.ceil() as i32).collect();
    let one_two_five: Vec<f64> = decades
        .iter()
        .flat_map(|&d| [1.0, 2.0, 5.0].map(|m| (m * 10f64.powi(d)).log10()))
        .filter(inside)
        .collect();
    if one_two_five.len() >= 3 && one_two_five.len() <= 9 {
        return one_two_five;
    }
    let whole: Vec<f64> = decades.iter().map(|&d| d as f64).filter(inside).collect();
    if whole.len() >= 3 {
        let every = whole.len().div_ceil(8);
        return whole.into_iter().step_by(every).collect();
    }
    linear_ticks(10f64.powf(lo), 10f64.powf(hi))
        .into_iter()
        .filter(|v| *v > 0.0)
        .map(f64::log10)
        .collect()
}

/// One number format for all the ticks of an axis (given in data units):
/// plain decimals when every tick reads well so, else scientific.
pub fn tick_format(ticks: &[f64], log: bool) -> impl Fn(f64) -> String + use<> {
    let nonzero = ticks.iter().filter(|t| **t != 0.0).map(|t| t.abs());
    let (small, large) = nonzero.fold((f64::INFINITY, 0.0f64), |(s, l), t| (s.min(t), l.max(t)));
    let scientific = small < 1e-3 || large >= 1e5;
    // A linear axis shows as many decimals as its step needs, on every tick.
    let decimals = match ticks {
        [a, b, ..] if !log => (0..6)
            .find(|&d| {
                let scaled = (b - a).abs() * 10f64.powi(d);
                (scaled - scaled.round()).abs() < 1e-6
            })
            .unwrap_or(6) as usize,
        _ => 0,
    };
    move |v: f64| {
        let v = three_digits(v);
        if scientific {
            format!("{v:e}")
        } else if log {
            format!("{v}")
        } else {
            format!("{v:.decimals$}")
        }
    }
}

/// `value` rounded to three significant digits.
pub fn three_digits(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(2 - value.abs().log10().floor() as i32);
    (value * scale).round() / scale
}

/// The parts of a polyline (axis units) with y inside lo..=hi, cut where
/// the line leaves the range; a point with a non-finite y leaves a gap.
pub fn clip_polyline(points: &[(f64, f64)], lo: f64, hi: f64) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut joined = false;
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let inside = |t: f64| (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
        let span = if !(a.1.is_finite() && b.1.is_finite()) {
            None
        } else if a.1 == b.1 {
            (lo..=hi).contains(&a.1).then_some((0.0, 1.0))
        } else {
            let (t_lo, t_hi) = ((lo - a.1) / (b.1 - a.1), (hi - a.1) / (b.1 - a.1));
            let (t0, t1) = (t_lo.min(t_hi).max(0.0), t_lo.max(t_hi).min(1.0));
            (t0 <= t1).then_some((t0, t1))
        };
        match span {
            Some((t0, t1)) => {
                if !(joined && t0 == 0.0) {
                    pieces.push(vec![inside(t0)]);
                }
                pieces.last_mut().expect("a piece").push(inside(t1));
                joined = t1 == 1.0;
            }
            None => joined = false,
        }
    }
    if points.len() == 1 && (lo..=hi).contains(&points[0].1) {
        pieces.push(points.to_vec());
    }
    pieces
}

/// An f64 axis whose ticks are given. (plotters' `WithKeyPoints` does the
/// same but loses the f64 axis's label formatter, which the mesh needs.)
pub struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    pub fn new((lo, hi): (f64, f64), ticks: Vec<f64>) -> Ticked {
        Ticked {
            inner: (lo..hi).into(),
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }
}

/// The tick values of an axis in data units, and their labels.
pub fn labels(ticks: &[f64], log: bool) -> Vec<(f64, String)> {
    let values: Vec<f64> = ticks
        .iter()
        .map(|&t| if log { 10f64.powf(t) } else { t })
        .collect();
    let format = tick_format(&values, log);
    ticks
        .iter()
        .zip(values)
        .map(|(&t, v)| (t, format(v)))
        .collect()
}

pub fn label_of(labels: &[(f64, String)], v: f64) -> String {
    labels
        .iter()
        .find(|(t, _)| (t - v).abs() < 1e-9)
        .map_or(String::new(), |(_, l)| l.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decade_values(ticks: &[f64]) -> Vec<f64> {
        ticks.iter().map(|t| three_digits(10f64.powf(*t))).collect()
    }

    #[test]
    fn log_ticks_sit_at_one_two_five_or_decades() {
        // 0.05 to 3: 1-2-5 steps.
        let ticks = log_ticks(0.05f64.log10(), 3f64.log10());
        assert_eq!(decade_values(&ticks), [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]);
        // 1e-6 to 1: too many 1-2-5 ticks, so decades.
        let ticks = log_ticks(-6.0, 0.0);
        assert_eq!(
            decade_values(&ticks),
            [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0]
        );
        // 0.15 to 0.3: under a decade, so 1-2-5 steps of the values.
        let ticks = log_ticks(0.15f64.log10(), 0.3f64.log10());
        assert_eq!(decade_values(&ticks), [0.15, 0.2, 0.25, 0.3]);
    }

    #[test]
    fn an_axis_has_one_number_format() {
        let plain = tick_format(&[0.0, 0.25, 0.5], false);
        assert_eq!(
            [plain(0.0), plain(0.25), plain(0.5)],
            ["0.00", "0.25", "0.50"]
        );
        let log = tick_format(&[0.01, 0.1, 1.0, 10.0], true);
        assert_eq!([log(0.01), log(10.0)], ["0.01", "10"]);
        let scientific = tick_format(&[1e-6, 1e-3, 1.0], true);
        assert_eq!([scientific(1e-6), scientific(1.0)], ["1e-6", "1e0"]);
    }

    #[test]
    fn lines_are_cut_where_they_leave_the_range_and_at_gaps() {
        let points = [
            (0.0, 0.0),
            (1.0, 2.0),
            (2.0, 4.0),
            (3.0, 0.0),
            (4.0, f64::NAN),
            (5.0, 0.5),
            (6.0, 0.5),
        ];
        let pieces = clip_polyline(&points, -1.0, 1.0);
        assert_eq!(
            pieces,
            vec![
                vec![(0.0, 0.0), (0.5, 1.0)],
                vec![(2.75, 1.0), (3.0, 0.0)],
                vec![(5.0, 0.5), (6.0, 0.5)],
            ]
        );
    }
}

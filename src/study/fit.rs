//! Ordinary least squares with standard errors and 95% intervals, for the
//! power laws of claim 3: log(size) = a + b log(n_w) (+ c log(n_in)).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// One fitted coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    pub estimate: f64,
    pub standard_error: f64,
    /// 95% confidence interval, from Student's t with the fit's degrees of freedom.
    pub low: f64,
    pub high: f64,
}

impl Coefficient {
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// Intercept first, then one coefficient per predictor.
    pub coefficients: Vec<Coefficient>,
    pub points: usize,
    pub r_squared: f64,
}

/// Fit y = b_0 + sum_j b_j x_j by least squares. `rows[i]` holds the
/// predictors of point i. None when there are not more points than
/// coefficients or the predictors are collinear.
pub fn ols(rows: &[Vec<f64>], y: &[f64]) -> Option<Fit> {
    let n = y.len();
    let p = rows.first()?.len() + 1;
    if n <= p || rows.len() != n {
        return None;
    }
    let design: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| std::iter::once(1.0).chain(r.iter().copied()).collect())
        .collect();
    // Normal equations: (X^T X) b = X^T y.
    let mut xtx = vec![vec![0.0; p]; p];
    let mut xty = vec![0.0; p];
    for (x, &yi) in design.iter().zip(y) {
        for a in 0..p {
            xty[a] += x[a] * yi;
            for b in 0..p {
                xtx[a][b] += x[a] * x[b];
            }
        }
    }
    let inverse = invert(&xtx)?;
    let beta: Vec<f64> = (0..p)
        .map(|a| (0..p).map(|b| inverse[a][b] * xty[b]).sum())
        .collect();
    let residual_ss: f64 = design
        .iter()
        .zip(y)
        .map(|(x, &yi)| {
            let fitted: f64 = x.iter().zip(&beta).map(|(xi, bi)| xi * bi).sum();
            (yi - fitted).powi(2)
        })
        .sum();
    let mean = y.iter().sum::<f64>() / n as f64;
    let total_ss: f64 = y.iter().map(|yi| (yi - mean).powi(2)).sum();
    let df = (n - p) as f64;
    let sigma2 = residual_ss / df;
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.975);
    let coefficients = (0..p)
        .map(|a| {
            let se = (sigma2 * inverse[a][a]).max(0.0).sqrt();
            Coefficient {
                estimate: beta[a],
                standard_error: se,
                low: beta[a] - t * se,
                high: beta[a] + t * se,
            }
        })
        .collect();
    Some(Fit {
        coefficients,
        points: n,
        r_squared: if total_ss > 0.0 {
            1.0 - residual_ss / total_ss
        } else {
            1.0
        },
    })
}

/// Gauss-Jordan inverse of a small symmetric matrix; None if singular.
fn invert(matrix: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let p = matrix.len();
    let mut a: Vec<Vec<f64>> = matrix
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..p).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    let scale = matrix.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..p {
        let pivot = (col..p).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, pivot);
        let d = a[col][col];
        a[col].iter_mut().for_each(|v| *v /= d);
        for row in 0..p {
            if row != col {
                let factor = a[row][col];
                let pivot_row = a[col].clone();
                a[row]
                    .iter_mut()
                    .zip(&pivot_row)
                    .for_each(|(v, pv)| *v -= factor * pv);
            }
        }
    }
    Some(a.into_iter().map(|r| r[p..].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_power_law() {
        // size = 3 n^-0.5 times a deterministic wobble of +-2%.
        let n: Vec<f64> = (0..12).map(|i| 100.0 * 1.6f64.powi(i)).collect();
        let rows: Vec<Vec<f64>> = n.iter().map(|x| vec![x.ln()]).collect();
        let y: Vec<f64> = n
            .iter()
            .enumerate()
            .map(|(i, x)| (3.0 * x.powf(-0.5) * (1.0 + 0.02 * (i as f64 * 2.3).sin())).ln())
            .collect();
        let fit = ols(&rows, &y).unwrap();
        let slope = fit.coefficients[1];
        assert!((slope.estimate + 0.5).abs() < 0.01, "{slope:?}");
        assert!(slope.contains(-0.5) && !slope.contains(-1.0));
        assert!(slope.standard_error > 0.0 && slope.standard_error < 0.01);
        assert!((fit.coefficients[0].estimate - 3.0f64.ln()).abs() < 0.1);
        assert!(fit.r_squared > 0.99);
    }

    #[test]
    fn exact_data_has_zero_error_and_two_predictors_separate() {
        // y = 1 - 1.0 x1 + 0.5 x2 exactly.
        let rows: Vec<Vec<f64>> = (0..6)
            .map(|i| vec![i as f64, ((i * i) % 5) as f64])
            .collect();
        let y: Vec<f64> = rows.iter().map(|r| 1.0 - r[0] + 0.5 * r[1]).collect();
        let fit = ols(&rows, &y).unwrap();
        assert!((fit.coefficients[1].estimate + 1.0).abs() < 1e-9);
        assert!((fit.coefficients[2].estimate - 0.5).abs() < 1e-9);
        assert!(fit.coefficients[1].standard_error < 1e-6);
    }

    #[test]
    fn too_few_points_or_collinear_predictors_give_none() {
        assert!(ols(&[vec![1.0], vec![2.0]], &[1.0, 2.0]).is_none());
        let rows = vec![
            vec![1.0, 2.0],
            vec![2.0, 4.0],
            vec![3.0, 6.0],
            vec![4.0, 8.0],
        ];
        assert!(ols(&rows, &[1.0, 2.0, 3.0, 4.0]).is_none());
    }
}

//! Ordinary least squares with standard errors and 95% intervals, for the
//! power laws of claim 3: log(size) = a + b log(n_w) (+ c log(n_in)).

use nalgebra::{DMatrix, DVector};
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
///
/// Solved by a QR decomposition of the design matrix X = QR (nalgebra):
/// b = R^-1 Q^T y, and the coefficients' covariance sigma^2 (X^T X)^-1 =
/// sigma^2 R^-1 R^-T, without forming X^T X, whose condition number is
/// the square of X's.
pub fn ols(rows: &[Vec<f64>], y: &[f64]) -> Option<Fit> {
    let n = y.len();
    let p = rows.first()?.len() + 1;
    if n <= p || rows.len() != n || rows.iter().any(|r| r.len() + 1 != p) {
        return None;
    }
    let x = DMatrix::from_fn(n, p, |i, j| if j == 0 { 1.0 } else { rows[i][j - 1] });
    let y = DVector::from_column_slice(y);
    let qr = x.clone().qr();
    let r = qr.r();
    // Collinear predictors: a diagonal entry of R vanishes next to the largest.
    let diagonal_max = r.diagonal().amax();
    if r.diagonal().iter().any(|d| d.abs() <= 1e-10 * diagonal_max) {
        return None;
    }
    let beta = r.solve_upper_triangular(&(qr.q().transpose() * &y))?;
    let r_inverse = r.try_inverse()?;
    let residuals = &y - &x * &beta;
    let residual_ss = residuals.norm_squared();
    let mean = y.mean();
    let total_ss: f64 = y.iter().map(|yi| (yi - mean).powi(2)).sum();
    let df = (n - p) as f64;
    let sigma2 = residual_ss / df;
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.975);
    let coefficients = (0..p)
        .map(|a| {
            // ((X^T X)^-1)_aa = sum_k (R^-1)_ak^2.
            let se = (sigma2 * r_inverse.row(a).norm_squared()).sqrt();
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

#[cfg(test)]
mod tests {
    use super::*;
    use approx::{abs_diff_eq, assert_abs_diff_eq, assert_relative_eq, relative_eq};

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
        assert!(
            abs_diff_eq!(slope.estimate, -0.5, epsilon = 0.01),
            "{slope:?}"
        );
        let interval = slope.low..=slope.high;
        assert!(interval.contains(&-0.5) && !interval.contains(&-1.0));
        assert!(slope.standard_error > 0.0 && slope.standard_error < 0.01);
        assert_abs_diff_eq!(fit.coefficients[0].estimate, 3.0f64.ln(), epsilon = 0.1);
        assert!(fit.r_squared > 0.99);
        // The textbook slope's standard error, sqrt(RSS / (n - 2) / Sxx),
        // and its interval with t_0.975 at n - 2 = 10 degrees of freedom.
        let xs: Vec<f64> = rows.iter().map(|r| r[0]).collect();
        let mx = xs.iter().sum::<f64>() / 12.0;
        let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
        let intercept = fit.coefficients[0].estimate;
        let rss: f64 = xs
            .iter()
            .zip(&y)
            .map(|(x, y)| (y - intercept - slope.estimate * x).powi(2))
            .sum();
        let se = (rss / 10.0 / sxx).sqrt();
        assert_relative_eq!(slope.standard_error, se, max_relative = 1e-9);
        let t_10 = 2.228_138_851_986_273_5;
        assert_relative_eq!(slope.low, slope.estimate - t_10 * se, max_relative = 1e-9);
        assert_relative_eq!(slope.high, slope.estimate + t_10 * se, max_relative = 1e-9);
    }

    #[test]
    fn exact_data_has_zero_error_and_two_predictors_separate() {
        // y = 1 - 1.0 x1 + 0.5 x2 exactly.
        let rows: Vec<Vec<f64>> = (0..6)
            .map(|i| vec![i as f64, ((i * i) % 5) as f64])
            .collect();
        let y: Vec<f64> = rows.iter().map(|r| 1.0 - r[0] + 0.5 * r[1]).collect();
        let fit = ols(&rows, &y).unwrap();
        assert_abs_diff_eq!(fit.coefficients[1].estimate, -1.0, epsilon = 1e-9);
        assert_abs_diff_eq!(fit.coefficients[2].estimate, 0.5, epsilon = 1e-9);
        assert!(fit.coefficients[1].standard_error < 1e-6);
        // A constant y is fitted exactly: R^2 = 1, not 0/0.
        let flat = ols(&rows, &[2.0; 6]).unwrap();
        assert_eq!(flat.r_squared, 1.0);
        assert_abs_diff_eq!(flat.coefficients[0].estimate, 2.0, epsilon = 1e-12);
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
        // Fewer points than coefficients, a row or a y missing, a row short.
        assert!(ols(&[vec![1.0]], &[1.0]).is_none());
        let line = [vec![0.0], vec![1.0], vec![2.0], vec![4.0]];
        assert!(ols(&line, &[0.0, 1.0, 2.0, 3.5]).is_some());
        assert!(ols(&line, &[0.0, 1.0, 2.0]).is_none());
        assert!(ols(&line[..3], &[0.0, 1.0, 2.0, 3.5]).is_none());
        let ragged = [vec![0.0, 1.0], vec![1.0, 0.0], vec![2.0], vec![4.0, 1.0]];
        assert!(ols(&ragged, &[0.0, 1.0, 2.0, 3.5]).is_none());
        // Nearly collinear: x2 = x1 +- 1e-9 with x1 near 1e3, so R's last
        // diagonal entry is ~1e-12 of its largest.
        let rows: Vec<Vec<f64>> = (0..12)
            .map(|i| {
                let x1 = 1e3 + 10.0 * i as f64;
                vec![x1, x1 + if i % 2 == 0 { 1e-9 } else { -1e-9 }]
            })
            .collect();
        let y: Vec<f64> = (0..12).map(|i| (i as f64).sin()).collect();
        assert!(ols(&rows, &y).is_none());
    }

    #[test]
    fn an_ill_conditioned_design_is_solved_accurately() {
        // x near 1e5, spread 1: X^T X has condition ~1e21, past what its
        // inverse can hold in f64; QR works on X (condition ~1e10).
        let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![1e5 + i as f64 / 19.0]).collect();
        let y: Vec<f64> = rows
            .iter()
            .map(|r| 2.0 + 3.0 * r[0] + 0.1 * (r[0] * 7.0).sin())
            .collect();
        let fit = ols(&rows, &y).unwrap();
        // The slope of the same points by centred sums, the textbook formula.
        let xs: Vec<f64> = rows.iter().map(|r| r[0]).collect();
        let (mx, my) = (xs.iter().sum::<f64>() / 20.0, y.iter().sum::<f64>() / 20.0);
        let sxy: f64 = xs.iter().zip(&y).map(|(x, y)| (x - mx) * (y - my)).sum();
        let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
        let slope = fit.coefficients[1].estimate;
        assert!(
            relative_eq!(slope, sxy / sxx, max_relative = 1e-6),
            "{slope} vs {}",
            sxy / sxx
        );
    }
}

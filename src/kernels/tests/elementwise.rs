//! Pixel ratios, column sums, e^x and the sigmoid.

use super::*;
use approx::{assert_abs_diff_eq, assert_relative_eq};

#[test]
fn pixel_ratios_are_correctly_rounded() {
    for white in [255u16, 1020, 4080] {
        let inverse = 1.0 / white as f64;
        for p in 0..=white {
            assert_eq!(
                f32::pixel_ratio(p, white, inverse),
                p as f32 / white as f32,
                "{p}/{white}"
            );
            assert_eq!(f64::pixel_ratio(p, white, inverse), p as f64 / white as f64);
        }
    }
}

#[test]
fn column_sums_add_rows() {
    let a = [1.0, 2.0, 3.0, 10.0, 20.0, 30.0];
    let mut s = [f64::NAN; 3];
    column_sums(&mut s, &a);
    assert_eq!(s, [11.0, 22.0, 33.0]);
}

/// Distance in units in the last place, for finite numbers of one sign.
fn ulps_f64(x: f64, y: f64) -> u64 {
    x.to_bits().abs_diff(y.to_bits())
}

#[test]
fn exp_is_within_an_ulp_of_the_exact_value() {
    // Against libm's exp in f64 (itself within an ulp): at most 2 ulps
    // apart. In f32, against e^x in f64 rounded: at most 1 ulp.
    let mut worst = (0, 0);
    for i in -700_000..=700_000 {
        let x = i as f64 * 1e-3 + 0.000_123;
        worst.0 = worst.0.max(ulps_f64(portable::exp(x), x.exp()));
        if x.abs() < 87.0 {
            let x32 = x as f32;
            let exact = (x32 as f64).exp() as f32;
            worst.1 = worst
                .1
                .max(portable::exp(x32).to_bits().abs_diff(exact.to_bits()));
        }
    }
    assert!(worst.0 <= 2 && worst.1 <= 1, "worst ulps {worst:?}");
}

#[test]
fn sigmoid_values_and_limits() {
    let z = [0.0, 2.0, -1000.0, 1000.0, -700.0, f64::NAN];
    let mut a = pad_rows(&z, 6, 1);
    add_bias_and_sigmoid(&mut a, &[0.0]);
    let a: Vec<f64> = a.chunks_exact(16).map(|row| row[0]).collect();
    assert_eq!(a[0], 0.5);
    assert_abs_diff_eq!(a[1], 0.8807970779778823, epsilon = 1e-16);
    assert_eq!(a[2], 0.0);
    assert_eq!(a[3], 1.0);
    assert_relative_eq!(a[4], (-700.0f64).exp(), max_relative = 1e-14);
    assert!(a[5].is_nan());
    let mut a32 = pad_rows(&[0.0f32, -90.0, -80.0, 1000.0], 2, 2);
    add_bias_and_sigmoid(&mut a32, &[1.0, 1.0]);
    assert_eq!(a32[0], 1.0 / (1.0 + (-1.0f32).exp()));
    // sigma(-89) is below f32's smallest normal number: 0, not subnormal.
    assert_eq!(a32[1], 0.0);
    assert!(a32[16] > 0.0 && a32[16].is_normal());
    assert_eq!(a32[17], 1.0);
}

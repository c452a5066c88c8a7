//! The fused gradient step: against the gradient's definition, with and
//! without measurements, skipping inputs, and on literal numbers.

use super::*;
use approx::assert_abs_diff_eq;

/// The gradient read off the fused step: from W = 0, with no decay and
/// a step of -1, w - 0 w - (-1) g = g exactly.
fn gradient<T: Real>(a: &[T], d: &[T], shape: StepShape) -> Vec<T> {
    let StepShape { m, n_out, n_in } = shape;
    let mut g = vec![T::zero(); n_in * padded(n_out)];
    let unit_step = Rate {
        decay: T::zero(),
        step: -T::one(),
    };
    gradient_step(
        &mut g,
        &pad_rows(a, m, n_in),
        &pad_rows(d, m, n_out),
        shape,
        unit_step,
        None,
        &all_inputs(n_in),
    );
    g
}

#[test]
fn gradient_step_covers_every_block_and_strip() {
    // n_out: strips of 1 chunk, of 2, and of 2 then 1; n_in = 150: blocks
    // of 4 rows and 2 rows left. (Blocks of 2, in a measured step in f64:
    // `measured_update_gives_the_same_bits_and_the_products`.)
    for n_out in [7, 30, 40] {
        let (m, n_in) = (3, 150);
        let layer = Layer::new(m, n_out, n_in, 11);
        let g = gradient(&layer.a, &layer.d, layer.shape);
        let g32 = gradient(&cast::<f32>(&layer.a), &cast(&layer.d), layer.shape);
        for j in 0..n_out {
            for i in 0..n_in {
                let want = layer.g(j, i);
                let got = g[i * padded(n_out) + j];
                assert_abs_diff_eq!(got, want, epsilon = 1e-12 * (1.0 + want.abs()));
                let got = g32[i * padded(n_out) + j] as f64;
                assert_abs_diff_eq!(got, want, epsilon = 1e-5 * (1.0 + want.abs()));
            }
        }
        assert!(padding(&g, n_out).iter().all(|&x| x == 0.0));
    }
}

#[test]
fn an_empty_batch_only_decays() {
    let (n_out, n_in) = (2, 20);
    let w0 = to_kernel_layout(&filled(n_out * n_in, 13), n_out, n_in);
    let mut w = w0.clone();
    let rate = Rate {
        decay: 0.25,
        step: 0.5,
    };
    let shape = StepShape { m: 0, n_out, n_in };
    gradient_step(&mut w, &[], &[], shape, rate, None, &[]);
    for (x, x0) in w.iter().zip(&w0) {
        assert_eq!(*x, x0 - 0.25 * x0);
    }
}

#[test]
fn zero_inputs_are_skipped_with_the_same_bits() {
    let (m, n_out, n_in) = (7, 30, 200);
    let layer = Layer::new(m, n_out, n_in, 17).with_zero_inputs();
    let (a, _, wt) = layer.in_kernel_layout::<f32>();
    let mut columns = vec![u32::MAX; n_in];
    let count = nonzero_columns(&a, m, n_in, &mut columns);
    let inputs = layer.nonzero_inputs();
    assert!(inputs.len() < n_in * 2 / 3);
    assert_eq!(&columns[..count], inputs.as_slice());
    // Forward: the terms left out are zeros. (Each output starts from other
    // values, so that a place left unwritten differs.)
    let mut dense = vec![0.0f32; m * padded(n_out)];
    let mut sparse = vec![f32::NAN; m * padded(n_out)];
    forward_product(&mut dense, &a, &wt, layer.shape, &all_inputs(n_in));
    forward_product(&mut sparse, &a, &wt, layer.shape, &inputs);
    assert_eq!(bits(&dense), bits(&sparse));
    // Step: blocks of rows without input take g = 0 without the
    // arithmetic; the same weights, sums and products.
    let dense = measured_step(&layer, true, gradient_step::<f32>, &all_inputs(n_in));
    let sparse = measured_step(&layer, true, gradient_step::<f32>, &inputs);
    assert_eq!(step_bits(&dense), step_bits(&sparse));
}

/// The measured step against the plain one and against the products'
/// definitions, in T: blocks of 4 rows, or in f64 of 2.
fn measured_update_matches<T: Real>() {
    let (m, n_out, n_in) = (3, 5, 37);
    let layer = Layer::new(m, n_out, n_in, 5);
    let (a, d, w0) = layer.in_kernel_layout::<T>();
    let mut plain = w0.clone();
    let rate = Rate {
        decay: T::from_f64(1e-5),
        step: T::from_f64(0.01),
    };
    let inputs = all_inputs(n_in);
    gradient_step(&mut plain, &a, &d, layer.shape, rate, None, &inputs);
    let measured = measured_step(&layer, true, gradient_step::<T>, &inputs);
    let (weights, weight_sums, products) = &measured;
    assert_eq!(bits(&plain), bits(weights));
    // The weights before and after the step, added to the sums.
    for ((&s, &before), &after) in weight_sums.iter().zip(&w0).zip(weights) {
        assert_eq!(s, T::one() + (before + after));
    }
    // Without sums: the same weights and products.
    let unsummed = measured_step(&layer, false, gradient_step::<T>, &inputs);
    let [w_bits, _, product_bits] = step_bits(&measured);
    assert_eq!(step_bits(&unsummed), [w_bits, vec![], product_bits]);
    for j in 0..n_out {
        let w_j: Vec<f64> = (0..n_in)
            .map(|i| w0[i * padded(n_out) + j].as_f64())
            .collect();
        let g_j: Vec<f64> = (0..n_in).map(|i| layer.g(j, i)).collect();
        let ww: f64 = w_j.iter().map(|&x| x * x).sum();
        let wg: f64 = w_j.iter().zip(&g_j).map(|(&x, &y)| x * y).sum();
        let gg: f64 = g_j.iter().map(|&y| y * y).sum();
        // Within a few f32 ulps of the sum of the terms' sizes.
        let wg_scale: f64 = w_j.iter().zip(&g_j).map(|(&x, &y)| (x * y).abs()).sum();
        for (x, want, scale) in [(0, ww, ww), (1, wg, wg_scale), (2, gg, gg)] {
            let got = products[j][x].as_f64();
            assert_abs_diff_eq!(got, want, epsilon = 1e-5 * scale);
        }
    }
}

#[test]
fn measured_update_gives_the_same_bits_and_the_products() {
    measured_update_matches::<f32>();
    measured_update_matches::<f64>();
}

#[test]
fn update_rule_literal_numbers() {
    // One example with activations a = (0.6, 0) and error delta = 1, so
    // g = (0.6, 0); w = (2, -1), c = eta*lambda/n = 0.03, step = eta/m_t
    // = 0.1: w' = 2 - 0.03*2 - 0.1*0.6 = 1.88 and -1 + 0.03 = -0.97.
    let (n_out, n_in) = (1, 2);
    let mut wt = to_kernel_layout(&[2.0f64, -1.0], n_out, n_in);
    let rate = Rate {
        decay: 0.03,
        step: 0.1,
    };
    let a = pad_rows(&[0.6, 0.0], 1, n_in);
    let d = pad_rows(&[1.0], 1, n_out);
    // Input 1 is zero in the batch.
    let mut inputs = [0; 2];
    assert_eq!(nonzero_columns(&a, 1, n_in, &mut inputs), 1);
    let shape = StepShape { m: 1, n_out, n_in };
    gradient_step(&mut wt, &a, &d, shape, rate, None, &inputs[..1]);
    let mut w = [0.0; 2];
    from_kernel_layout(&wt, n_out, n_in, &mut w);
    assert_abs_diff_eq!(w[0], 1.88, epsilon = 1e-15);
    assert_abs_diff_eq!(w[1], -0.97, epsilon = 1e-15);
}

use super::*;

fn filled(len: usize, seed: u64) -> Vec<f64> {
    (0..len)
        .map(|i| (((i as u64 + 1) * (seed * 2 + 7919)) % 97) as f64 / 13.0 - 3.5)
        .collect()
}

fn to_f32(x: &[f64]) -> Vec<f32> {
    x.iter().map(|&v| v as f32).collect()
}

/// `rows` rows of `len` values, each padded with zeros to `padded(len)`.
fn pad_rows<T: Real>(x: &[T], rows: usize, len: usize) -> Vec<T> {
    assert_eq!(x.len(), rows * len);
    let mut out = vec![T::zero(); rows * padded(len)];
    for (o, r) in out.chunks_exact_mut(padded(len)).zip(x.chunks_exact(len)) {
        o[..len].copy_from_slice(r);
    }
    out
}

/// The padding of rows of `len` padded values, which must all be zero.
fn padding<T: Real>(x: &[T], len: usize) -> Vec<T> {
    x.chunks_exact(padded(len))
        .flat_map(|r| r[len..].to_vec())
        .collect()
}

fn assert_close(x: f64, y: f64, scale: f64) {
    assert!((x - y).abs() <= 1e-12 * (1.0 + scale), "{x} vs {y}");
}

/// Every input 0..n_in, as the kernels' `inputs`.
fn all_inputs(n_in: usize) -> Vec<u32> {
    (0..n_in as u32).collect()
}

/// A batch of a layer: activations A (m x n_in), errors D (m x n_out) and
/// weights w (n_out x n_in), row-major and unpadded.
struct Layer {
    shape: StepShape,
    a: Vec<f64>,
    d: Vec<f64>,
    w: Vec<f64>,
}

impl Layer {
    fn new(m: usize, n_out: usize, n_in: usize, seed: u64) -> Layer {
        Layer {
            shape: StepShape { m, n_out, n_in },
            a: filled(m * n_in, seed),
            d: filled(m * n_out, seed + 1),
            w: filled(n_out * n_in, seed + 2)
                .iter()
                .map(|x| x * 0.1)
                .collect(),
        }
    }
    /// The same layer with inputs 0..5, 20..53 and every third one zero
    /// in every example.
    fn with_zero_inputs(mut self) -> Layer {
        let StepShape { n_in, .. } = self.shape;
        for row in self.a.chunks_exact_mut(n_in) {
            for (i, x) in row.iter_mut().enumerate() {
                if i < 5 || (20..53).contains(&i) || i % 3 == 0 {
                    *x = 0.0;
                }
            }
        }
        self
    }
    /// The inputs not zero in every example.
    fn nonzero_inputs(&self) -> Vec<u32> {
        let StepShape { m, n_in, .. } = self.shape;
        (0..n_in)
            .filter(|&i| (0..m).any(|b| self.a[b * n_in + i] != 0.0))
            .map(|i| i as u32)
            .collect()
    }
    /// `z[b][j]` = sum_i `a[b][i]` `w[j][i]`, by the textbook loop.
    fn z(&self, b: usize, j: usize) -> f64 {
        let StepShape { n_in, .. } = self.shape;
        (0..n_in)
            .map(|i| self.a[b * n_in + i] * self.w[j * n_in + i])
            .sum()
    }
    /// `g[j][i]` = sum_b `d[b][j]` `a[b][i]`.
    fn g(&self, j: usize, i: usize) -> f64 {
        let StepShape { m, n_out, n_in } = self.shape;
        (0..m)
            .map(|b| self.d[b * n_out + j] * self.a[b * n_in + i])
            .sum()
    }
}

#[test]
fn the_kernel_layout_round_trips_with_zero_padding() {
    let (n_out, n_in) = (3, 5);
    let w = filled(n_out * n_in, 1);
    let wt = to_kernel_layout(&w, n_out, n_in);
    assert_eq!(wt.len(), n_in * 16);
    assert_eq!(wt[16 + 2], w[2 * n_in + 1]);
    assert!(padding(&wt, n_out).iter().all(|&x| x == 0.0));
    let mut back = vec![0.0; n_out * n_in];
    from_kernel_layout(&wt, n_out, n_in, &mut back);
    assert_eq!(back, w);
}

#[test]
fn forward_product_matches_the_triple_loop_in_every_tile() {
    // m: whole tiles of 10 (f32) or 5 (f64), and pairs and single rows
    // left over; n_out: 1, 2 and 3 chunks, and 7 (3 pairs and 1).
    for m in [1, 2, 7, 10, 13, 23] {
        for n_out in [3, 16, 30, 40, 100] {
            let n_in = 37;
            let layer = Layer::new(m, n_out, n_in, m as u64 + n_out as u64);
            let wt = to_kernel_layout(&layer.w, n_out, n_in);
            let a = pad_rows(&layer.a, m, n_in);
            let mut z = vec![f64::NAN; m * padded(n_out)];
            forward_product(&mut z, &a, &wt, layer.shape, &all_inputs(n_in));
            for b in 0..m {
                for j in 0..n_out {
                    let want = layer.z(b, j);
                    assert_close(z[b * padded(n_out) + j], want, want.abs());
                }
            }
            assert!(padding(&z, n_out).iter().all(|&x| x == 0.0));
            // f32: the other tile height.
            let mut z32 = vec![f32::NAN; m * padded(n_out)];
            let wt32 = to_kernel_layout(&to_f32(&layer.w), n_out, n_in);
            let a32 = pad_rows(&to_f32(&layer.a), m, n_in);
            forward_product(&mut z32, &a32, &wt32, layer.shape, &all_inputs(n_in));
            for b in 0..m {
                for j in 0..n_out {
                    let want = layer.z(b, j);
                    let got = z32[b * padded(n_out) + j] as f64;
                    assert!(
                        (got - want).abs() < 1e-4 * (1.0 + want.abs()),
                        "{got} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_row_gives_the_same_bits_in_a_tile_and_alone() {
    let (m, n_out, n_in) = (13, 30, 100);
    let layer = Layer::new(m, n_out, n_in, 3);
    let a = pad_rows(&to_f32(&layer.a), m, n_in);
    let wt = to_kernel_layout(&to_f32(&layer.w), n_out, n_in);
    let mut together = vec![0.0f32; m * padded(n_out)];
    forward_product(&mut together, &a, &wt, layer.shape, &all_inputs(n_in));
    let one = StepShape { m: 1, n_out, n_in };
    for b in 0..m {
        let mut alone = vec![0.0f32; padded(n_out)];
        let row = &a[b * padded(n_in)..][..padded(n_in)];
        forward_product(&mut alone, row, &wt, one, &all_inputs(n_in));
        assert_eq!(
            alone,
            together[b * padded(n_out)..][..padded(n_out)],
            "row {b}"
        );
    }
}

#[test]
fn backward_product_matches_the_triple_loop_for_every_width() {
    // c[b][i] = sum_j d[b][j] w[j][i]: narrower than a chunk, one chunk,
    // two, three.
    for n_out in [3, 16, 30, 40] {
        let (m, n_in) = (4, 10);
        let layer = Layer::new(m, n_out, n_in, 3);
        let wt = to_kernel_layout(&layer.w, n_out, n_in);
        let d = pad_rows(&layer.d, m, n_out);
        let mut c = vec![f64::NAN; m * padded(n_in)];
        let mut w = vec![f64::NAN; n_out * padded(n_in)];
        backward_product(&mut c, &d, &wt, layer.shape, &mut w);
        for b in 0..m {
            for i in 0..n_in {
                let want: f64 = (0..n_out)
                    .map(|j| layer.d[b * n_out + j] * layer.w[j * n_in + i])
                    .sum();
                assert_close(c[b * padded(n_in) + i], want, want.abs());
            }
        }
        assert!(padding(&c, n_in).iter().all(|&x| x == 0.0));
    }
}

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
    // n_out: strips of 1 chunk, of 2, and of 2 then 1; n_in = 150: blocks of 4
    // rows (and of 2 when measured in f64, which the instruction-set
    // test covers) and 2 rows left.
    for n_out in [7, 30, 40] {
        let (m, n_in) = (3, 150);
        let layer = Layer::new(m, n_out, n_in, 11);
        let g = gradient(&layer.a, &layer.d, layer.shape);
        let g32 = gradient(&to_f32(&layer.a), &to_f32(&layer.d), layer.shape);
        for j in 0..n_out {
            for i in 0..n_in {
                let want = layer.g(j, i);
                assert_close(g[i * padded(n_out) + j], want, want.abs());
                let got = g32[i * padded(n_out) + j] as f64;
                assert!(
                    (got - want).abs() < 1e-5 * (1.0 + want.abs()),
                    "{got} vs {want}"
                );
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

/// A gradient step's signature, in f32.
type StepKernel =
    fn(&mut [f32], &[f32], &[f32], StepShape, Rate<f32>, Option<Measurements<f32>>, &[u32]);

/// One measured step of `layer` in f32, by `kernel` (the dispatched
/// one or the portable one) over `inputs`: the new W^T, the weight sums
/// (starting from 1) and the products; with `sums` false, no weight
/// sums.
fn measured_step(
    layer: &Layer,
    sums: bool,
    kernel: StepKernel,
    inputs: &[u32],
) -> (Vec<f32>, Vec<f32>, Vec<[f32; 3]>) {
    let StepShape { m, n_out, n_in } = layer.shape;
    let mut wt = to_kernel_layout(&to_f32(&layer.w), n_out, n_in);
    let a = pad_rows(&to_f32(&layer.a), m, n_in);
    let d = pad_rows(&to_f32(&layer.d), m, n_out);
    let rate = Rate {
        decay: 1e-5f32,
        step: 0.01,
    };
    let mut weight_sums = vec![1.0f32; if sums { wt.len() } else { 0 }];
    let mut products = vec![[0.0f32; 3]; n_out];
    let measurements = Measurements {
        weight_sums: sums.then_some(weight_sums.as_mut_slice()),
        products: &mut products,
    };
    kernel(
        &mut wt,
        &a,
        &d,
        layer.shape,
        rate,
        Some(measurements),
        inputs,
    );
    (wt, weight_sums, products)
}

#[test]
fn zero_inputs_are_skipped_with_the_same_bits() {
    let (m, n_out, n_in) = (7, 30, 200);
    let layer = Layer::new(m, n_out, n_in, 17).with_zero_inputs();
    let a = pad_rows(&to_f32(&layer.a), m, n_in);
    let mut columns = vec![u32::MAX; n_in];
    let count = nonzero_columns(&a, m, n_in, &mut columns);
    let inputs = layer.nonzero_inputs();
    assert!(inputs.len() < n_in * 2 / 3);
    assert_eq!(&columns[..count], inputs.as_slice());
    // Forward: the terms left out are zeros.
    let wt = to_kernel_layout(&to_f32(&layer.w), n_out, n_in);
    let mut dense = vec![0.0f32; m * padded(n_out)];
    let mut sparse = dense.clone();
    forward_product(&mut dense, &a, &wt, layer.shape, &all_inputs(n_in));
    forward_product(&mut sparse, &a, &wt, layer.shape, &inputs);
    assert_eq!(dense, sparse);
    // Step: blocks of rows without input take g = 0 without the
    // arithmetic; the same weights, sums and products.
    let dense = measured_step(&layer, true, gradient_step, &all_inputs(n_in));
    let sparse = measured_step(&layer, true, gradient_step, &inputs);
    assert_eq!(dense, sparse);
}

#[test]
fn measured_update_gives_the_same_bits_and_the_products() {
    let (m, n_out, n_in) = (3, 5, 37);
    let layer = Layer::new(m, n_out, n_in, 5);
    let w0 = to_kernel_layout(&to_f32(&layer.w), n_out, n_in);
    let mut plain = w0.clone();
    let rate = Rate {
        decay: 1e-5f32,
        step: 0.01,
    };
    let (a, d) = (
        pad_rows(&to_f32(&layer.a), m, n_in),
        pad_rows(&to_f32(&layer.d), m, n_out),
    );
    let inputs = all_inputs(n_in);
    gradient_step(&mut plain, &a, &d, layer.shape, rate, None, &inputs);
    let (measured, weight_sums, products) = measured_step(&layer, true, gradient_step, &inputs);
    assert_eq!(plain, measured);
    // The weights before and after the step, added to the sums.
    for ((&s, &before), &after) in weight_sums.iter().zip(&w0).zip(&measured) {
        assert_eq!(s, 1.0 + (before + after));
    }
    // Without sums: the same weights and products.
    let (unsummed, _, products_alone) = measured_step(&layer, false, gradient_step, &inputs);
    assert_eq!((&unsummed, &products_alone), (&plain, &products));
    for j in 0..n_out {
        let w_j: Vec<f64> = (0..n_in)
            .map(|i| w0[i * padded(n_out) + j] as f64)
            .collect();
        let g_j: Vec<f64> = (0..n_in).map(|i| layer.g(j, i)).collect();
        let ww: f64 = w_j.iter().map(|&x| x * x).sum();
        let wg: f64 = w_j.iter().zip(&g_j).map(|(&x, &y)| x * y).sum();
        let gg: f64 = g_j.iter().map(|&y| y * y).sum();
        // f32 sums: within a few ulps of the sum of the terms' sizes.
        let wg_scale: f64 = w_j.iter().zip(&g_j).map(|(&x, &y)| (x * y).abs()).sum();
        for (got, want, scale) in [(0, ww, ww), (1, wg, wg_scale), (2, gg, gg)]
            .map(|(x, want, scale)| (products[j][x], want, scale))
        {
            assert!(
                (got as f64 - want).abs() < 1e-5 * scale,
                "neuron {j}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn every_instruction_set_gives_the_portable_bits() {
    // kernels:: runs the widest instruction set of this CPU; portable::
    // the plain code without target features.
    let (m, n_out, n_in) = (13, 40, 789);
    let layer = Layer::new(m, n_out, n_in, 7).with_zero_inputs();
    let a = pad_rows(&to_f32(&layer.a), m, n_in);
    let wt = to_kernel_layout(&to_f32(&layer.w), n_out, n_in);
    let (mut fast, mut plain) = (
        vec![0.0f32; m * padded(n_out)],
        vec![0.0f32; m * padded(n_out)],
    );
    let inputs = layer.nonzero_inputs();
    forward_product(&mut fast, &a, &wt, layer.shape, &inputs);
    portable::forward_product(&mut plain, &a, &wt, layer.shape, &inputs);
    assert_eq!(fast, plain);
    assert_eq!(
        measured_step(&layer, true, gradient_step, &inputs),
        measured_step(&layer, true, portable::gradient_step, &inputs)
    );
    let mut columns = vec![0; n_in];
    let count = nonzero_columns(&a, m, n_in, &mut columns);
    let plain_count = portable::nonzero_columns(&a, m, n_in, &mut columns.clone());
    assert_eq!((count, &columns[..count]), (plain_count, inputs.as_slice()));
    let d = pad_rows(&to_f32(&layer.d), m, n_out);
    let (mut fast, mut plain) = (
        vec![0.0f32; m * padded(n_in)],
        vec![0.0f32; m * padded(n_in)],
    );
    let mut w = vec![0.0f32; n_out * padded(n_in)];
    backward_product(&mut fast, &d, &wt, layer.shape, &mut w);
    portable::backward_product(&mut plain, &d, &wt, layer.shape, &mut w);
    assert_eq!(fast, plain);
    let z: Vec<f32> = filled(m * padded(n_out), 10)
        .iter()
        .map(|&x| x as f32 * 5.0)
        .collect();
    let (mut fast, mut plain) = (z.clone(), z);
    add_bias_and_sigmoid(&mut fast, &d[..n_out]);
    portable::add_bias_and_sigmoid(&mut plain, &d[..n_out]);
    assert_eq!(fast, plain);
}

/// nonzero_columns on every instruction set and in both precisions
/// against the plain definition: negative entries and NaN count, -0
/// does not, and the last chunk is partial.
fn nonzero_columns_match_the_definition<T: Real>() {
    let (m, n_in) = (3, 16 * 9 + 5);
    let mut a = vec![T::zero(); m * padded(n_in)];
    for (b, row) in a.chunks_exact_mut(padded(n_in)).enumerate() {
        for (i, x) in row[..n_in].iter_mut().enumerate() {
            *x = match (i + b) % 7 {
                0 => T::from_f64(-0.25),
                1 => -T::zero(),
                2 if i % 5 == 0 => T::nan(),
                3 if b == 0 => T::from_f64(1e-30),
                _ => T::zero(),
            };
        }
        // Padding is never read.
        row[n_in..].fill(T::one());
    }
    let expected: Vec<u32> = (0..n_in)
        .filter(|&i| {
            (0..m).any(|b| a[b * padded(n_in) + i] != T::zero() || a[b * padded(n_in) + i].is_nan())
        })
        .map(|i| i as u32)
        .collect();
    assert!(expected.len() > n_in / 4 && expected.len() < n_in * 3 / 4);
    let (mut fast, mut plain) = (vec![u32::MAX; n_in], vec![u32::MAX; n_in]);
    let count = nonzero_columns(&a, m, n_in, &mut fast);
    let plain_count = portable::nonzero_columns(&a, m, n_in, &mut plain);
    assert_eq!(&fast[..count], expected.as_slice());
    assert_eq!(&plain[..plain_count], expected.as_slice());
}

#[test]
fn nonzero_pixels_match_the_definition_on_every_instruction_set() {
    // 40 images of n_in = 16 * 12 + 7 pixels (whole groups of 64, a chunk
    // of 16, a partial chunk), bytes and pooled sums: every fourth
    // pixel zero in all, and a third of the others.
    let n_in = 16 * 12 + 7;
    let bytes: Vec<u8> = (0..40 * n_in)
        .map(|i| {
            if (i % n_in) % 4 == 0 || i % 3 == 0 {
                0
            } else {
                (i % 200) as u8
            }
        })
        .collect();
    let sums: Vec<u16> = bytes.iter().map(|&p| u16::from(p) * 16).collect();
    for images in [&[5][..], &[0, 39], &[7, 8, 21, 2]] {
        let expected: Vec<u32> = (0..n_in)
            .filter(|&i| images.iter().any(|&e| bytes[e * n_in + i] != 0))
            .map(|i| i as u32)
            .collect();
        assert!(expected.len() < n_in);
        let mut columns = vec![u32::MAX; n_in];
        let count = nonzero_pixels(&bytes, n_in, images, &mut columns);
        assert_eq!(&columns[..count], expected.as_slice());
        let count = portable::nonzero_pixels(&bytes, n_in, images, &mut columns);
        assert_eq!(&columns[..count], expected.as_slice());
        let count = nonzero_pixels(&sums, n_in, images, &mut columns);
        assert_eq!(&columns[..count], expected.as_slice());
    }
}

#[test]
fn nonzero_columns_match_the_definition_f32_and_f64() {
    nonzero_columns_match_the_definition::<f32>();
    nonzero_columns_match_the_definition::<f64>();
}

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
    assert!((w[0] - 1.88).abs() < 1e-15);
    assert!((w[1] + 0.97).abs() < 1e-15);
}

#[test]
fn column_sums_add_rows() {
    let a = [1.0, 2.0, 3.0, 10.0, 20.0, 30.0];
    let mut s = [0.0; 3];
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
    assert!((a[1] - 0.8807970779778823).abs() < 1e-16);
    assert_eq!(a[2], 0.0);
    assert_eq!(a[3], 1.0);
    assert!((a[4] / (-700.0f64).exp() - 1.0).abs() < 1e-14);
    assert!(a[5].is_nan());
    let mut a32 = pad_rows(&[0.0f32, -90.0, -80.0, 1000.0], 2, 2);
    add_bias_and_sigmoid(&mut a32, &[1.0, 1.0]);
    assert_eq!(a32[0], 1.0 / (1.0 + (-1.0f32).exp()));
    // sigma(-89) is below f32's smallest normal number: 0, not subnormal.
    assert_eq!(a32[1], 0.0);
    assert!(a32[16] > 0.0 && a32[16].is_normal());
    assert_eq!(a32[17], 1.0);
}

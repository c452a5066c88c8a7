//! Every instruction-set level this CPU has (each one `kernels::x86`
//! compiles, not only the one the dispatch picks) against the portable
//! code, bit for bit, and the nonzero-column finders against their
//! definitions on each.

use super::*;

/// A forward product's signature.
type ForwardKernel<T> = fn(&mut [T], &[T], &[T], StepShape, &[u32]);
/// A backward product's signature.
type BackwardKernel<T> = fn(&mut [T], &[T], &[T], StepShape, &mut [T]);

/// One instruction-set level's kernels, as plain functions.
struct Kernels<T: 'static> {
    name: &'static str,
    forward_product: ForwardKernel<T>,
    gradient_step: StepKernel<T>,
    backward_product: BackwardKernel<T>,
    column_sums: fn(&mut [T], &[T]),
    add_bias_and_sigmoid: fn(&mut [T], &[T]),
    scale_bytes: fn(&mut [T], &[u8], u16),
    scale_sums: fn(&mut [T], &[u16], u16),
    nonzero_columns: fn(&[T], usize, usize, &mut [u32]) -> usize,
    nonzero_bytes: fn(&[u8], usize, &[usize], &mut [u32]) -> usize,
    nonzero_sums: fn(&[u16], usize, &[usize], &mut [u32]) -> usize,
}

/// The kernels of a module, named `name`: `portable` or the dispatching
/// `super`; or, with `unsafe`, a module of `x86` whose functions need CPU
/// features, each call in an unsafe block whose safety rests on the
/// caller: it builds these only once the CPU has been found to have the
/// features.
macro_rules! kernels_of {
    ($name:literal, $($module:ident)::+) => {
        Kernels {
            name: $name,
            forward_product: $($module)::+::forward_product,
            gradient_step: $($module)::+::gradient_step,
            backward_product: $($module)::+::backward_product,
            column_sums: $($module)::+::column_sums,
            add_bias_and_sigmoid: $($module)::+::add_bias_and_sigmoid,
            scale_bytes: $($module)::+::scale_pixels,
            scale_sums: $($module)::+::scale_pixels,
            nonzero_columns: $($module)::+::nonzero_columns,
            nonzero_bytes: $($module)::+::nonzero_pixels,
            nonzero_sums: $($module)::+::nonzero_pixels,
        }
    };
    (unsafe $name:literal, $($module:ident)::+) => {
        Kernels {
            name: $name,
            // SAFETY (every call below): see the macro's comment.
            forward_product: |z, a, wt, shape, inputs| unsafe {
                $($module)::+::forward_product(z, a, wt, shape, inputs)
            },
            gradient_step: |wt, a, d, shape, rate, measurements, inputs| unsafe {
                $($module)::+::gradient_step(wt, a, d, shape, rate, measurements, inputs)
            },
            backward_product: |c, d, wt, shape, w| unsafe {
                $($module)::+::backward_product(c, d, wt, shape, w)
            },
            column_sums: |s, a| unsafe { $($module)::+::column_sums(s, a) },
            add_bias_and_sigmoid: |z, biases| unsafe {
                $($module)::+::add_bias_and_sigmoid(z, biases)
            },
            scale_bytes: |out, pixels, white| unsafe {
                $($module)::+::scale_pixels(out, pixels, white)
            },
            scale_sums: |out, pixels, white| unsafe {
                $($module)::+::scale_pixels(out, pixels, white)
            },
            nonzero_columns: |a, m, n_in, columns| unsafe {
                $($module)::+::nonzero_columns(a, m, n_in, columns)
            },
            nonzero_bytes: |pixels, n_in, images, columns| unsafe {
                $($module)::+::nonzero_pixels(pixels, n_in, images, columns)
            },
            nonzero_sums: |pixels, n_in, images, columns| unsafe {
                $($module)::+::nonzero_pixels(pixels, n_in, images, columns)
            },
        }
    };
}

/// The plain portable kernels (the reference), then the dispatched ones
/// and every instruction-set level of `x86` that this CPU has, each as the
/// dispatch checks for it (not only the best one: on an AVX-512 machine,
/// AVX2 too).
fn instruction_sets<T: Real>() -> (Kernels<T>, Vec<Kernels<T>>) {
    #[allow(unused_mut)]
    let mut levels = vec![kernels_of!("dispatched", super)];
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx2") && has!("fma") {
            levels.push(kernels_of!(unsafe "avx2", x86::avx2));
        }
        if has!("avx512f") && has!("avx2") && has!("popcnt") && has!("fma") {
            levels.push(kernels_of!(unsafe "avx512", x86::avx512));
        }
    }
    (kernels_of!("portable", portable), levels)
}

/// Every level's forward product, step (plain and measured), backward
/// product, column sums, sigmoid, pixel scaling and nonzero columns in T,
/// against the portable code's bits.
fn same_bits_on_every_instruction_set<T: Real>(m: usize) {
    let (portable, levels) = instruction_sets::<T>();
    let (n_out, n_in) = (40, 789);
    let layer = Layer::new(m, n_out, n_in, 7).with_zero_inputs();
    let (a, d, wt) = layer.in_kernel_layout::<T>();
    let inputs = layer.nonzero_inputs();
    let rate = Rate {
        decay: T::from_f64(1e-5),
        step: T::from_f64(0.01),
    };
    // Weighted inputs from about -20 to 20, and past where sigma is 0 or 1.
    let scaled: Vec<f64> = filled(m * padded(n_out), 10)
        .iter()
        .map(|&x| x * 5.7)
        .collect();
    let mut z0: Vec<T> = cast(&scaled);
    z0[..4].copy_from_slice(&cast(&[-1000.0, -707.5, -86.5, 1000.0]));
    let bytes: Vec<u8> = (0..1000).map(|i| (i * 37 % 256) as u8).collect();
    let pooled: Vec<u16> = (0..1000).map(|i| (i * 37 % 4081) as u16).collect();
    // Each kernel's outputs by `k`, named, as bits. Each output starts
    // from `unset`, which differs between the two sides compared, so that a
    // place left unwritten on either side shows.
    let outputs = |k: &Kernels<T>, unset: T| -> Vec<(&'static str, Vec<u64>)> {
        let mut z = vec![unset; m * padded(n_out)];
        (k.forward_product)(&mut z, &a, &wt, layer.shape, &inputs);
        let mut stepped = wt.clone();
        (k.gradient_step)(&mut stepped, &a, &d, layer.shape, rate, None, &inputs);
        let summed = step_bits(&measured_step(&layer, true, k.gradient_step, &inputs));
        let [summed_weights, weight_sums, summed_products] = summed;
        let unsummed = step_bits(&measured_step(&layer, false, k.gradient_step, &inputs));
        let [unsummed_weights, _, unsummed_products] = unsummed;
        let mut c = vec![unset; m * padded(n_in)];
        let mut w = vec![unset; n_out * padded(n_in)];
        (k.backward_product)(&mut c, &d, &wt, layer.shape, &mut w);
        let mut column_sums = vec![unset; padded(n_out)];
        (k.column_sums)(&mut column_sums, &d);
        let mut sigmoid = z0.clone();
        (k.add_bias_and_sigmoid)(&mut sigmoid, &d[..n_out]);
        let (mut from_bytes, mut from_sums) = (vec![unset; 1000], vec![unset; 1000]);
        (k.scale_bytes)(&mut from_bytes, &bytes, 255);
        (k.scale_sums)(&mut from_sums, &pooled, 4080);
        let mut columns = vec![u32::MAX; n_in];
        let count = (k.nonzero_columns)(&a, m, n_in, &mut columns);
        vec![
            ("forward product", bits(&z)),
            ("step", bits(&stepped)),
            ("measured step's weights", summed_weights),
            ("measured step's weight sums", weight_sums),
            ("measured step's products", summed_products),
            ("measured step's weights, no sums", unsummed_weights),
            ("measured step's products, no sums", unsummed_products),
            ("backward product", bits(&c)),
            ("column sums", bits(&column_sums)),
            ("sigmoid", bits(&sigmoid)),
            ("scaled bytes", bits(&from_bytes)),
            ("scaled pooled sums", bits(&from_sums)),
            (
                "nonzero columns",
                columns[..count].iter().map(|&i| i.into()).collect(),
            ),
        ]
    };
    let expected = outputs(&portable, T::from_f64(7.0));
    for level in &levels {
        for ((what, got), (_, want)) in outputs(level, T::nan()).iter().zip(&expected) {
            assert_eq!(got, want, "{}: {what}", level.name);
        }
    }
}

#[test]
fn every_instruction_set_gives_the_portable_bits() {
    // m = 13: whole tiles and a pair, the step skipping blocks without
    // input; m = 3: a pair and a row, no skipping.
    for m in [13, 3] {
        same_bits_on_every_instruction_set::<f32>(m);
        same_bits_on_every_instruction_set::<f64>(m);
    }
}

/// nonzero_columns on every instruction set and in T against the plain
/// definition: negative entries and NaN count, -0 does not, and the last
/// chunk is partial.
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
    let at = |b: usize, i: usize| a[b * padded(n_in) + i];
    let expected: Vec<u32> = (0..n_in)
        .filter(|&i| (0..m).any(|b| at(b, i) != T::zero() || at(b, i).is_nan()))
        .map(|i| i as u32)
        .collect();
    assert!(expected.len() > n_in / 4 && expected.len() < n_in * 3 / 4);
    let (portable, levels) = instruction_sets::<T>();
    for level in levels.iter().chain([&portable]) {
        let mut columns = vec![u32::MAX; n_in];
        let count = (level.nonzero_columns)(&a, m, n_in, &mut columns);
        assert_eq!(&columns[..count], expected.as_slice(), "{}", level.name);
    }
}

#[test]
fn nonzero_columns_match_the_definition_f32_and_f64() {
    nonzero_columns_match_the_definition::<f32>();
    nonzero_columns_match_the_definition::<f64>();
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
    let (portable, levels) = instruction_sets::<f32>();
    for images in [&[5][..], &[0, 39], &[7, 8, 21, 2]] {
        let expected: Vec<u32> = (0..n_in)
            .filter(|&i| images.iter().any(|&e| bytes[e * n_in + i] != 0))
            .map(|i| i as u32)
            .collect();
        assert!(expected.len() < n_in);
        for level in levels.iter().chain([&portable]) {
            let mut columns = vec![u32::MAX; n_in];
            let count = (level.nonzero_bytes)(&bytes, n_in, images, &mut columns);
            assert_eq!(
                &columns[..count],
                expected.as_slice(),
                "{}: bytes",
                level.name
            );
            let mut columns = vec![u32::MAX; n_in];
            let count = (level.nonzero_sums)(&sums, n_in, images, &mut columns);
            assert_eq!(
                &columns[..count],
                expected.as_slice(),
                "{}: sums",
                level.name
            );
        }
    }
}

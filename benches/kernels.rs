//! The step's kernels on the shapes that matter ([784, 30, 10], m = 10),
//! against the `matrixmultiply` crate on the same products, in the same
//! layout: W^T (784 rows of 30 weights, padded to 32), A and Delta with
//! rows padded to whole chunks of 16.
//!
//!     cargo bench --bench kernels

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use decaylab::kernels::{self, Measurements, Rate, StepShape, padded};

const M: usize = 10; // mini-batch
const N_IN: usize = 784;
const N_OUT: usize = 30;
const SHAPE: StepShape = StepShape {
    m: M,
    n_out: N_OUT,
    n_in: N_IN,
};

/// Activations of the input layer as in a batch of 10 MNIST images: the
/// 4-pixel border of the 28 x 28 square blank in all of them (384 of the
/// 784 inputs, about the share of pixels blank in all ten images of a
/// random batch), rows padded.
fn images(seed: u32) -> Vec<f32> {
    let mut a = filled(M * padded(N_IN), seed);
    for row in a.chunks_exact_mut(padded(N_IN)) {
        for (i, x) in row.iter_mut().enumerate() {
            let (y, x_pos) = (i / 28, i % 28);
            if !(4..24).contains(&y) || !(4..24).contains(&x_pos) {
                *x = 0.0;
            }
        }
    }
    a
}

fn filled(len: usize, seed: u32) -> Vec<f32> {
    (0..len)
        .map(|i| {
            ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) >> 8) as f32
                / (1u32 << 24) as f32
                - 0.5
        })
        .collect()
}

/// Z (m x 30) = A (m x 784) W^T: the forward product of the first layer.
fn forward(c: &mut Criterion) {
    let (out_stride, in_stride) = (padded(N_OUT) as isize, padded(N_IN) as isize);
    let a = images(1);
    let wt = kernels::to_kernel_layout(&filled(N_OUT * N_IN, 2), N_OUT, N_IN);
    let mut z = vec![0.0f32; M * padded(N_OUT)];
    let mut group = c.benchmark_group("forward Z = A W^T, 10x784 * 784x30");
    group.bench_function("decaylab, every input", |b| {
        let all: Vec<u32> = (0..N_IN as u32).collect();
        b.iter(|| kernels::forward_product(black_box(&mut z), black_box(&a), &wt, SHAPE, &all))
    });
    group.bench_function(
        "decaylab, finding and skipping the inputs blank in all 10 images",
        |b| {
            let mut inputs = vec![0; N_IN];
            b.iter(|| {
                let count = kernels::nonzero_columns(black_box(&a), M, N_IN, &mut inputs);
                kernels::forward_product(black_box(&mut z), &a, &wt, SHAPE, &inputs[..count])
            })
        },
    );
    group.bench_function(
        "decaylab, finding the inputs blank in all 10 images (alone)",
        |b| {
            let mut inputs = vec![0; N_IN];
            b.iter(|| kernels::nonzero_columns(black_box(&a), M, N_IN, &mut inputs))
        },
    );
    group.bench_function(
        "decaylab, finding the same inputs from the 10 images' stored bytes (alone)",
        |b| {
            // The batch's images as stored: bytes, one image after another.
            let bytes: Vec<u8> = a
                .chunks_exact(padded(N_IN))
                .flat_map(|row| row[..N_IN].iter().map(|&x| (x.abs() * 255.0).ceil() as u8))
                .collect();
            let images: Vec<usize> = (0..M).collect();
            let mut inputs = vec![0; N_IN];
            b.iter(|| kernels::nonzero_pixels(black_box(&bytes), N_IN, &images, &mut inputs))
        },
    );
    group.bench_function("matrixmultiply::sgemm", |b| {
        b.iter(|| unsafe {
            // SAFETY: the pointers and strides describe the three live,
            // correctly sized buffers above: A m x n_in with rows of
            // in_stride, W^T n_in x n_out with rows of out_stride, Z m x
            // n_out with rows of out_stride.
            matrixmultiply::sgemm(
                M,
                N_IN,
                N_OUT,
                1.0,
                a.as_ptr(),
                in_stride,
                1,
                wt.as_ptr(),
                out_stride,
                1,
                0.0,
                z.as_mut_ptr(),
                out_stride,
                1,
            )
        })
    });
    group.finish();
}

/// G^T (784 x 30) = A^T Delta: the first layer's weight gradient. Ours is
/// fused with the update (G is formed in registers and applied to W^T);
/// the crate's is the product alone, stored, before any update.
fn gradient(c: &mut Criterion) {
    let (out_stride, in_stride) = (padded(N_OUT) as isize, padded(N_IN) as isize);
    let a = images(3);
    let mut inputs = vec![0; N_IN];
    let count = kernels::nonzero_columns(&a, M, N_IN, &mut inputs);
    inputs.truncate(count);
    let mut delta = filled(M * padded(N_OUT), 4);
    // Padding of Delta is zero, as in training.
    for row in delta.chunks_exact_mut(padded(N_OUT)) {
        row[N_OUT..].fill(0.0);
    }
    let mut wt = kernels::to_kernel_layout(&filled(N_OUT * N_IN, 5), N_OUT, N_IN);
    let mut gt = vec![0.0f32; wt.len()];
    let rate = Rate {
        decay: 1e-5,
        step: 0.01,
    };
    // One step of the first layer, measured or not.
    let step = |wt: &mut [f32], measurements: Option<Measurements<f32>>| {
        kernels::gradient_step(
            black_box(wt),
            black_box(&a),
            black_box(&delta),
            SHAPE,
            rate,
            measurements,
            &inputs,
        )
    };
    let mut group = c.benchmark_group("gradient G^T = A^T Delta, (10x784)^T * 10x30");
    group.bench_function(
        "decaylab gradient_step (with the update), skipping blank inputs",
        |b| b.iter(|| step(&mut wt, None)),
    );
    let mut weight_sums = vec![0.0f32; wt.len()];
    let mut products = vec![[0.0f32; 3]; N_OUT];
    group.bench_function(
        "decaylab gradient_step, measured, skipping blank inputs",
        |b| {
            b.iter(|| {
                let measurements = Measurements {
                    weight_sums: Some(&mut weight_sums),
                    products: &mut products,
                };
                step(&mut wt, Some(measurements))
            })
        },
    );
    group.bench_function(
        "decaylab gradient_step, the products only (a step without the sums)",
        |b| {
            b.iter(|| {
                let measurements = Measurements {
                    weight_sums: None,
                    products: &mut products,
                };
                step(&mut wt, Some(measurements))
            })
        },
    );
    group.bench_function("matrixmultiply::sgemm (the product only)", |b| {
        b.iter(|| unsafe {
            // SAFETY: A^T as an n_in x m view of A (m rows of in_stride),
            // Delta m x n_out with rows of out_stride, G^T n_in x n_out with
            // rows of out_stride; all live.
            matrixmultiply::sgemm(
                N_IN,
                M,
                N_OUT,
                1.0,
                a.as_ptr(),
                1,
                in_stride,
                delta.as_ptr(),
                out_stride,
                1,
                0.0,
                gt.as_mut_ptr(),
                out_stride,
                1,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, forward, gradient);
criterion_main!(benches);

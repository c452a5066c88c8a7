//! The step's kernels on the shapes that matter ([784, 30, 10], m = 10),
//! against the `matrixmultiply` crate on the same products.
//!
//!     cargo bench --bench kernels

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use decaylab::kernels::{self, Measurements, Rate, StepShape};

const M: usize = 10; // mini-batch
const N_IN: usize = 784;
const N_OUT: usize = 30;

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
    let a = filled(M * N_IN, 1);
    let w = filled(N_OUT * N_IN, 2);
    let mut z = vec![0.0f32; M * N_OUT];
    let mut group = c.benchmark_group("forward Z = A W^T, 10x784 * (30x784)^T");
    group.bench_function("decaylab", |b| {
        b.iter(|| {
            kernels::matmul_a_bt(
                black_box(&mut z),
                black_box(&a),
                black_box(&w),
                M,
                N_IN,
                N_OUT,
            )
        })
    });
    group.bench_function("matrixmultiply::sgemm", |b| {
        b.iter(|| unsafe {
            // SAFETY: the pointers and strides describe the three live,
            // correctly sized buffers above: A row-major m x k, W^T as a
            // k x n view of the row-major n x k W, Z row-major m x n.
            matrixmultiply::sgemm(
                M,
                N_IN,
                N_OUT,
                1.0,
                a.as_ptr(),
                N_IN as isize,
                1,
                w.as_ptr(),
                1,
                N_IN as isize,
                0.0,
                z.as_mut_ptr(),
                N_OUT as isize,
                1,
            )
        })
    });
    group.finish();
}

/// G (30 x 784) = Delta^T A: the first layer's weight gradient. Ours is
/// fused with the update (G is formed in registers and applied to W); the
/// crate's is the product alone, stored, before any update.
fn gradient(c: &mut Criterion) {
    let a = filled(M * N_IN, 3);
    let delta = filled(M * N_OUT, 4);
    let mut w = filled(N_OUT * N_IN, 5);
    let mut g = vec![0.0f32; N_OUT * N_IN];
    let shape = StepShape {
        m: M,
        n: N_OUT,
        k: N_IN,
    };
    let rate = Rate {
        decay: 1e-5,
        step: 0.01,
    };
    let mut group = c.benchmark_group("gradient G = Delta^T A, (10x30)^T * 10x784");
    group.bench_function("decaylab gradient_step (with the update)", |b| {
        b.iter(|| {
            kernels::gradient_step(
                black_box(&mut w),
                black_box(&a),
                black_box(&delta),
                shape,
                rate,
                None,
            )
        })
    });
    let mut weight_sums = vec![0.0f32; N_OUT * N_IN];
    let mut products = vec![[0.0f32; 3]; N_OUT];
    group.bench_function("decaylab gradient_step, measured", |b| {
        b.iter(|| {
            let measurements = Measurements {
                weight_sums: Some(&mut weight_sums),
                products: &mut products,
            };
            kernels::gradient_step(
                black_box(&mut w),
                black_box(&a),
                black_box(&delta),
                shape,
                rate,
                Some(measurements),
            )
        })
    });
    group.bench_function("matrixmultiply::sgemm (the product only)", |b| {
        b.iter(|| unsafe {
            // SAFETY: Delta^T as a 30 x 10 view of the row-major 10 x 30
            // Delta, A row-major 10 x 784, G row-major 30 x 784; all live.
            matrixmultiply::sgemm(
                N_OUT,
                M,
                N_IN,
                1.0,
                delta.as_ptr(),
                1,
                N_OUT as isize,
                a.as_ptr(),
                N_IN as isize,
                1,
                0.0,
                g.as_mut_ptr(),
                N_IN as isize,
                1,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, forward, gradient);
criterion_main!(benches);

//! The layout, and the forward and backward products against the
//! textbook loops.

use super::*;
use approx::assert_abs_diff_eq;

#[test]
fn the_kernel_layout_round_trips_with_zero_padding() {
    let (n_out, n_in) = (3, 5);
    let w = filled(n_out * n_in, 1);
    let wt = to_kernel_layout(&w, n_out, n_in);
    assert_eq!(wt.len(), n_in * 16);
    // Row i = 1 of W^T, column j = 2: w[2][1].
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
            let (a, _, wt) = layer.in_kernel_layout::<f64>();
            let mut z = vec![f64::NAN; m * padded(n_out)];
            forward_product(&mut z, &a, &wt, layer.shape, &all_inputs(n_in));
            for b in 0..m {
                for j in 0..n_out {
                    let want = layer.z(b, j);
                    let got = z[b * padded(n_out) + j];
                    assert_abs_diff_eq!(got, want, epsilon = 1e-12 * (1.0 + want.abs()));
                }
            }
            assert!(padding(&z, n_out).iter().all(|&x| x == 0.0));
            // f32: the other tile height.
            let (a32, _, wt32) = layer.in_kernel_layout::<f32>();
            let mut z32 = vec![f32::NAN; m * padded(n_out)];
            forward_product(&mut z32, &a32, &wt32, layer.shape, &all_inputs(n_in));
            for b in 0..m {
                for j in 0..n_out {
                    let want = layer.z(b, j);
                    let got = z32[b * padded(n_out) + j] as f64;
                    assert_abs_diff_eq!(got, want, epsilon = 1e-4 * (1.0 + want.abs()));
                }
            }
        }
    }
}

#[test]
fn a_row_gives_the_same_bits_in_a_tile_and_alone() {
    let (m, n_out, n_in) = (13, 30, 100);
    let layer = Layer::new(m, n_out, n_in, 3);
    let (a, _, wt) = layer.in_kernel_layout::<f32>();
    let mut together = vec![f32::NAN; m * padded(n_out)];
    forward_product(&mut together, &a, &wt, layer.shape, &all_inputs(n_in));
    let one = StepShape { m: 1, n_out, n_in };
    for b in 0..m {
        // Other values than `together`'s to start with: a place left
        // unwritten in either differs.
        let mut alone = vec![0.0f32; padded(n_out)];
        let row = &a[b * padded(n_in)..][..padded(n_in)];
        forward_product(&mut alone, row, &wt, one, &all_inputs(n_in));
        let in_tile = &together[b * padded(n_out)..][..padded(n_out)];
        assert_eq!(bits(&alone), bits(in_tile), "row {b}");
    }
}

#[test]
fn backward_product_matches_the_triple_loop_for_every_width() {
    // c[b][i] = sum_j d[b][j] w[j][i]: n_out narrower than a chunk, one
    // chunk, two, three.
    for n_out in [3, 16, 30, 40] {
        let (m, n_in) = (4, 10);
        let layer = Layer::new(m, n_out, n_in, 3);
        let (_, d, wt) = layer.in_kernel_layout::<f64>();
        let mut c = vec![f64::NAN; m * padded(n_in)];
        let mut w = vec![f64::NAN; n_out * padded(n_in)];
        backward_product(&mut c, &d, &wt, layer.shape, &mut w);
        for b in 0..m {
            for i in 0..n_in {
                let want: f64 = (0..n_out)
                    .map(|j| layer.d[b * n_out + j] * layer.w[j * n_in + i])
                    .sum();
                let got = c[b * padded(n_in) + i];
                assert_abs_diff_eq!(got, want, epsilon = 1e-12 * (1.0 + want.abs()));
            }
        }
        assert!(padding(&c, n_in).iter().all(|&x| x == 0.0));
    }
}

//! The data's first stop: IDX files in, labelled images out.
//!
//! `idx` reads any IDX file of unsigned bytes; `mnist` knows the four MNIST
//! files (bundled in the binary or read from a directory), Nielsen's split,
//! and pooling. A [`Dataset`] holds labelled images compactly and writes
//! mini-batches of them as floats.

pub mod idx;
pub mod mnist;

pub use mnist::{BLANK_PIXELS, DataSource, Mnist, TRAINING_SIZE};

use crate::kernels::{self, Real};

/// Labelled grayscale images, stored as the integers read from the file.
///
/// Why integers: the 60,000 MNIST images take 47 MB as bytes but 188 MB as
/// f32 and 376 MB as f64, and a study runs many trainings side by side.
/// Training reads every image once per epoch; turning the m images of a
/// mini-batch into floats costs m*784 table look-ups, nothing beside the
/// m*784*30 multiply-adds of the forward pass that follows. Average-pooled
/// images keep the *sum* of their pooled pixels (at most 16*255, a u16), so
/// pooling loses nothing either.
#[derive(Debug, Clone)]
pub struct Dataset {
    pixels: Pixels,
    labels: Vec<u8>,
    width: usize,
    height: usize,
    /// The divisor that scales a stored value to [0, 1]: 255 times the
    /// pixels pooled into one (so a white pixel is 1), or 256 for the
    /// book's `mnist.pkl.gz` (see [`Dataset::book_scaled`]).
    white: u16,
    /// c of x -> c x: every input is the stored value / white times this
    /// (1 leaves the inputs in [0, 1]; see [`Dataset::scaled`]).
    scale: f64,
}

#[derive(Debug, Clone)]
enum Pixels {
    /// Raw pixels, 0 (black) to 255 (white).
    Bytes(Vec<u8>),
    /// Sums of pool x pool raw pixels.
    Sums(Vec<u16>),
}

impl Dataset {
    /// Images of `width x height` raw byte pixels, one after the other, and
    /// their labels (0-9). The caller has checked the shapes.
    pub fn from_bytes(width: usize, height: usize, pixels: Vec<u8>, labels: Vec<u8>) -> Dataset {
        assert_eq!(pixels.len(), width * height * labels.len());
        assert!(labels.iter().all(|&l| l <= 9));
        Dataset {
            pixels: Pixels::Bytes(pixels),
            labels,
            width,
            height,
            white: 255,
            scale: 1.0,
        }
    }

    /// The same images with every input multiplied by `c` (x -> c x): the
    /// inputs' norm |x| times c, their number n_in unchanged. (Scaling by c
    /// rounds once more than the stored value / white; c = 1 is exactly the
    /// unscaled set.)
    pub fn scaled(mut self, c: f64) -> Dataset {
        self.scale *= c;
        self
    }

    /// c of x -> c x (1 unless [`Dataset::scaled`]).
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether it has no examples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of pixels of one image: the network's n_0.
    pub fn inputs(&self) -> usize {
        self.width * self.height
    }

    /// Image side lengths, width x height.
    pub fn shape(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// The digit (0-9) each example shows.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The examples `range` of this set, as a new set.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Dataset {
        let pixel_range = range.start * self.inputs()..range.end * self.inputs();
        let pixels = match &self.pixels {
            Pixels::Bytes(p) => Pixels::Bytes(p[pixel_range].to_vec()),
            Pixels::Sums(p) => Pixels::Sums(p[pixel_range].to_vec()),
        };
        Dataset {
            pixels,
            labels: self.labels[range].to_vec(),
            ..*self
        }
    }

    /// Average-pool every image over non-overlapping `pool x pool` squares
    /// (28x28 -> 14x14 for pool 2, 7x7 for pool 4). The caller has checked
    /// that `pool` divides both sides.
    pub fn pooled(&self, pool: usize) -> Dataset {
        if pool == 1 {
            return self.clone();
        }
        assert!(self.width.is_multiple_of(pool) && self.height.is_multiple_of(pool));
        let Pixels::Bytes(raw) = &self.pixels else {
            panic!("pooling a pooled set");
        };
        assert_eq!(self.white, 255, "pooling a set scaled by 1/{}", self.white);
        let (width, height) = (self.width / pool, self.height / pool);
        let mut sums = vec![0u16; width * height * self.len()];
        for (image, pooled) in raw
            .chunks_exact(self.inputs())
            .zip(sums.chunks_exact_mut(width * height))
        {
            // Pooled row y holds the squares of image rows pool*y.. pool*y + pool - 1.
            let bands = image.chunks_exact(self.width * pool);
            for (band, pooled_row) in bands.zip(pooled.chunks_exact_mut(width)) {
                for row in band.chunks_exact(self.width) {
                    for (sum, run) in pooled_row.iter_mut().zip(row.chunks_exact(pool)) {
                        *sum += run.iter().map(|&p| p as u16).sum::<u16>();
                    }
                }
            }
        }
        Dataset {
            pixels: Pixels::Sums(sums),
            labels: self.labels.clone(),
            width,
            height,
            white: 255 * (pool * pool) as u16,
            scale: self.scale,
        }
    }

    /// The same images scaled as the book's `mnist.pkl.gz` stores them:
    /// each pixel byte p as p / 256 (exact in f32 and f64, so float32
    /// widened to f64 gives the same value), a white pixel 0.99609375.
    pub fn book_scaled(&self) -> Dataset {
        assert!(
            matches!(self.pixels, Pixels::Bytes(_)),
            "the book's scaling is of raw pixel bytes"
        );
        Dataset {
            white: 256,
            ..self.clone()
        }
    }

    /// Bring the images `examples` into the CPU's caches ahead of
    /// [`Dataset::write_inputs`] (a hint; no effect on results).
    pub fn prefetch(&self, examples: &[usize]) {
        let n = self.inputs();
        for &e in examples {
            let image = e * n..(e + 1) * n;
            match &self.pixels {
                Pixels::Bytes(p) => kernels::prefetch(&p[image]),
                Pixels::Sums(p) => kernels::prefetch(&p[image]),
            }
        }
    }

    /// The inputs that are not zero in some image of `examples`,
    /// increasing, written to the start of `columns` (at least `inputs()`
    /// long); returns how many. They are the columns of the rows
    /// [`Dataset::write_inputs`] writes that are not zero in some row (a
    /// stored pixel p gives p / white, zero exactly when p is), found from
    /// the stored pixels (see `kernels::nonzero_pixels`).
    pub fn nonzero_inputs(&self, examples: &[usize], columns: &mut [u32]) -> usize {
        let n = self.inputs();
        match &self.pixels {
            Pixels::Bytes(p) => kernels::nonzero_pixels(p, n, examples, columns),
            Pixels::Sums(p) => kernels::nonzero_pixels(p, n, examples, columns),
        }
    }

    /// The rms length of the input vectors, sqrt(mean over the images of
    /// |x|^2), in the units [`Dataset::write_inputs`] writes (scale
    /// included), computed in f64.
    pub fn rms_norm(&self) -> f64 {
        let n = self.inputs();
        let mut x = vec![0.0f64; kernels::padded(n)];
        let sum_sq: f64 = (0..self.len())
            .map(|e| {
                self.write_inputs(&[e], &mut x);
                x[..n].iter().map(|v| v * v).sum::<f64>()
            })
            .sum();
        (sum_sq / self.len().max(1) as f64).sqrt()
    }

    /// Write the images `examples` as rows of `x`, one per example, each
    /// `kernels::padded(inputs)` long (padding left as it is), pixel values
    /// scaled to [0, 1]: stored value / white, divided in T (so a byte p
    /// gives the nearest T to p/255), then times the set's scale c if it is
    /// not 1.
    pub fn write_inputs<T: Real>(&self, examples: &[usize], x: &mut [T]) {
        let n = self.inputs();
        let stride = kernels::padded(n);
        assert_eq!(x.len(), examples.len() * stride);
        for (padded_row, &e) in x.chunks_exact_mut(stride).zip(examples) {
            let row = &mut padded_row[..n];
            let image = e * n..(e + 1) * n;
            match &self.pixels {
                Pixels::Bytes(p) => kernels::scale_pixels(row, &p[image], self.white),
                Pixels::Sums(p) => kernels::scale_pixels(row, &p[image], self.white),
            }
            if self.scale != 1.0 {
                let c = T::from_f64(self.scale);
                row.iter_mut().for_each(|x| *x *= c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rms_norm_is_the_rms_length_of_the_written_inputs() {
        // Two 2x1 images: (255, 0) and (0, 0) -> |x|^2 = 1 and 0.
        let set = Dataset::from_bytes(2, 1, vec![255, 0, 0, 0], vec![0, 1]);
        assert_eq!(set.rms_norm(), 0.5f64.sqrt());
        approx::assert_relative_eq!(set.scaled(3.0).rms_norm(), 3.0 * 0.5f64.sqrt());
    }

    #[test]
    fn pooling_averages_squares_exactly() {
        // One 4x4 image; pool 2 gives 2x2 averages.
        let pixels = vec![
            0, 255, 10, 10, //
            255, 0, 10, 10, //
            1, 2, 255, 255, //
            3, 4, 255, 255,
        ];
        let set = Dataset::from_bytes(4, 4, pixels, vec![3]);
        let pooled = set.pooled(2);
        assert_eq!(pooled.shape(), (2, 2));
        let mut x = vec![0.0; 16];
        pooled.write_inputs(&[0], &mut x);
        assert_eq!(x[..4], [0.5, 40.0 / 1020.0, 10.0 / 1020.0, 1.0]);
        // Scaled by 2 after pooling: every input doubled, none else changed.
        let mut doubled = vec![0.0; 16];
        pooled.clone().scaled(2.0).write_inputs(&[0], &mut doubled);
        assert_eq!(doubled[..4], [1.0, 80.0 / 1020.0, 20.0 / 1020.0, 2.0]);
        assert_eq!(pooled.scaled(2.0).scaled(0.5).scale(), 1.0);
    }

    #[test]
    fn pooling_sums_every_square_of_a_full_image() {
        // Two 28x28 images of varied pixels, against the sums by definition.
        let pixels: Vec<u8> = (0..2 * 784).map(|i| (i * 37 % 256) as u8).collect();
        let set = Dataset::from_bytes(28, 28, pixels.clone(), vec![0, 1]);
        for pool in [2, 4] {
            let side = 28 / pool;
            let pooled = set.pooled(pool);
            let mut x = vec![0.0f64; 2 * kernels::padded(side * side)];
            pooled.write_inputs(&[0, 1], &mut x);
            for (e, row) in x.chunks_exact(kernels::padded(side * side)).enumerate() {
                for (i, &value) in row[..side * side].iter().enumerate() {
                    let (y, x) = (i / side, i % side);
                    let sum: u32 = (0..pool * pool)
                        .map(|d| {
                            pixels[e * 784 + (y * pool + d / pool) * 28 + x * pool + d % pool]
                                as u32
                        })
                        .sum();
                    assert_eq!(value, sum as f64 / (255 * pool * pool) as f64);
                }
            }
        }
    }

    #[test]
    fn nonzero_inputs_are_the_nonzero_columns_of_the_written_inputs() {
        // Five 28x28 images: the top 4 rows blank, the rest zero in 3 of
        // 5 pixels.
        let pixels: Vec<u8> = (0..5 * 784)
            .map(|i| {
                let blank = i % 784 < 4 * 28 || (i * 7919) % 5 < 3;
                if blank { 0 } else { (i % 251) as u8 + 1 }
            })
            .collect();
        let set = Dataset::from_bytes(28, 28, pixels, vec![0, 1, 2, 3, 4]);
        for pool in [1, 2, 4] {
            let set = set.pooled(pool);
            let n = set.inputs();
            for examples in [&[0][..], &[1, 3], &[4, 0, 2]] {
                let mut x = vec![0.0f32; examples.len() * kernels::padded(n)];
                set.write_inputs(examples, &mut x);
                let (mut expected, mut found) = (vec![0; n], vec![0; n]);
                let count = kernels::nonzero_columns(&x, examples.len(), n, &mut expected);
                assert!(count < n, "pool {pool}: some input blank in every image");
                assert_eq!(set.nonzero_inputs(examples, &mut found), count);
                assert_eq!(found[..count], expected[..count], "pool {pool}");
            }
        }
    }

    #[test]
    fn book_scaling_divides_bytes_by_256_exactly() {
        let set = Dataset::from_bytes(3, 1, vec![255, 1, 128], vec![0]).book_scaled();
        let mut x = vec![0.0f64; 16];
        set.write_inputs(&[0], &mut x);
        assert_eq!(x[..3], [0.99609375, 1.0 / 256.0, 0.5]);
        let mut x = vec![0.0f32; 16];
        set.slice(0..1).write_inputs(&[0], &mut x);
        assert_eq!(x[..3], [0.99609375, 1.0 / 256.0, 0.5]);
    }

    #[test]
    fn inputs_are_scaled_to_unit_interval_and_slices_keep_order() {
        let set = Dataset::from_bytes(2, 1, vec![0, 255, 51, 102, 255, 0], vec![1, 2, 3]);
        let tail = set.slice(1..3);
        assert_eq!(tail.labels(), &[2, 3]);
        // Rows padded to 16 numbers.
        let mut x = vec![0.0f32; 32];
        tail.write_inputs(&[1, 0], &mut x);
        assert_eq!([x[0], x[1], x[16], x[17]], [1.0, 0.0, 0.2, 0.4]);
    }
}

//! The two generators the book's scripts seed, bit for bit: numpy's legacy
//! `np.random` (for the initial weights) and Python's `random` (for the
//! shuffles). Both are MT19937, from the `rand_mt` crate (the reference
//! algorithm, both seeding routines); what each language builds on its
//! 32-bit outputs is written here, since no crate reproduces numpy's
//! legacy Gaussian or Python 2's `shuffle`.

use rand_mt::Mt;

/// A double in [0, 1) with 53 random bits from two 32-bit outputs a, b:
/// ((a >> 5) 2^26 + (b >> 6)) / 2^53 (`genrand_res53` of MT19937's
/// reference code, which numpy's `random_sample` and Python's `random()`
/// both use).
fn res53(mt: &mut Mt) -> f64 {
    let a = f64::from(mt.next_u32() >> 5);
    let b = f64::from(mt.next_u32() >> 6);
    (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
}

/// numpy's legacy generator (`np.random.seed(s)`, `np.random.randn`).
#[derive(Clone)]
pub struct NumpyRandom {
    mt: Mt,
    /// The second value of the last polar draw, returned by the next call
    /// (it survives across `randn` calls, as numpy keeps it in its state).
    kept: Option<f64>,
}

impl NumpyRandom {
    /// `np.random.seed(seed)`: MT19937 by `init_genrand(seed)`.
    pub fn seeded(seed: u32) -> NumpyRandom {
        NumpyRandom {
            mt: Mt::new(seed),
            kept: None,
        }
    }

    /// `np.random.random_sample()`: a uniform double in [0, 1).
    pub fn random_sample(&mut self) -> f64 {
        res53(&mut self.mt)
    }

    /// One standard normal by numpy's legacy polar method: uniforms
    /// x1, x2 in [-1, 1) until 0 < r2 = x1^2 + x2^2 < 1, then with
    /// f = sqrt(-2 ln(r2) / r2) return f x2 and keep f x1 for the next call.
    pub fn gauss(&mut self) -> f64 {
        if let Some(kept) = self.kept.take() {
            return kept;
        }
        loop {
            let x1 = 2.0 * self.random_sample() - 1.0;
            let x2 = 2.0 * self.random_sample() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.kept = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// `np.random.randn(rows, cols)` as a row-major vector of rows x cols.
    pub fn randn(&mut self, rows: usize, cols: usize) -> Vec<f64> {
        (0..rows * cols).map(|_| self.gauss()).collect()
    }
}

/// Python's `random` module, with Python 2's `shuffle`.
#[derive(Clone)]
pub struct PythonRandom {
    mt: Mt,
}

impl PythonRandom {
    /// `random.seed(seed)` for an integer seed: MT19937 by
    /// `init_by_array` with the 32-bit words of the seed, least significant
    /// first (`[0]` for 0).
    pub fn seeded(seed: u64) -> PythonRandom {
        let low = seed as u32;
        let high = (seed >> 32) as u32;
        let key: &[u32] = if high == 0 { &[low] } else { &[low, high] };
        PythonRandom {
            mt: Mt::new_with_key(key.iter().copied()),
        }
    }

    /// `random.random()`: a uniform double in [0, 1).
    pub fn random(&mut self) -> f64 {
        res53(&mut self.mt)
    }

    /// Python 2's `random.shuffle(x)`: for i from len(x) - 1 down to 1,
    /// j = floor(random() (i + 1)), swap `x[i]` and `x[j]`.
    pub fn shuffle<E>(&mut self, x: &mut [E]) {
        for i in (1..x.len()).rev() {
            let j = (self.random() * (i + 1) as f64) as usize;
            x.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    //! The reference values were computed once with numpy 2 and Python 3
    //! (`np.random.MT19937()._legacy_seeding(s)` for the raw outputs,
    //! `np.random.RandomState(s)`, `random.seed(s)`; Python 2's shuffle as
    //! `int(random.random() * (i + 1))` over i = len - 1 down to 1) and
    //! written here; the tests do not need Python.
    use super::*;

    #[test]
    fn init_genrand_gives_numpys_raw_outputs() {
        let mut mt = Mt::new(12_345_678);
        let outputs: Vec<u32> = (0..5).map(|_| mt.next_u32()).collect();
        assert_eq!(
            outputs,
            [1055721139, 3422054626, 2561641375, 1376353668, 1540998321]
        );
    }

    #[test]
    fn random_sample_is_numpys() {
        let mut numpy = NumpyRandom::seeded(12_345_678);
        let samples: Vec<f64> = (0..3).map(|_| numpy.random_sample()).collect();
        assert_eq!(
            samples,
            [0.24580423382490257, 0.5964286053214767, 0.3587916284219358]
        );
    }

    #[test]
    fn randn_keeps_its_second_value_across_calls() {
        // rs = RandomState(12345678); rs.randn(3); rs.randn(2, 2): the
        // third value of the first call leaves one kept for the second.
        let mut numpy = NumpyRandom::seeded(12_345_678);
        assert_eq!(
            numpy.randn(3, 1),
            [0.5537081891302397, -1.4596319930600405, -1.294585139377667]
        );
        assert_eq!(
            numpy.randn(2, 2),
            [
                -1.5096739451572456,
                1.5718749014908178,
                -0.9756961910863278,
                0.4806987876216004
            ]
        );
        let mut other = NumpyRandom::seeded(5489);
        assert_eq!(
            other.randn(1, 3),
            [-0.7732891502316195, 0.2543161358565558, 0.3686158844909267]
        );
    }

    #[test]
    fn python_random_seeds_by_array() {
        let mut python = PythonRandom::seeded(12_345_678);
        let values: Vec<f64> = (0..3).map(|_| python.random()).collect();
        assert_eq!(
            values,
            [0.7202671550185803, 0.6330310001166692, 0.22877255649315598]
        );
        // random.seed(2**40 + 5): two 32-bit words, [5, 256].
        let mut python = PythonRandom::seeded((1 << 40) + 5);
        assert_eq!(
            [python.random(), python.random()],
            [0.5043802970418443, 0.2686044399723282]
        );
    }

    #[test]
    fn python2_shuffle_composes_across_calls() {
        let mut python = PythonRandom::seeded(12_345_678);
        let mut x: Vec<usize> = (0..10).collect();
        python.shuffle(&mut x);
        assert_eq!(x, [6, 4, 0, 8, 2, 3, 9, 1, 5, 7]);
        python.shuffle(&mut x);
        assert_eq!(x, [7, 5, 3, 2, 8, 0, 9, 6, 1, 4]);

        let mut python = PythonRandom::seeded(12_345_678);
        let mut x: Vec<usize> = (0..50_000).collect();
        python.shuffle(&mut x);
        assert_eq!(
            x[..8],
            [45825, 2773, 38458, 27026, 11210, 6834, 37758, 30183]
        );
        assert_eq!(x[49_997..], [11438, 31650, 36013]);
    }
}

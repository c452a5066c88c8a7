//! The tail average of a run (Polyak's, sampled once per epoch):
//! w_bar = (1/E) sum_e w_e over the networks at the ends of the last E
//! epochs, biases likewise. Summed in f64 whatever the run's precision, so
//! that E f32 networks add without losing their low bits.

use crate::kernels::Real;
use crate::net::Network;

/// The running sums of the networks at the ends of the epochs averaged.
#[derive(Debug, Clone)]
pub struct TailSum {
    /// The first epoch averaged.
    pub from_epoch: usize,
    /// E, the epochs added so far.
    epochs: usize,
    /// sum_e w_e per layer, row-major like `Network::weights`.
    weights: Vec<Vec<f64>>,
    /// sum_e b_e per layer.
    biases: Vec<Vec<f64>>,
}

impl TailSum {
    /// Empty sums shaped as `net`, to average from epoch `from_epoch` on.
    pub fn new<T: Real>(net: &Network<T>, from_epoch: usize) -> TailSum {
        let zeros = |v: &Vec<T>| vec![0.0; v.len()];
        TailSum {
            from_epoch,
            epochs: 0,
            weights: net.weights.iter().map(zeros).collect(),
            biases: net.biases.iter().map(zeros).collect(),
        }
    }

    /// Add the network at the end of `epoch` if it is one averaged.
    pub fn add<T: Real>(&mut self, net: &Network<T>, epoch: usize) {
        if epoch < self.from_epoch {
            return;
        }
        self.epochs += 1;
        let pairs = (self.weights.iter_mut().zip(&net.weights))
            .chain(self.biases.iter_mut().zip(&net.biases));
        for (sum, values) in pairs {
            for (s, v) in sum.iter_mut().zip(values) {
                *s += v.as_f64();
            }
        }
    }

    /// E, the number of epochs added.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// w_bar and b_bar in `net`'s shape and cost (None before any epoch
    /// was added).
    pub fn mean<T: Real>(&self, net: &Network<T>) -> Option<Network<T>> {
        if self.epochs == 0 {
            return None;
        }
        let count = self.epochs as f64;
        let mean = |sums: &Vec<Vec<f64>>| -> Vec<Vec<T>> {
            sums.iter()
                .map(|s| s.iter().map(|x| T::from_f64(x / count)).collect())
                .collect()
        };
        let averaged = Network::from_parts(
            net.sizes().to_vec(),
            mean(&self.weights),
            mean(&self.biases),
            net.cost,
        );
        Some(averaged.expect("sums shaped as the network they average"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Cost, Init};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn net(seed: u64) -> Network<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Network::new(&[3, 2, 2], Init::Large, Cost::CrossEntropy, &mut rng)
    }

    #[test]
    fn the_mean_is_of_the_epochs_from_the_first_averaged() {
        let (a, b, c) = (net(1), net(2), net(3));
        let mut sum = TailSum::new(&a, 2);
        sum.add(&a, 1);
        assert_eq!(sum.epochs(), 0);
        assert!(sum.mean(&a).is_none());
        sum.add(&b, 2);
        sum.add(&c, 3);
        assert_eq!(sum.epochs(), 2);
        let mean = sum.mean(&a).unwrap();
        for l in 0..2 {
            for (i, &w) in mean.weights[l].iter().enumerate() {
                let expected = (b.weights[l][i] as f64 + c.weights[l][i] as f64) / 2.0;
                assert_eq!(w, expected as f32);
            }
            for (i, &v) in mean.biases[l].iter().enumerate() {
                let expected = (b.biases[l][i] as f64 + c.biases[l][i] as f64) / 2.0;
                assert_eq!(v, expected as f32);
            }
        }
    }

    #[test]
    fn the_mean_of_one_network_repeated_is_that_network() {
        let a = net(4);
        let mut sum = TailSum::new(&a, 0);
        for epoch in 0..7 {
            sum.add(&a, epoch);
        }
        assert_eq!(sum.mean(&a).unwrap(), a);
    }
}

//! Accuracy of a network scored by `train::evaluate`, counted by hand.

use decaylab::data::Dataset;
use decaylab::net::{Cost, Network};
use decaylab::train::evaluate;

#[test]
fn accuracy_counts_the_examples_whose_largest_output_is_the_label() {
    // [2, 2] with w = identity and no biases: output j is sigma(x_j), so
    // the larger pixel is the prediction.
    let net = Network::from_parts(
        vec![2, 2],
        vec![vec![1.0f64, 0.0, 0.0, 1.0]],
        vec![vec![0.0, 0.0]],
        Cost::CrossEntropy,
    )
    .unwrap();
    // (1, 0) labelled 0 and (0, 1) labelled 1 are right; (1, 0) labelled 1 is wrong.
    let data = Dataset::from_bytes(2, 1, vec![255, 0, 0, 255, 255, 0], vec![0, 1, 1]);
    let eval = evaluate(&net, &data, 0.0);
    assert_eq!((eval.correct, eval.count), (2, 3));
    assert_eq!(eval.accuracy(), 2.0 / 3.0);
    // No hidden layer, no saturation to report.
    assert!(eval.saturation.is_empty());
}

//! The report's terms, defined once, and linked from their first use.

use super::math::{self, Part};
use super::{Block, Document, Inline, inlines};
use crate::data::BLANK_PIXELS;
use crate::run::settle::{MIN_EPOCHS, SETTLED_BAND, SETTLED_EPOCHS, SMOOTHING_WINDOW};
use crate::study::claims::Thresholds;
use crate::study::measures::TAIL_OFF;

#[derive(Debug, Clone)]
pub struct Term {
    /// As the glossary shows it.
    pub term: String,
    /// The forms the text uses, any of which is linked at its first use.
    pub forms: Vec<&'static str>,
    /// `glossary-SLUG` is the term's anchor.
    pub slug: &'static str,
    pub definition: String,
}

impl Term {
    pub fn anchor(&self) -> String {
        format!("glossary-{}", self.slug)
    }
}

fn term(term: &str, forms: &[&'static str], slug: &'static str, definition: String) -> Term {
    Term {
        term: term.into(),
        forms: forms.to_vec(),
        slug,
        definition,
    }
}

/// Every term the report uses, with the thresholds it is defined by.
pub fn terms() -> Vec<Term> {
    let saturation = crate::train::eval::SATURATION_THRESHOLD;
    vec![
        term("$n$, $m$, $eta$, $lambda$", &["learning rate"], "hyperparameters", "$n$: training examples; $m$: mini-batch size; $eta$: learning rate; $lambda$: the L2 parameter. One SGD step is $w -> a w - b sum_x partial C_x/partial w$ over a mini-batch, with $a = 1 - eta*lambda/n$ and $b = eta/m$; an epoch is $S = n/m$ steps.".into()),
        term("n_w, n_in", &["n_w", "n_in"], "sizes", "n_w: the number of weights in the network (biases not counted); n_in: the inputs of one neuron of a layer (784 for the first layer of [784, 30, 10], 30 for the second).".into()),
        term("width, pool", &["width", "pool"], "width", "width: the number of hidden neurons of a [n_in, width, 10] network. pool p: the images averaged over p x p blocks before training (28 x 28, 14 x 14 or 7 x 7), so that the first layer has $n_in = 784 / p^2$ inputs (784, 196 or 49) and width and n_in can be varied apart.".into()),
        term("large init, default init", &["large init", "default init", "large initialization"], "init", "Large init draws every weight from $N(0, 1)$, as the question does; default init from $N(0, 1/n_in)$, network2's default. Biases are $N(0, 1)$ in both.".into()),
        term("rms", &["rms"], "rms", "Root mean square of a layer's weights, $sqrt(|w|^2 / count)$: the size of a typical weight. For weights of mean 0 it equals their standard deviation (std).".into()),
        term("norm budget", &["norm budget"], "norm-budget", "The exact change of $|w|^2$ over an epoch, summed step by step, split by cause: decay $(a^2 - 1)|w|^2$ (negative: the shrinkage), drift $-2ab<w, g>$ (the gradient's pull along w), and noise $b^2|g|^2$ (always positive), with g the step's summed gradient. The three add up to the measured change.".into()),
        term("offset fraction f", &["offset fraction", "f_1"], "offset-fraction", "f = (drift + noise) / (-decay) of an epoch's norm budget: the share of the decay's shrinkage of $|w|^2$ that the gradient gives back. 0: the decay acts alone; 1: the gradient balances it; above 1: the weights grow. f_1 is f in epoch 1.".into()),
        term("decay-dominated", &["decay-dominated"], "decay-dominated", format!("An epoch with |f| < {}: the gradient's net effect on $|w|^2$, either way, is under a tenth of the decay's.", Thresholds::default().decay_dominated)),
        term("K", &["K"], "k", "The number of leading decay-dominated epochs of a run (epochs 1, 2, ... until the first that is not).".into()),
        term("rho*", &["rho*"], "rho-star", "$(1 - eta*lambda/n)^S$: the factor by which pure decay shrinks the weights in one epoch of S steps. Claim 2 compares it with $exp(-eta*lambda/m)$, its limit for $eta*lambda/n -> 0$; rho is the measured shrink |w_e| / |w_(e-1)|.".into()),
        term("displacement", &["displacement"], "displacement", "How far one cause moved the weights in an epoch: |sum_t c w_t| for the decay (c = $eta*lambda/n$) and |sum_t b g_t| for the gradient, summed over the epoch's steps.".into()),
        term("settled, settled size", &["settled size", "settled"], "settled", format!("A layer has settled once its offset fraction, averaged over {SMOOTHING_WINDOW} epochs, stays within 1 +/- {SETTLED_BAND} for {SETTLED_EPOCHS} epochs (and the run trained at least {MIN_EPOCHS}); the settled epoch is the first of those. Its settled size is the mean rms over the epochs from then on. A run that stops once settled stops at the band's edge, still on its way: its settled size lies on the side it came from. The rms extrapolated past the stop fits rms(e) = s + A exp(-r e) to the last {} epochs and reads s, whichever side the run came from.", crate::study::approach::APPROACH_EPOCHS)),
        term("tail-off", &["tail-off"], "tail-off", format!("Where f first reaches {TAIL_OFF}: the gradient gives back half of the decay's shrinkage. Given as a fractional epoch, linear in f between the epochs before and after the crossing, and the rms there; at epoch 1 if f_1 is already at or above {TAIL_OFF} (epoch 0 has no f). It depends on where the weights started; the settled size does not.")),
        term("saturation", &["saturation", "saturated"], "saturation", format!("The share of (example, hidden neuron) pairs on the validation set with sigma'(z) < {saturation}: neurons whose weighted input is so large that they barely learn.")),
        term("input norm", &["input norm"], "input-norm", "The rms length of a layer's input vector over the evaluation set (the pixels for the first layer, the hidden activations for the second).".into()),
        term("$cos(w, -nabla C_0)$", &["grad C_0"], "optimum", "C_0 is the unregularized cost. At the minimum of $C_0 + (lambda/2n)|w|^2$, $nabla C_0 = -(lambda/n) w$: the cosine is 1 and $|nabla C_0| / |(lambda/n) w|$ is 1.".into()),
        term("relaxation time", &["relaxation times", "relaxation time"], "relaxation", "$m/(eta*lambda)$ epochs: the decay alone shrinks the weights by $exp(-eta*lambda/m)$ per epoch, so by 1/e in this many. A run forgets where it started within a few of them; the noise law's branches train 1.5 of them before their size is averaged over one more.".into()),
        term("noise law, L2 optimum", &["L2 optimum", "noise law"], "noise-law", "The L2 optimum $w^*$ minimizes $J = C_0 + (lambda/2n) sum |w|^2$ over the training set (found by L-BFGS, as `decaylab optimum` does). The noise law is a layer's settled $|w|^2$ against $eta/m$, the size of SGD's step noise, over branches trained on from settled networks: a line through them that reaches $|w^*|^2$ at $eta/m -> 0$ says the optimum sets the size and the noise moves it; one that reaches about 0, that the size lives on the noise (a balance of decay against noise).".into()),
        term("fan-in runs, live inputs", &["fan-in runs", "live"], "fan-in", format!("Pooling the images to change n_in also changes their norm $|x|$ (the rms length of an input vector), so the fan-in runs separate the two: at n_in 784 every input is scaled ($x -> c x$, c = 0.5 and 2), and pooled images are rescaled to the unpooled $|x|$ (n_in 196 and 49). A first layer sized by its inputs' norm has rms $~ 1/|x|$; one sized by its fan-in, rms ~ $1/sqrt(n_in)$, as $N(0, 1/n_in)$. The live inputs are those not 0 in every training image: {} of MNIST's 784 pixels are blank in all of them, and their weights get no gradient and only decay, so the size compared is that of the live inputs' weights.", BLANK_PIXELS)),
        term("scaling grid", &["scaling grid"], "grid", "The runs that vary the architecture at the base eta, lambda and m. In the full study: hidden widths 10, 30 and 100 at n_in 784; 30, 39 and 116 at n_in 196; 30, 135 and 404 at n_in 49 (images average-pooled). Families of nearly equal n_w have different (width, n_in): about 8,000 (784 x 10, 196 x 39, 49 x 135) and about 23,800 (784 x 30, 196 x 116, 49 x 404). Their settled sizes are fitted as a power law of width and n_in.".into()),
        term("tail average", &["tail averages", "tail average"], "tail-average", "A run's networks at the ends of its last epochs, averaged weight by weight (Polyak's average, one network per epoch): it takes out much of the step noise that any one network carries. The first seed's branches keep theirs, over the epochs whose size the noise law averages; if SGD fluctuates around a stationary point of J, the average comes nearer it as $eta/m$ falls.".into()),
        term("branches", &["branches", "branch"], "branches", "Runs that start from a settled network (their parent) and train on at another eta and m, to see how the settled size moves with SGD's step noise $eta/m$; see the noise law. \"Picture\": one of the two explanations the noise law decides between (the optimum sets the size, or a balance of decay against noise does).".into()),
        term("L-BFGS, J", &["L-BFGS"], "lbfgs", "$J = C_0 + (lambda/2n) sum |w|^2$ is the L2-regularized cost over the whole training set, whose minimum is the L2 optimum; L-BFGS is the quasi-Newton method that finds it from a settled network, using full-batch gradients; $|nabla J|$ says how far from stationary it stopped.".into()),
        term("fit, 95% interval", &["95%"], "fit", format!("{}; the interval is the exponent +/- t standard errors, t the 97.5% quantile of Student's t with (configurations - predictors - 1) degrees of freedom.", crate::study::equilibrium::FIT_METHOD)),
    ]
}

/// Link the first use of every term in the document's running text
/// (paragraphs, verdicts, lists, answers) to its glossary entry.
pub fn link_first_uses(doc: &mut Document, terms: &[Term]) {
    let mut linked = vec![false; terms.len()];
    for block in &mut doc.blocks {
        let texts: Vec<&mut String> = match block {
            Block::Paragraph(text) => vec![text],
            Block::Verdict { text, rule, .. } => vec![text, rule],
            Block::List(items) => items.iter_mut().collect(),
            Block::Answers(answers) => answers.iter_mut().map(|a| &mut a.text).collect(),
            _ => Vec::new(),
        };
        for text in texts {
            for (t, done) in terms.iter().zip(linked.iter_mut()) {
                if !*done && let Some(with_link) = link_first(text, t) {
                    *text = with_link;
                    *done = true;
                }
            }
        }
    }
}

/// `text` with the first whole-word use of one of `term`'s forms outside a
/// link and outside a formula made a link to the term; None if it has none.
fn link_first(text: &str, term: &Term) -> Option<String> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    // Where each piece of prose starts in `text` (links and formulas left
    // out: a link inside either would break it).
    let mut prose = Vec::new();
    let mut offset = 0;
    for part in inlines(text) {
        match part {
            Inline::Text(piece) => {
                for part in math::parts(piece) {
                    match part {
                        Part::Prose(p) => {
                            prose.push((offset, p));
                            offset += p.len();
                        }
                        // The formula and its two `$` signs.
                        Part::Formula(f) => offset += f.len() + 2,
                    }
                }
            }
            Inline::Link(label, target) => offset += label.len() + target.len() + 4,
        }
    }
    for (offset, piece) in prose {
        let found = term.forms.iter().filter_map(|form| {
            piece.match_indices(form).find(|(at, _)| {
                let before = piece[..*at].chars().next_back();
                // A form that is a number ("95%") is not the end of another
                // number (86.95%).
                let inside_a_number =
                    form.starts_with(|c: char| c.is_ascii_digit()) && before == Some('.');
                !word(before) && !inside_a_number && !word(piece[at + form.len()..].chars().next())
            })
        });
        if let Some((at, form)) = found.min_by_key(|(at, _)| *at) {
            let start = offset + at;
            let end = start + form.len();
            return Some(format!(
                "{}[{}](#{}){}",
                &text[..start],
                &text[start..end],
                term.anchor(),
                &text[end..]
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_whole_word_use_outside_links_is_linked() {
        let t = term(
            "settled",
            &["settled size", "settled"],
            "settled",
            String::new(),
        );
        assert_eq!(
            link_first("[unsettled](#x) the weights settled at a settled size", &t).unwrap(),
            "[unsettled](#x) the weights [settled](#glossary-settled) at a settled size"
        );
        assert_eq!(link_first("unsettled", &t), None);
        // A number's form is not the tail of another number.
        let interval = term("95% interval", &["95%"], "interval", String::new());
        assert_eq!(
            link_first("at 86.95% (95% 0.1 to 0.2)", &interval).unwrap(),
            "at 86.95% ([95%](#glossary-interval) 0.1 to 0.2)"
        );
        // Never inside a formula.
        assert_eq!(
            link_first("$settled$ then settled", &t).unwrap(),
            "$settled$ then [settled](#glossary-settled)"
        );
        let mut doc = Document::default();
        doc.paragraph("K is 2.");
        doc.paragraph("K is 3.");
        let k = term("K", &["K"], "k", String::new());
        link_first_uses(&mut doc, &[k]);
        let texts: Vec<String> = doc
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(p) => p.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(texts, ["[K](#glossary-k) is 2.", "K is 3."]);
    }
}

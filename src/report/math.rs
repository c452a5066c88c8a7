//! Formulas in the report's text: written between `$` signs in a small
//! ASCII notation, shown as mathematics.
//!
//! The notation, as a student would type it:
//!
//! - names: `eta`, `lambda`, `rho`, `mu`, `sigma`, ... are Greek letters
//!   (η, λ, ρ, μ, σ); `sum` is Σ, `partial` is ∂, `nabla` is ∇, `sqrt` is √;
//! - `x_in` puts `in` below (a subscript), `x^-0.5` or `x^(1/2)` puts what
//!   follows above (a superscript: one number, name or parenthesized group);
//! - `->` is →, `<=` ≤, `>=` ≥, `<<` ≪, `+-` ±, `~` ∼, `-` the minus sign −, and `*`
//!   a thin space (η λ: a product, as the book writes it).
//!
//! So `$w -> (1 - eta*lambda/n) w$` reads w → (1 − η λ/n) w. In HTML a
//! formula never breaks across lines (a phone wraps around it, not inside
//! it); single letters are set in italics, as in print.

/// A piece of text: prose, or a formula (without its `$` signs).
#[derive(Debug, PartialEq)]
pub enum Part<'a> {
    Prose(&'a str),
    Formula(&'a str),
}

/// `text` cut into prose and formulas. A `$` without its closing one is
/// prose.
pub fn parts(text: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('$') {
        let Some(length) = rest[open + 1..].find('$') else {
            break;
        };
        if open > 0 {
            parts.push(Part::Prose(&rest[..open]));
        }
        parts.push(Part::Formula(&rest[open + 1..open + 1 + length]));
        rest = &rest[open + 2 + length..];
    }
    if !rest.is_empty() {
        parts.push(Part::Prose(rest));
    }
    parts
}

/// The formula as MathML, set by the browser as mathematics (no script;
/// a formula is never broken across lines). Its text, for a reader that
/// does not show MathML, is in `alttext`.
pub fn to_html(formula: &str) -> String {
    format!(
        "<math alttext=\"{}\">{}</math>",
        escape(&to_text(formula)).replace('"', "&quot;"),
        render(&tokens(formula), &MathMl).concat()
    )
}

/// The formula as GitHub's Markdown sets mathematics: LaTeX between `$`s.
pub fn to_latex(formula: &str) -> String {
    format!("${}$", render(&tokens(formula), &Latex).concat().trim())
}

/// The formula as plain text (a plot's label, where no markup is drawn):
/// the symbols as Unicode, subscripts and superscripts after `_` and `^`.
pub fn to_text(formula: &str) -> String {
    render(&tokens(formula), &Plain).concat()
}

/// `text` with every formula as plain text (see [`to_text`]).
pub fn plain(text: &str) -> String {
    parts(text)
        .into_iter()
        .map(|part| match part {
            Part::Prose(p) => p.to_string(),
            Part::Formula(f) => to_text(f),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A name: a variable, a Greek letter's name, a function.
    Name(String),
    /// Digits with an optional decimal point.
    Number(String),
    /// A symbol made of one or two characters (`->`, `(`, `/`, ...).
    Symbol(String),
    Space,
}

fn tokens(formula: &str) -> Vec<Token> {
    let chars: Vec<char> = formula.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_ascii_alphabetic() {
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push(Token::Number(chars[start..i].iter().collect()));
        } else if c == ' ' {
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            out.push(Token::Space);
        } else {
            let pair: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let symbol = if ["->", "<=", ">=", "+-", "<<", ">>"].contains(&pair.as_str()) {
                pair
            } else {
                c.to_string()
            };
            i += symbol.chars().count();
            out.push(Token::Symbol(symbol));
        }
    }
    out
}

/// How the pieces of a formula are written out.
trait Style {
    fn name(&self, shown: &str, italic: bool) -> String;
    fn number(&self, digits: &str) -> String;
    /// A symbol, already as it is shown (→, −, a thin space for `*`).
    fn symbol(&self, shown: &str) -> String;
    fn space(&self) -> String;
    /// Whether a space beside an operator is kept (in text); MathML spaces
    /// its operators itself and keeps only a space between two operands.
    fn keeps_every_space(&self) -> bool {
        true
    }
    /// A minus sign in front of what it negates (−w), not between two
    /// terms.
    fn prefix(&self, shown: &str) -> String {
        self.symbol(shown)
    }
    /// Several pieces as one (what a sub- or superscript holds).
    fn group(&self, pieces: Vec<String>) -> String;
    fn sub(&self, base: String, script: String) -> String;
    fn sup(&self, base: String, script: String) -> String;
}

/// LaTeX, as GitHub's Markdown sets `$...$`: Greek letters and symbols
/// as commands, words upright, scripts in braces.
struct Latex;
impl Style for Latex {
    fn name(&self, shown: &str, italic: bool) -> String {
        let command = match shown {
            "α" => "\\alpha",
            "β" => "\\beta",
            "γ" => "\\gamma",
            "δ" => "\\delta",
            "Δ" => "\\Delta",
            "ε" => "\\epsilon",
            "η" => "\\eta",
            "θ" => "\\theta",
            "λ" => "\\lambda",
            "μ" => "\\mu",
            "π" => "\\pi",
            "ρ" => "\\rho",
            "σ" => "\\sigma",
            "τ" => "\\tau",
            "φ" => "\\phi",
            "Σ" => "\\sum",
            "∂" => "\\partial",
            "∇" => "\\nabla",
            "√" => "\\surd",
            _ if italic => return shown.to_string(),
            _ => return format!("\\mathrm{{{shown}}}"),
        };
        // A space ends the command's name (\eta m, not \etam).
        format!("{command} ")
    }
    fn number(&self, digits: &str) -> String {
        digits.to_string()
    }
    fn symbol(&self, shown: &str) -> String {
        match shown {
            "→" => "\\to ",
            "≤" => "\\le ",
            "≥" => "\\ge ",
            "±" => "\\pm ",
            "≪" => "\\ll ",
            "≫" => "\\gg ",
            "∼" => "\\sim ",
            "−" => "-",
            "\u{2009}" => "\\,",
            // `|` would end a Markdown table's cell, `<` might open a tag.
            "|" => "\\vert ",
            "<" => "\\lt ",
            ">" => "\\gt ",
            "{" => "\\{",
            "}" => "\\}",
            "%" => "\\%",
            "#" => "\\#",
            "&" => "\\&",
            other => other,
        }
        .to_string()
    }
    fn space(&self) -> String {
        "\\,".to_string()
    }
    fn keeps_every_space(&self) -> bool {
        false
    }
    fn group(&self, pieces: Vec<String>) -> String {
        format!("{{{}}}", pieces.concat().trim_end())
    }
    fn sub(&self, base: String, script: String) -> String {
        format!("{base}_{script}")
    }
    fn sup(&self, base: String, script: String) -> String {
        format!("{base}^{script}")
    }
}

/// MathML (Presentation markup), which browsers set without a script:
/// identifiers `<mi>`, numbers `<mn>`, operators `<mo>`, scripts
/// `<msub>`/`<msup>` around their base.
struct MathMl;
impl Style for MathMl {
    fn name(&self, shown: &str, italic: bool) -> String {
        // A one-character <mi> is italic unless told otherwise; longer
        // ones (exp, rms) are upright already.
        if !italic && shown.chars().count() == 1 {
            format!("<mi mathvariant=\"normal\">{shown}</mi>")
        } else {
            format!("<mi>{shown}</mi>")
        }
    }
    fn number(&self, digits: &str) -> String {
        format!("<mn>{digits}</mn>")
    }
    fn symbol(&self, shown: &str) -> String {
        match shown {
            "\u{2009}" => "<mspace width=\"0.17em\"/>".to_string(),
            // Set tight, as in print: (η/m), |f|.
            "/" | "(" | ")" | "|" => format!("<mo lspace=\"0\" rspace=\"0\">{shown}</mo>"),
            other => format!("<mo>{}</mo>", escape(other)),
        }
    }
    fn space(&self) -> String {
        "<mspace width=\"0.2em\"/>".to_string()
    }
    fn keeps_every_space(&self) -> bool {
        false
    }
    fn prefix(&self, shown: &str) -> String {
        format!("<mo form=\"prefix\" lspace=\"0\" rspace=\"0\">{shown}</mo>")
    }
    fn group(&self, pieces: Vec<String>) -> String {
        format!("<mrow>{}</mrow>", pieces.concat())
    }
    fn sub(&self, base: String, script: String) -> String {
        format!("<msub>{base}{script}</msub>")
    }
    fn sup(&self, base: String, script: String) -> String {
        format!("<msup>{base}{script}</msup>")
    }
}

struct Plain;
impl Style for Plain {
    fn name(&self, shown: &str, _italic: bool) -> String {
        shown.to_string()
    }
    fn number(&self, digits: &str) -> String {
        digits.to_string()
    }
    fn symbol(&self, shown: &str) -> String {
        shown.to_string()
    }
    fn space(&self) -> String {
        " ".to_string()
    }
    fn group(&self, pieces: Vec<String>) -> String {
        pieces.concat()
    }
    fn sub(&self, base: String, script: String) -> String {
        format!("{base}_{script}")
    }
    fn sup(&self, base: String, script: String) -> String {
        format!("{base}^{script}")
    }
}

/// `text` with HTML's special characters escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A name as it is shown, and whether it is set in italics (a variable).
fn shown_name(name: &str) -> (String, bool) {
    let greek = match name {
        "alpha" => "α",
        "beta" => "β",
        "gamma" => "γ",
        "delta" => "δ",
        "Delta" => "Δ",
        "epsilon" => "ε",
        "eta" => "η",
        "theta" => "θ",
        "lambda" => "λ",
        "mu" => "μ",
        "pi" => "π",
        "rho" => "ρ",
        "sigma" => "σ",
        "tau" => "τ",
        "phi" => "φ",
        "sum" => return ("Σ".into(), false),
        "partial" => return ("∂".into(), false),
        "nabla" => return ("∇".into(), false),
        "sqrt" => return ("√".into(), false),
        _ => "",
    };
    if !greek.is_empty() {
        return (greek.into(), true);
    }
    // One letter is a variable; longer names (exp, ln, rms, width) are
    // words, upright.
    (name.to_string(), name.chars().count() == 1)
}

fn symbol(symbol: &str) -> &str {
    match symbol {
        "->" => "→",
        "<=" => "≤",
        ">=" => "≥",
        "+-" => "±",
        "<<" => "≪",
        ">>" => "≫",
        "~" => "∼",
        "-" => "−",
        "*" => "\u{2009}",
        other => other,
    }
}

/// The tokens written out in `style`, one piece per token (a script
/// joined to the piece before it, its base).
fn render(tokens: &[Token], style: &dyn Style) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    // Where each open parenthesis's piece is, and where the group the
    // last closing one ended starts: a script after `)` takes the whole
    // group as its base, (1 − ηλ/n)^S.
    let mut opens: Vec<usize> = Vec::new();
    let mut closed_group: Option<usize> = None;
    let operand = |t: Option<&Token>, open: &str| match t {
        Some(Token::Name(_) | Token::Number(_)) => true,
        Some(Token::Symbol(s)) => s == open,
        _ => false,
    };
    let mut i = 0;
    while i < tokens.len() {
        let group_before = closed_group.take();
        match &tokens[i] {
            Token::Name(name) => {
                let (shown, italic) = shown_name(name);
                pieces.push(style.name(&shown, italic));
                // ∂ and ∇ bind to what they apply to: `partial w` is ∂w.
                if (name == "partial" || name == "nabla")
                    && tokens.get(i + 1) == Some(&Token::Space)
                {
                    i += 1;
                }
            }
            Token::Number(number) => pieces.push(style.number(number)),
            Token::Space => {
                let between_operands = operand(i.checked_sub(1).map(|k| &tokens[k]), ")")
                    && operand(tokens.get(i + 1), "(");
                if style.keeps_every_space() || between_operands {
                    pieces.push(style.space());
                }
            }
            Token::Symbol(s) if s == "_" || s == "^" => {
                let (script, next) = script(tokens, i + 1);
                let inner = match script {
                    // A star above is a mark (rho-star), not a product.
                    [Token::Symbol(star)] if star == "*" => style.symbol("*"),
                    _ => style.group(render(script, style)),
                };
                let base = match group_before {
                    Some(start) if !style.keeps_every_space() => {
                        style.group(pieces.drain(start..).collect())
                    }
                    _ => pieces.pop().unwrap_or_else(|| style.group(Vec::new())),
                };
                pieces.push(if s == "_" {
                    style.sub(base, inner)
                } else {
                    style.sup(base, inner)
                });
                i = next;
                continue;
            }
            Token::Symbol(s) if s == "-" => {
                // After nothing, an operator or `(`: a sign, not a difference.
                let before = tokens[..i].iter().rev().find(|t| **t != Token::Space);
                let sign = match before {
                    None => true,
                    Some(Token::Symbol(b)) => b != ")",
                    Some(_) => false,
                };
                pieces.push(if sign {
                    style.prefix(symbol(s))
                } else {
                    style.symbol(symbol(s))
                });
            }
            Token::Symbol(s) => {
                if s == "(" {
                    opens.push(pieces.len());
                } else if s == ")" {
                    closed_group = opens.pop();
                }
                pieces.push(style.symbol(symbol(s)));
            }
        }
        i += 1;
    }
    pieces
}

/// What a `_` or `^` at `tokens[start - 1]` applies to: a parenthesized
/// group (its parentheses dropped), or an optional minus sign and one
/// number or name. Returns it and where the formula goes on.
fn script(tokens: &[Token], start: usize) -> (&[Token], usize) {
    let open = Token::Symbol("(".into());
    let close = Token::Symbol(")".into());
    if tokens.get(start) == Some(&open) {
        let mut depth = 0;
        for (k, token) in tokens.iter().enumerate().skip(start) {
            if *token == open {
                depth += 1;
            } else if *token == close {
                depth -= 1;
                if depth == 0 {
                    return (&tokens[start + 1..k], k + 1);
                }
            }
        }
        return (&tokens[start + 1..], tokens.len());
    }
    let mut end = start;
    if tokens.get(end) == Some(&Token::Symbol("-".into())) {
        end += 1;
    }
    let star = Token::Symbol("*".into());
    if matches!(tokens.get(end), Some(Token::Name(_) | Token::Number(_)))
        || tokens.get(end) == Some(&star)
    {
        end += 1;
    }
    (&tokens[start..end], end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_update_rule_reads_as_printed() {
        let rule = "w -> (1 - eta*lambda/n) w - (eta/m) sum_x partial C_x/partial w";
        assert_eq!(
            to_text(rule),
            "w → (1 − η\u{2009}λ/n) w − (η/m) Σ_x ∂C_x/∂w"
        );
        assert_eq!(to_text("cos(w, -nabla C_0)"), "cos(w, −∇C_0)");
        assert_eq!(
            to_latex("exp(-eta*lambda/m)"),
            "$\\mathrm{exp}(-\\eta \\,\\lambda /m)$"
        );
        assert_eq!(
            to_latex(rule),
            "$w\\to (1-\\eta \\,\\lambda /n)\\,w-(\\eta /m)\\,\\sum _{x}\\,\\partial C_{x}/\\partial w$"
        );
        // Tight: parentheses and slashes unspaced, a sign against what it
        // negates.
        let tight = |s: &str| format!("<mo lspace=\"0\" rspace=\"0\">{s}</mo>");
        let sign = "<mo form=\"prefix\" lspace=\"0\" rspace=\"0\">−</mo>";
        assert_eq!(
            to_html("exp(-eta*lambda/m)"),
            format!(
                "<math alttext=\"exp(−η\u{2009}λ/m)\"><mi>exp</mi>{}{sign}<mi>η</mi>\
                 <mspace width=\"0.17em\"/><mi>λ</mi>{}<mi>m</mi>{}</math>",
                tight("("),
                tight("/"),
                tight(")")
            )
        );
        // A difference is not a sign; a space is kept between two operands
        // alone; a script after `)` takes the group as its base.
        assert_eq!(
            to_html("(1 - c)^S w - b"),
            format!(
                "<math alttext=\"(1 − c)^S w − b\"><msup><mrow>{}<mn>1</mn><mo>−</mo><mi>c</mi>{}\
                 </mrow><mrow><mi>S</mi></mrow></msup><mspace width=\"0.2em\"/><mi>w</mi>\
                 <mo>−</mo><mi>b</mi></math>",
                tight("("),
                tight(")")
            )
        );
    }

    #[test]
    fn scripts_take_one_number_name_or_group() {
        assert_eq!(to_latex("n_in^-0.62"), "$n_{\\mathrm{in}}^{-0.62}$");
        assert_eq!(to_latex("|f| < 0.1"), "$\\vert f\\vert \\lt 0.1$");
        // In MathML a script takes the piece before it as its base.
        assert_eq!(
            to_html("n_in^-0.62"),
            "<math alttext=\"n_in^−0.62\"><msup><msub><mi>n</mi><mrow><mi>in</mi></mrow></msub>\
             <mrow><mo form=\"prefix\" lspace=\"0\" rspace=\"0\">−</mo><mn>0.62</mn></mrow></msup></math>"
        );
        assert_eq!(
            to_html("rho^*"),
            "<math alttext=\"ρ^*\"><msup><mi>ρ</mi><mo>*</mo></msup></math>"
        );
        assert_eq!(
            to_html("^2"),
            "<math alttext=\"^2\"><msup><mrow></mrow><mrow><mn>2</mn></mrow></msup></math>"
        );
        assert_eq!(to_text("1/sqrt(n_w)"), "1/√(n_w)");
        assert_eq!(to_text("x^(1/2) + y"), "x^1/2 + y");
        assert_eq!(to_text("N(0, 1/n_in)"), "N(0, 1/n_in)");
        assert_eq!(to_text("rho_e <= 1 +- 0.05"), "ρ_e ≤ 1 ± 0.05");
        // A star above: rho^* is rho-star, not a product.
        assert_eq!(to_text("rho^*/2"), "ρ^*/2");
        // A script with nothing after it is empty, not a panic.
        assert_eq!(to_text("x^"), "x^");
        assert_eq!(to_text("x^(1"), "x^1");
    }

    #[test]
    fn prose_and_formulas_are_told_apart() {
        assert_eq!(
            parts("a $x$ b $y"),
            [Part::Prose("a "), Part::Formula("x"), Part::Prose(" b $y")]
        );
        assert_eq!(
            plain("decay $exp(-eta)$ per epoch"),
            "decay exp(−η) per epoch"
        );
        // HTML's special characters inside a formula are escaped.
        assert_eq!(
            to_html("a<b"),
            "<math alttext=\"a&lt;b\"><mi>a</mi><mo>&lt;</mo><mi>b</mi></math>"
        );
    }
}

//! XPath 1.0 expressions (`xpath-10` criteria) on the XPath 3.1 engine.
//!
//! XPath 2.0 changed how comparisons, arithmetic and function arguments convert their
//! operands (XPath 2.0 §3.5.2 and Appendix I list the differences its "XPath 1.0
//! compatibility mode" undoes); xee has no such mode. An `xpath-10` expression is
//! therefore parsed and rewritten, as text, into an XPath 3.1 expression in which 1.0's
//! conversions are explicit:
//!
//! * `=` and `!=` (XPath 1.0 §3.4): with a boolean on either side both sides become
//!   booleans; two node-sets compare their nodes' string-values; otherwise with a number
//!   on either side both become numbers, else strings, node by node for a node-set.
//! * `<`, `<=`, `>`, `>=`: both sides become numbers, node by node for a node-set; a
//!   node-set against a boolean compares as its boolean.
//! * `+`, `-`, `*`, `div`, `mod` and unary `-` (§3.5): `number()` of each operand, the
//!   first node's for a node-set.
//! * Core function arguments (§4): a string or number parameter takes the string or
//!   number of its argument's first node; `sum()` adds the numbers of all nodes.
//!
//! Constructs that are not XPath 1.0 (`let`, `for`, `if`, sequences, maps, functions
//! outside the 1.0 core library, …) are refused. Left as 3.1 does them: converting a
//! string to a number accepts an exponent or a leading `+` (1.0 gives NaN).

use std::ops::Range;

use xee_xpath_ast::ast::{self, BinaryOperator};
use xee_xpath_ast::{FN_NAMESPACE, Namespaces, VariableNames};
use xot::xmlname::NameStrInfo;

/// Why an expression has no XPath 3.1 form.
#[derive(Debug, PartialEq)]
pub(crate) enum Refusal {
    /// Not an expression at all: the engine's compiler reports where, as for any version.
    Syntax,
    /// Well-formed, but not XPath 1.0 (the message says what).
    NotXPath10(String),
}

/// The XPath 3.1 text that evaluates `expression` as XPath 1.0 would.
pub(crate) fn to_xpath31(expression: &str) -> Result<String, Refusal> {
    let namespaces = Namespaces::default();
    let xpath = ast::XPath::parse(expression, &namespaces, &VariableNames::default())
        .map_err(|_| Refusal::Syntax)?;
    let mut rewrite = Rewrite::default();
    rewrite
        .expr(&xpath.0.value, 0)
        .map_err(Refusal::NotXPath10)?;
    Ok(rewrite.apply(expression))
}

/// Text inserted at an offset of the source. At one offset the closing texts of
/// the nodes that end there come first, innermost first, then the opening texts of
/// the nodes that start there, outermost first.
struct Insert {
    offset: usize,
    side: Side,
    depth: usize,
    text: String,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Close,
    Open,
}

#[derive(Default)]
struct Rewrite {
    inserts: Vec<Insert>,
    /// Source ranges left out (the operator between two compared operands).
    deletions: Vec<Range<usize>>,
    /// Numbers the variables of each rewritten comparison.
    comparisons: usize,
}

/// `(for $x in V return number($x))`: the numbers of every item of `V`.
fn numbers(v: &str) -> String {
    format!("(for $xpath1-item in {v} return number($xpath1-item))")
}

fn strings(v: &str) -> String {
    format!("(for $xpath1-item in {v} return string($xpath1-item))")
}

const NUMERIC: [&str; 3] = ["xs:double", "xs:decimal", "xs:float"];

fn is_number(v: &str) -> String {
    let tests: Vec<String> = NUMERIC
        .iter()
        .map(|t| format!("{v} instance of {t}"))
        .collect();
    format!("({})", tests.join(" or "))
}

/// The 1.0 comparison of the values bound to `$a` and `$b` (XPath 1.0 §3.4).
fn comparison(operator: &str, a: &str, b: &str) -> String {
    let (bool_a, bool_b) = (
        format!("{a} instance of xs:boolean"),
        format!("{b} instance of xs:boolean"),
    );
    let (nodes_a, nodes_b) = (
        format!("{a} instance of node()*"),
        format!("{b} instance of node()*"),
    );
    if matches!(operator, "=" | "!=") {
        format!(
            "if ({bool_a} or {bool_b}) then boolean({a}) {operator} boolean({b}) \
             else if ({nodes_a} and {nodes_b}) then {a} {operator} {b} \
             else if ({} or {}) then {} {operator} {} \
             else {} {operator} {}",
            is_number(a),
            is_number(b),
            numbers(a),
            numbers(b),
            strings(a),
            strings(b),
        )
    } else {
        format!(
            "if ({bool_a} and {nodes_b}) then number({a}) {operator} number(boolean({b})) \
             else if ({nodes_a} and {bool_b}) then number(boolean({a})) {operator} number({b}) \
             else {} {operator} {}",
            numbers(a),
            numbers(b),
        )
    }
}

/// How a core function's argument is converted (XPath 1.0 §4).
#[derive(Clone, Copy)]
enum Argument {
    /// `object`, `boolean`, or a node-set used as a whole.
    AsIs,
    String,
    Number,
    /// The first node of a node-set (`name()`, `local-name()`, `namespace-uri()`).
    FirstNode,
    /// Every node's number (`sum()`).
    Numbers,
}

/// The conversion of argument `index` of the 1.0 core function `name`, or `None`
/// when `name` is not one.
fn argument(name: &str, index: usize) -> Option<Argument> {
    use Argument::*;
    Some(match name {
        "last" | "position" | "count" | "id" | "boolean" | "not" | "true" | "false" => AsIs,
        "local-name" | "namespace-uri" | "name" => FirstNode,
        "string" | "concat" | "starts-with" | "contains" | "substring-before"
        | "substring-after" | "string-length" | "normalize-space" | "translate" | "lang" => String,
        "substring" if index == 0 => String,
        "substring" | "number" | "floor" | "ceiling" | "round" => Number,
        "sum" => Numbers,
        _ => return None,
    })
}

fn not_xpath10(what: &str) -> String {
    format!("{what} is not XPath 1.0")
}

impl Rewrite {
    fn wrap(&mut self, range: &Range<usize>, depth: usize, open: String, close: String) {
        self.inserts.push(Insert {
            offset: range.start,
            side: Side::Open,
            depth,
            text: open,
        });
        self.inserts.push(Insert {
            offset: range.end,
            side: Side::Close,
            depth,
            text: close,
        });
    }

    fn expr(&mut self, expr: &ast::Expr, depth: usize) -> Result<(), String> {
        match expr.0.as_slice() {
            [single] => self.expr_single(single, depth + 1),
            _ => Err(not_xpath10("a sequence (`,`)")),
        }
    }

    fn expr_single(&mut self, expr: &ast::ExprSingleS, depth: usize) -> Result<(), String> {
        match &expr.value {
            ast::ExprSingle::Path(path) => self.path(path, depth + 1),
            ast::ExprSingle::Binary(binary) => self.binary(binary, depth + 1),
            ast::ExprSingle::Apply(apply) => match &apply.operator {
                ast::ApplyOperator::Unary(_) => {
                    self.path(&apply.path_expr, depth + 1)?;
                    let operand = span(&apply.path_expr)?;
                    self.wrap(&operand, depth, "number((".into(), ")[1])".into());
                    Ok(())
                }
                ast::ApplyOperator::SimpleMap(_) => Err(not_xpath10("`!`")),
                _ => Err(not_xpath10("`cast`, `castable`, `treat` or `instance of`")),
            },
            ast::ExprSingle::Let(_) => Err(not_xpath10("`let`")),
            ast::ExprSingle::If(_) => Err(not_xpath10("`if`")),
            ast::ExprSingle::For(_) => Err(not_xpath10("`for`")),
            ast::ExprSingle::Quantified(_) => Err(not_xpath10("`some`/`every`")),
        }
    }

    fn binary(&mut self, binary: &ast::BinaryExpr, depth: usize) -> Result<(), String> {
        use BinaryOperator::*;
        self.path(&binary.left, depth + 1)?;
        self.path(&binary.right, depth + 1)?;
        let (left, right) = (span(&binary.left)?, span(&binary.right)?);
        let operator = match binary.operator {
            Or | And | Union => return Ok(()),
            Add | Sub | Mul | Div | Mod => {
                for operand in [&left, &right] {
                    self.wrap(operand, depth, "number((".into(), ")[1])".into());
                }
                return Ok(());
            }
            GenEq => "=",
            GenNe => "!=",
            GenLt => "<",
            GenLe => "<=",
            GenGt => ">",
            GenGe => ">=",
            other => return Err(not_xpath10(&format!("the operator {other:?}"))),
        };
        self.comparisons += 1;
        let n = self.comparisons;
        let (a, b) = (format!("$xpath1-a{n}"), format!("$xpath1-b{n}"));
        // Each operand is a path expression, which `let` binds as it is: no brackets
        // around it, since every level of brackets doubles the parser's time.
        self.wrap(&left, depth, format!("(let {a} := "), format!(", {b} := "));
        self.deletions.push(left.end..right.start);
        self.wrap(
            &right,
            depth,
            String::new(),
            format!(" return {})", comparison(operator, &a, &b)),
        );
        Ok(())
    }

    fn path(&mut self, path: &ast::PathExpr, depth: usize) -> Result<(), String> {
        for step in &path.steps {
            match &step.value {
                ast::StepExpr::PrimaryExpr(primary) => self.primary(primary, depth + 1)?,
                ast::StepExpr::PostfixExpr { primary, postfixes } => {
                    self.primary(primary, depth + 1)?;
                    for postfix in postfixes {
                        match postfix {
                            ast::Postfix::Predicate(predicate) => {
                                self.expr(&predicate.value, depth + 1)?
                            }
                            ast::Postfix::ArgumentList(_) => {
                                return Err(not_xpath10("a dynamic function call"));
                            }
                            ast::Postfix::Lookup(_) => return Err(not_xpath10("`?` lookup")),
                        }
                    }
                }
                ast::StepExpr::AxisStep(step) => {
                    for predicate in &step.predicates {
                        self.expr(&predicate.value, depth + 1)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn primary(&mut self, primary: &ast::PrimaryExprS, depth: usize) -> Result<(), String> {
        match &primary.value {
            ast::PrimaryExpr::Literal(_)
            | ast::PrimaryExpr::VarRef(_)
            | ast::PrimaryExpr::ContextItem => Ok(()),
            ast::PrimaryExpr::Expr(inner) => match &inner.value {
                Some(expr) => self.expr(expr, depth + 1),
                None => Err(not_xpath10("an empty sequence `()`")),
            },
            ast::PrimaryExpr::FunctionCall(call) => self.function_call(call, depth + 1),
            _ => Err(not_xpath10(
                "a map, array, inline function or function reference",
            )),
        }
    }

    fn function_call(&mut self, call: &ast::FunctionCall, depth: usize) -> Result<(), String> {
        // The parser writes a leading `/` as a call of `fn:root()` with no source text.
        if call.name.span.start == call.name.span.end {
            return Ok(());
        }
        let name = &call.name.value;
        let local = name.local_name();
        let core = name.namespace() == FN_NAMESPACE && argument(local, 0).is_some();
        if !core {
            return Err(format!("`{local}()` is not an XPath 1.0 core function"));
        }
        for (index, arg) in call.arguments.iter().enumerate() {
            self.expr_single(arg, depth + 1)?;
            let range = arg.span.start..arg.span.end;
            let (open, close) = match argument(local, index).unwrap_or(Argument::AsIs) {
                Argument::AsIs => continue,
                Argument::String => ("string((", ")[1])"),
                Argument::Number => ("number((", ")[1])"),
                Argument::FirstNode => ("(", ")[1]"),
                Argument::Numbers => ("(for $xpath1-item in (", ") return number($xpath1-item))"),
            };
            self.wrap(&range, depth, open.into(), close.into());
        }
        Ok(())
    }

    /// The source with the inserts made and the deletions left out.
    fn apply(mut self, source: &str) -> String {
        self.inserts.sort_by_key(|insert| {
            let order = match insert.side {
                Side::Close => usize::MAX - insert.depth,
                Side::Open => insert.depth,
            };
            (insert.offset, insert.side, order)
        });
        let mut out = String::with_capacity(source.len() * 4);
        let mut at = 0;
        for insert in &self.inserts {
            self.copy(source, at..insert.offset, &mut out);
            at = at.max(insert.offset);
            out.push_str(&insert.text);
        }
        self.copy(source, at..source.len(), &mut out);
        out
    }

    fn copy(&self, source: &str, range: Range<usize>, out: &mut String) {
        let mut start = range.start;
        while start < range.end {
            match self.deletions.iter().find(|d| d.contains(&start)) {
                Some(deleted) => start = deleted.end,
                None => {
                    let next = self
                        .deletions
                        .iter()
                        .map(|d| d.start)
                        .filter(|&s| s > start)
                        .min()
                        .unwrap_or(range.end)
                        .min(range.end);
                    out.push_str(&source[start..next]);
                    start = next;
                }
            }
        }
    }
}

/// The source range a path covers: from its first step with source text to its last
/// (the parser gives the `//` between steps no text of its own).
fn span(path: &ast::PathExpr) -> Result<Range<usize>, String> {
    let mut spans = path
        .steps
        .iter()
        .map(|step| step.span)
        .filter(|span| span.start < span.end);
    let first = spans
        .next()
        .ok_or_else(|| "an operand without source text".to_string())?;
    let end = spans.next_back().map_or(first.end, |last| last.end);
    Ok(first.start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_paths_and_functions_without_conversions_as_written() {
        for expression in [
            "/a/b[2]",
            "//pet[@id]",
            "count(/a/*)",
            "boolean(/a)",
            "not(true())",
        ] {
            assert_eq!(to_xpath31(expression).unwrap(), expression);
        }
    }

    #[test]
    fn refuses_what_is_not_xpath10() {
        for expression in [
            "let $x := 1 return $x",
            "for $x in /a return $x",
            "if (/a) then 1 else 2",
            "some $x in /a satisfies $x",
            "(1, 2)",
            "()",
            "/a ! string(.)",
            "1 eq 1",
            "'a' || 'b'",
            "1 to 3",
            "upper-case('a')",
            "map { 'a': 1 }",
            "/a instance of node()",
        ] {
            assert!(to_xpath31(expression).is_err(), "{expression}");
        }
    }
}

//! Expected values come from the AWS documentation, results recorded on AWS (LocalStack
//! snapshots), the JSONata reference (docs.jsonata.org, jsonata-js) or the Java platform
//! specification, as each test says.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::functions;
use super::*;
use crate::entropy::SplitMix64;

struct Vars(HashMap<String, Value>);

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

fn vars(value: Value) -> Vars {
    Vars(
        value
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
    )
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 11, 15, 16, 16, 35).unwrap()
}

fn eval_with(expr: &str, input: Value, variables: Value) -> Result<Option<Value>, EvalError> {
    let context = json!({"Execution": {"Id": "arn:exec"}});
    let variables = vars(variables);
    let bindings = Bindings::new(&input, &context, &variables, now());
    Expression::parse(expr)
        .unwrap()
        .evaluate(&bindings, &mut SplitMix64::new(1))
}

fn eval(expr: &str) -> Result<Option<Value>, EvalError> {
    eval_with(expr, json!({}), json!({}))
}

fn value(expr: &str) -> Value {
    eval(expr).unwrap().unwrap()
}

fn error(expr: &str) -> EvalError {
    eval(expr).unwrap_err()
}

// --- parsing -----------------------------------------------------------------------------

#[test]
fn is_expression_needs_both_delimiters_and_nothing_around() {
    // AWS: the string must start with `{%` and end with `%}`, no spaces outside.
    assert!(Expression::is_expression("{% 1 %}"));
    assert!(Expression::is_expression("{%1%}"));
    assert!(!Expression::is_expression(" {% 1 %}"));
    assert!(!Expression::is_expression("{% 1 %} "));
    assert!(!Expression::is_expression("{% 1"));
    assert!(!Expression::is_expression("$states.input"));
    assert!(!Expression::is_expression("{%}"));
}

#[test]
fn parse_field_strips_delimiters_and_whitespace() {
    let e = Expression::parse_field("{% $states.input.a %}").unwrap();
    assert_eq!(e.source(), "$states.input.a");
    assert!(Expression::parse_field("$states.input.a").is_err());
}

#[test]
fn parse_errors_carry_jsonata_codes() {
    // Codes from the JSONata reference (jsonata-js errorCodes): S0201 syntax error,
    // S0101 unterminated string, S0207 unexpected end.
    let cases = [
        ("{% 1 +* 2 %}", None),
        ("{% 'abc %}", Some("S0101")),
        ("{% (1 %}", Some("S0203")),
    ];
    for (text, code) in cases {
        let err = Expression::parse_field(text).unwrap_err();
        if let Some(code) = code {
            assert_eq!(err.code.as_deref(), Some(code), "{text}: {err}");
        } else {
            assert!(err.code.is_some(), "{text}: {err}");
        }
    }
    let err = Expression::parse_field("{% %}").unwrap_err();
    assert_eq!(err.code.as_deref(), Some("S0207"));
    // The message is jsonata-js's, without the code, as Step Functions shows it
    // (INVALID_JSONATA_EXPRESSION messages quoted in floci-io/floci issue #2745).
    let err = Expression::parse_field("{% [1, 2 %}").unwrap_err();
    assert_eq!(err.message, "Expected \"]\" before end of expression");
    let err = Expression::parse_field("{% $a[1, 2] %}").unwrap_err();
    assert_eq!(err.message, "Expected \"]\", got \",\"");
}

#[test]
fn analysis_of_expressions() {
    // (expression, variables, $states fields, top-level field)
    type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], Option<&'a str>);
    let cases: &[Case] = &[
        ("$states.input.a.b", &[], &["input"], None),
        (
            "$states.result.x & $states.errorOutput.Cause",
            &[],
            &["errorOutput", "result"],
            None,
        ),
        ("$states.context.Execution.Id", &[], &["context"], None),
        ("$states.bogus", &[], &["bogus"], None),
        ("$x + $y.z", &["x", "y"], &[], None),
        ("($a := 1; $a + $b)", &["b"], &[], None),
        (
            "$map($items, function($v) { $v * $factor })",
            &["factor", "items"],
            &[],
            None,
        ),
        ("$sum($nums) + $count($nums)", &["nums"], &[], None),
        // A function's name read as a value may be a variable that hides the function.
        ("$map([1], $string)", &["string"], &[], None),
        ("$partition($list, 2)", &["list"], &[], None),
        ("phone", &[], &[], Some("phone")),
        ("a.b", &[], &[], Some("a")),
        ("'x' & phone", &[], &[], Some("phone")),
        ("$states.input.items[price > 5].name", &[], &["input"], None),
        ("$states.input.{ 'n': name }", &[], &["input"], None),
        ("$states.input.items@$i#$j.x", &[], &["input"], None),
    ];
    for (expr, variables, fields, top) in cases {
        let e = Expression::parse(expr).unwrap();
        assert_eq!(e.variables(), *variables, "{expr}");
        assert_eq!(e.states_fields(), *fields, "{expr}");
        assert_eq!(e.top_level_field(), *top, "{expr}");
    }
}

// --- evaluation --------------------------------------------------------------------------

#[test]
fn states_and_variables() {
    let input = json!({"a": {"b": "deep"}, "n": 2});
    assert_eq!(
        eval_with("$states.input.a.b", input.clone(), json!({})).unwrap(),
        Some(json!("deep"))
    );
    assert_eq!(
        eval_with("$states.input.n * $k", input.clone(), json!({"k": 21})).unwrap(),
        Some(json!(42))
    );
    assert_eq!(
        eval_with("$states.context.Execution.Id", input, json!({})).unwrap(),
        Some(json!("arn:exec"))
    );
    // AWS docs: `{% $customerName %}` with customerName "María".
    assert_eq!(
        eval_with("$customerName", json!({}), json!({"customerName": "María"})).unwrap(),
        Some(json!("María"))
    );
}

#[test]
fn result_and_error_output() {
    let input = json!({});
    let context = json!({});
    let result = json!({"r": 1});
    let error_output = json!({"Error": "E", "Cause": "C"});
    let v = vars(json!({}));
    let bindings = Bindings::new(&input, &context, &v, now())
        .with_result(&result)
        .with_error_output(&error_output);
    let prepared = bindings.prepare();
    let mut rng = SplitMix64::new(1);
    let e = Expression::parse("$states.result.r").unwrap();
    assert_eq!(
        e.evaluate_prepared(&prepared, &mut rng).unwrap(),
        Some(json!(1))
    );
    let e = Expression::parse("$states.errorOutput.Cause").unwrap();
    assert_eq!(
        e.evaluate_prepared(&prepared, &mut rng).unwrap(),
        Some(json!("C"))
    );
    let e = Expression::parse("$keys($states)").unwrap();
    assert_eq!(
        e.evaluate_prepared(&prepared, &mut rng).unwrap(),
        Some(json!(["input", "result", "errorOutput", "context"]))
    );
}

#[test]
fn numbers_come_back_as_json_integers_when_integral() {
    // JSONata has one number type; JSON.stringify writes 2, not 2.0.
    assert_eq!(value("1+1"), json!(2));
    assert!(value("1+1").is_i64());
    assert_eq!(value("1/4"), json!(0.25));
    assert_eq!(value("[1, 2.5, -0]"), json!([1, 2.5, 0]));
}

#[test]
fn undefined_results() {
    // JSONata: a missing field is undefined, not null.
    assert_eq!(eval("$states.input.missing").unwrap(), None);
    assert_eq!(value("null"), Value::Null);
    // An undefined field of an object constructor is left out (JSONata).
    assert_eq!(
        value("{'a': 1, 'b': $states.input.missing}"),
        json!({"a": 1})
    );
}

#[test]
fn jsonata_errors_have_codes() {
    // JSONata reference codes: T2001 (arithmetic on a string), D3001 ($string of
    // infinity), T1006 (calling a non-function, as recorded on AWS).
    let e = error("'a' + 1");
    assert_eq!(e.code.as_deref(), Some("T2001"));
    assert_eq!(e.kind, EvalErrorKind::Failed);
    assert_eq!(error("$string(1/0)").code.as_deref(), Some("D3001"));
    let e = error("$randomSeeded($states.input.FunctionInput.fst)");
    assert_eq!(e.code.as_deref(), Some("T1006"));
    assert_eq!(
        e.expression,
        "$randomSeeded($states.input.FunctionInput.fst)"
    );
}

#[test]
fn cause_matches_aws_recording() {
    // LocalStack test_math_operations_jsonata.snapshot.json (recorded on AWS).
    let e = error("$randomSeeded($states.input.FunctionInput.fst)");
    assert_eq!(
        e.cause("Output/FunctionResult"),
        "The JSONata expression '$randomSeeded($states.input.FunctionInput.fst)' specified \
         for the field 'Output/FunctionResult' threw an error during evaluation. T1006: \
         Attempted to invoke a non-function"
    );
}

#[test]
fn function_results_are_unsupported() {
    let e = error("function($x) { $x }");
    assert_eq!(e.kind, EvalErrorKind::UnsupportedResult);
    assert!(
        e.cause("Output")
            .ends_with("returned an unsupported result type.")
    );
}

#[test]
fn runaway_recursion_is_stopped() {
    let e = error("($f := function($x){ $x + $f($x) }; $f(1))");
    assert_eq!(e.kind, EvalErrorKind::LimitExceeded, "{e}");
    // A tail-recursive loop does not grow the stack: the time limit stops it.
    let e = error("($f := function($x){$f($x)}; $f(1))");
    assert_eq!(e.kind, EvalErrorKind::LimitExceeded, "{e}");
}

#[test]
fn huge_sequences_are_stopped() {
    let e = error("$count($map([1..10000000], function($v){$v}))");
    assert_ne!(e.kind, EvalErrorKind::Undefined, "{e}");
}

#[test]
fn now_and_millis_are_the_decisions_clock() {
    // JSONata: $now() is the ISO 8601 timestamp with milliseconds, $millis() the epoch
    // milliseconds, both fixed for one evaluation.
    assert_eq!(value("$now()"), json!("2024-11-15T16:16:35.000Z"));
    assert_eq!(value("$millis()"), json!(1_731_687_395_000i64));
    assert_eq!(value("$now() = $now()"), json!(true));
    assert_eq!(value("$now('[Y0001]-[M01]')"), json!("2024-11"));
}

// --- Step Functions functions ---------------------------------------------------------

#[test]
fn partition_examples() {
    // AWS docs: $partition([1,2,3,4], 2) → [[1,2],[3,4]]; classmethod: [1..9] by 3.
    assert_eq!(value("$partition([1,2,3,4], 2)"), json!([[1, 2], [3, 4]]));
    assert_eq!(
        value("$partition([1,2,3,4,5,6,7,8,9], 3)"),
        json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    );
    // Recorded on AWS (test_array_jsonata): [0] by 1 → [[0]], [0,1,2,3] by 3 and 5.
    assert_eq!(value("$partition([0], 1)"), json!([[0]]));
    assert_eq!(value("$partition([0,1,2,3], 3)"), json!([[0, 1, 2], [3]]));
    assert_eq!(value("$partition([0,1,2,3], 5)"), json!([[0, 1, 2, 3]]));
    assert!(eval("$partition([1], 0)").is_err());
    assert_eq!(error("$partition([1])").code.as_deref(), Some("T0410"));
}

#[test]
fn range_examples() {
    // AWS docs / classmethod: $range(0, 10, 2) → [0,2,4,6,8,10].
    assert_eq!(value("$range(0, 10, 2)"), json!([0, 2, 4, 6, 8, 10]));
    // Recorded on AWS (test_array_jsonata).
    assert_eq!(value("$range(0, 9, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(value("$range(0, 10, 3)"), json!([0, 3, 6, 9]));
    assert_eq!(value("$range(1, 9, 2)"), json!([1, 3, 5, 7, 9]));
    assert_eq!(value("$range(1, 9, 9)"), json!(1));
    // A negative step counts down (classmethod).
    assert_eq!(value("$range(3, 1, -1)"), json!([3, 2, 1]));
    assert!(eval("$range(0, 1, 0)").is_err());
    assert_eq!(error("$range('a', 1, 1)").code.as_deref(), Some("T0410"));
}

#[test]
fn hash_examples() {
    // Test vectors of FIPS 180 ("abc") and RFC 1321 (the empty string).
    assert_eq!(
        value("$hash('abc', 'SHA-1')"),
        json!("a9993e364706816aba3e25717850c26c9cd0d89d")
    );
    assert_eq!(
        value("$hash('', 'MD5')"),
        json!("d41d8cd98f00b204e9800998ecf8427e")
    );
    assert_eq!(
        value("$hash('abc', 'SHA-256')"),
        json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert!(eval("$hash('x', 'SHA-3')").is_err());
    assert_eq!(eval("$hash($states.input.missing, 'MD5')").unwrap(), None);
}

#[test]
fn random_with_seed_is_java_util_random() {
    // Measured on AWS (reported in floci #2662): $random(42) = 0.7275636800328681,
    // which is `new java.util.Random(42).nextDouble()`.
    assert_eq!(value("$random(42)"), json!(0.7275636800328681));
    assert_eq!(functions::java_random_next_double(42), 0.7275636800328681);
    // Java: new Random(0).nextDouble() = 0.730967787376657.
    assert_eq!(functions::java_random_next_double(0), 0.730967787376657);
    assert_eq!(error("$random(1.5)").code.as_deref(), Some("T0410"));
}

#[test]
fn random_and_uuid_come_from_the_entropy() {
    let input = json!({});
    let context = json!({});
    let v = vars(json!({}));
    let bindings = Bindings::new(&input, &context, &v, now());
    let e =
        Expression::parse("{'r': $random(), 'u': $uuid(), 's': $shuffle([1,2,3,4,5])}").unwrap();
    let a = e.evaluate(&bindings, &mut SplitMix64::new(9)).unwrap();
    let b = e.evaluate(&bindings, &mut SplitMix64::new(9)).unwrap();
    let c = e.evaluate(&bindings, &mut SplitMix64::new(10)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let a = a.unwrap();
    let r = a["r"].as_f64().unwrap();
    assert!((0.0..1.0).contains(&r));
    let uuid = a["u"].as_str().unwrap();
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4");
    let mut shuffled: Vec<i64> = a["s"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    shuffled.sort();
    assert_eq!(shuffled, vec![1, 2, 3, 4, 5]);
}

#[test]
fn parse_examples() {
    // Recorded on AWS (test_json_manipulation_jsonata).
    assert_eq!(value("$parse('-0')"), json!(0));
    assert_eq!(value("$parse('1.1')"), json!(1.1));
    assert_eq!(value("$parse('true')"), json!(true));
    assert_eq!(value("$parse('\"HelloWorld\"')"), json!("HelloWorld"));
    assert_eq!(
        value("$parse('[1, 2, \"HelloWorld\"]')"),
        json!([1, 2, "HelloWorld"])
    );
    assert_eq!(
        value("$parse('{\"Arg1\": 1, \"Arg2\": []}')"),
        json!({"Arg1": 1, "Arg2": []})
    );
    assert!(eval("$parse('{')").is_err());
}

// --- templates ---------------------------------------------------------------------------

#[test]
fn templates_evaluate_nested_expressions() {
    let t = Template::compile(&json!({
        "static": "Hello",
        "title": "{% $states.input.title %}",
        "not-evaluated": "$customerName",
        "list": [1, "{% $customerName %}", {"deep": "{% 1 + 1 %}"}]
    }))
    .unwrap();
    let input = json!({"title": "Doctor"});
    let context = json!({});
    let v = vars(json!({"customerName": "María"}));
    let bindings = Bindings::new(&input, &context, &v, now());
    // AWS docs (Transforming data with JSONata): title from the input, the variable,
    // and a literal "$customerName" left alone.
    assert_eq!(
        t.evaluate(&bindings, &mut SplitMix64::new(1)).unwrap(),
        Some(json!({
            "static": "Hello",
            "title": "Doctor",
            "not-evaluated": "$customerName",
            "list": [1, "María", {"deep": 2}]
        }))
    );
    let locations: Vec<String> = t.expressions().into_iter().map(|(l, _)| l).collect();
    assert_eq!(locations, ["/title", "/list/1", "/list/2/deep"]);
}

#[test]
fn literal_templates_stay_literal() {
    let t = Template::compile(&json!({"a": ["x", 1], "b": " {% not %}"})).unwrap();
    assert!(t.is_literal());
    assert!(t.expressions().is_empty());
}

#[test]
fn template_parse_error_location() {
    let err = Template::compile(&json!({"a": [1, {"b/c": "{% 1 + %}"}]})).unwrap_err();
    assert_eq!(err.location, "/a/1/b~1c");
    let err = Template::compile(&json!("{% ( %}")).unwrap_err();
    assert_eq!(err.location, "");
}

#[test]
fn undefined_inside_a_template_is_an_error_naming_the_field() {
    // Recorded on AWS: "The JSONata expression '$states.input.pushLocation' specified for
    // the field 'Arguments/Input/pushLocation' returned nothing (undefined)."
    let t =
        Template::compile(&json!({"Input": {"pushLocation": "{% $states.input.pushLocation %}"}}))
            .unwrap();
    let input = json!({});
    let context = json!({});
    let v = vars(json!({}));
    let bindings = Bindings::new(&input, &context, &v, now());
    let err = t.evaluate(&bindings, &mut SplitMix64::new(1)).unwrap_err();
    assert_eq!(err.kind, EvalErrorKind::Undefined);
    assert_eq!(err.pointer(), "/Input/pushLocation");
    assert_eq!(
        err.cause("Arguments"),
        "The JSONata expression '$states.input.pushLocation' specified for the field \
         'Arguments/Input/pushLocation' returned nothing (undefined)."
    );
    // Array items are named with [i].
    let t = Template::compile(&json!({"a": [1, "{% $states.input.x %}"]})).unwrap();
    let err = t.evaluate(&bindings, &mut SplitMix64::new(1)).unwrap_err();
    assert_eq!(err.field_path("Output"), "Output/a[1]");
    // A whole-field expression returning undefined is None for the caller to judge.
    let t = Template::compile(&json!("{% $states.input.x %}")).unwrap();
    assert_eq!(
        t.evaluate(&bindings, &mut SplitMix64::new(1)).unwrap(),
        None
    );
}

#[test]
fn expressions_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Expression>();
    check::<Template>();
}

#[test]
fn reading_part_of_a_value_sees_what_the_whole_would_show() {
    // Only the named fields are bound (see `Need`). The expected values are what
    // JSONata gives on the whole input (docs.jsonata.org, path operators); each case is
    // also checked against evaluation on the whole input, bound through a local
    // variable so nothing is left out.
    let input = json!({
        "a": {"b": 1, "c": 2},
        "items": [{"id": "x", "price": 3, "tags": ["t"]}, {"id": "y", "price": 9}],
        "nested": [[{"v": 1}], [{"v": 2}]],
        "n": null,
        "one": [7]
    });
    let vars = json!({"v3": {"k": [1, 2], "other": true}});
    let cases = [
        ("$states.input.a.b", json!(1)),
        ("$states.input.a", json!({"b": 1, "c": 2})),
        ("$keys($states.input.a)", json!(["b", "c"])),
        ("$states.input.items.price", json!([3, 9])),
        ("$states.input.items[price > 5].id", json!("y")),
        ("$states.input.nested.v", json!([1, 2])),
        ("$states.input.items.(id & '!')", json!(["x!", "y!"])),
        ("$states.input.items.*", json!(["x", 3, "t", "y", 9])),
        ("$states.input.a.b.%.c", json!(2)),
        ("$count($states.input.items) + $states.input.a.b", json!(3)),
        ("$v3.k", json!([1, 2])),
        ("$v3", json!({"k": [1, 2], "other": true})),
        ("$states.input.a.b + $sum($v3.k)", json!(4)),
    ];
    for (expr, expected) in cases.clone() {
        let got = eval_with(expr, input.clone(), vars.clone()).unwrap();
        assert_eq!(got, Some(expected), "{expr}");
    }
    // Singleton-array rules are subtle; these are checked against the whole input only.
    let more = [
        "$states.input.items.tags",
        "$states.input.nested",
        "$states.input.items[0]",
        // Plain paths, read straight from the JSON while they meet only objects.
        "$states.input.a.missing",
        "$states.input.a.b.c",
        "$states.input.n",
        "$states.input.n.x",
        "$states.input.one",
        "$states.input.items.id",
        "$v3.other",
        "$v3.k",
    ];
    for expr in cases.iter().map(|(e, _)| *e).chain(more) {
        let got = eval_with(expr, input.clone(), vars.clone()).unwrap();
        let whole = format!(
            "($w := $states.input; $u := $v3; {})",
            expr.replace("$states.input", "$w").replace("$v3", "$u")
        );
        let reference = eval_with(&whole, input.clone(), vars.clone()).unwrap();
        assert_eq!(got, reference, "{expr} against the whole input");
    }
    // One preparation serving a partial and then a whole read, and the reverse.
    let context = json!({});
    let v = super::tests::vars(vars);
    let bindings = Bindings::new(&input, &context, &v, now());
    let prepared = bindings.prepare();
    let mut rng = SplitMix64::new(1);
    for expr in ["$states.input.a.c", "$states.input", "$states.input.a.c"] {
        let got = Expression::parse(expr)
            .unwrap()
            .evaluate_prepared(&prepared, &mut rng)
            .unwrap();
        let expected = if expr == "$states.input" {
            input.clone()
        } else {
            json!(2)
        };
        assert_eq!(got, Some(expected), "{expr}");
    }
}

#[test]
fn odd_expressions_end_in_a_value_or_an_error() {
    for expr in [
        "$",
        "$$",
        "%",
        "**",
        "*",
        "[1..3][-1]",
        "{}.a",
        "$eval('$eval(\"1\")')",
        "$eval('$uuid()')",
        "$states",
        "$states.input.%",
        "$sort([3,1,2])",
        "$x.y.z",
        "$string($states)",
        "$now('[invalid')",
        "$fromMillis(1e300)",
        "$random(1e300)",
        "$partition([1,2], 1e300)",
        "$range(0, 1e300, 1)",
        "$hash('a', $states)",
        "$reduce([1..200], function($a, $b){ [$a] })",
        "'a' ~> $uppercase",
        "$single([1,2])",
        "$error('boom')",
        "function($x){$x}(1)",
        "(1; 2; )",
    ] {
        if let Ok(e) = Expression::parse(expr) {
            let _ = e.evaluate(
                &Bindings::new(&json!({}), &json!({}), &vars(json!({})), now()),
                &mut SplitMix64::new(1),
            );
        }
    }
    // A result nested deeper than serde_json can read back is refused.
    let e = error("$reduce([1..200], function($a, $b){ [[$a]] })");
    assert_eq!(e.kind, EvalErrorKind::UnsupportedResult, "{e}");
}

#[test]
fn a_panic_of_the_jsonata_implementation_is_an_internal_error() {
    // Found by fuzzing: a range with huge bounds overflows inside jsonata-core.
    let source = format!("--7-55..7{}-55..1", "5".repeat(75));
    let expression = Expression::parse(&source).expect("the expression parses");
    let input = json!({});
    let context = json!({});
    let vars = vars(json!({}));
    let bindings = Bindings::new(&input, &context, &vars, now());
    let mut rng = SplitMix64::new(1);
    let error = expression
        .evaluate(&bindings, &mut rng)
        .expect_err("the range is refused");
    // With overflow checks (debug builds) jsonata-core panics; without, it refuses the
    // range as too long.
    assert!(
        matches!(
            error.kind,
            EvalErrorKind::Internal | EvalErrorKind::Failed | EvalErrorKind::LimitExceeded
        ),
        "{error:?}"
    );
    if cfg!(debug_assertions) {
        assert_eq!(error.kind, EvalErrorKind::Internal, "{error:?}");
        assert!(
            error
                .cause("Output")
                .ends_with("threw an internal error during evaluation.")
        );
    }
}

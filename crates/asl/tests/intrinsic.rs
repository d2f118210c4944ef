//! Intrinsic functions. Expected values come from the AWS page "Intrinsic functions for
//! JSONPath states in Step Functions" and from executions recorded on AWS.

use std::collections::HashMap;

use serde_json::{Value, json};
use weft_asl::entropy::{Entropy, SplitMix64};
use weft_asl::error::StatesError;
use weft_asl::intrinsic::Intrinsic;
use weft_asl::path::{NoVariables, Scope, Variables};

fn context() -> Value {
    json!({
        "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run-1", "Name": "run-1"},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:sm", "Name": "sm"},
        "State": {"Name": "Pass"}
    })
}

fn evaluate_with(
    call: &str,
    input: &Value,
    entropy: &mut dyn Entropy,
) -> Result<Value, StatesError> {
    let context = context();
    let scope = Scope {
        input,
        context: &context,
        variables: &NoVariables,
    };
    Intrinsic::parse(call)
        .unwrap_or_else(|e| panic!("{call} should parse: {e}"))
        .evaluate(&scope, entropy)
}

fn evaluate(call: &str, input: Value) -> Result<Value, StatesError> {
    evaluate_with(call, &input, &mut SplitMix64::new(7))
}

fn ok(call: &str, input: Value) -> Value {
    evaluate(call, input).unwrap_or_else(|e| panic!("{call} failed: {e}"))
}

fn failure(call: &str, input: Value) -> StatesError {
    match evaluate(call, input) {
        Ok(value) => panic!("{call} should fail, but gave {value}"),
        Err(error) => error,
    }
}

fn assert_intrinsic_failure(call: &str, input: Value) -> String {
    let error = failure(call, input);
    assert_eq!(
        error.error, "States.IntrinsicFailure",
        "{call}: {}",
        error.cause
    );
    let prefix = format!("The function '{call}' had the following error: ");
    assert!(
        error.cause.starts_with(&prefix),
        "{call}: cause was {}",
        error.cause
    );
    error.cause
}

fn parse_error(call: &str) -> String {
    match Intrinsic::parse(call) {
        Ok(_) => panic!("{call} should not parse"),
        Err(error) => error.message,
    }
}

// ---- States.Format ---------------------------------------------------------------

#[test]
fn format_with_literal_template() {
    let input = json!({"name": "Arnav", "template": "Hello, my name is {}."});
    assert_eq!(
        ok("States.Format('Hello, my name is {}.', $.name)", input),
        json!("Hello, my name is Arnav.")
    );
}

#[test]
fn format_with_template_from_path() {
    let input = json!({"name": "Arnav", "template": "Hello, my name is {}."});
    assert_eq!(
        ok("States.Format($.template, $.name)", input),
        json!("Hello, my name is Arnav.")
    );
}

#[test]
fn format_renders_values_as_aws_does() {
    // Recorded on AWS: null, numbers and objects in a formatted string.
    assert_eq!(
        ok(
            "States.Format('Formatting argument {}.', $.v)",
            json!({"v": null})
        ),
        json!("Formatting argument null.")
    );
    assert_eq!(
        ok(
            "States.Format('Formatting argument {}.', $.v)",
            json!({"v": 1.1})
        ),
        json!("Formatting argument 1.1.")
    );
    assert_eq!(
        ok(
            "States.Format('Formatting argument {}.', $.v)",
            json!({"v": 1})
        ),
        json!("Formatting argument 1.")
    );
    assert_eq!(
        ok(
            "States.Format('Formatting arguments fst={} and snd={}.', $.fst, $.snd)",
            json!({"fst": {"Arg1": 1, "Arg2": []}, "snd": {"Arg1": 1, "Arg2": []}})
        ),
        json!("Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.")
    );
}

#[test]
fn format_escaped_braces_are_not_placeholders() {
    assert_eq!(
        ok(r"States.Format('It\'s {} \{\} \\', 'done')", json!({})),
        json!(r"It's done {} \")
    );
}

#[test]
fn format_argument_count_must_match_placeholders() {
    assert_intrinsic_failure("States.Format('{} and {}', 'one')", json!({}));
    assert_intrinsic_failure("States.Format('no placeholder', 'extra')", json!({}));
    assert_intrinsic_failure("States.Format($.t, 'a')", json!({"t": "{}{}"}));
}

#[test]
fn format_template_must_be_a_string() {
    assert_intrinsic_failure("States.Format($.t)", json!({"t": 5}));
}

// ---- JSON ----------------------------------------------------------------------------

#[test]
fn string_to_json() {
    let input = json!({"escapedJsonString": "{\"foo\": \"bar\"}"});
    assert_eq!(
        ok("States.StringToJson($.escapedJsonString)", input),
        json!({"foo": "bar"})
    );
}

#[test]
fn string_to_json_rejects_invalid_json() {
    assert_intrinsic_failure("States.StringToJson($.s)", json!({"s": "{not json"}));
    assert_intrinsic_failure("States.StringToJson($.s)", json!({"s": 12}));
}

#[test]
fn json_to_string() {
    let input = json!({"unescapedJson": {"foo": "bar"}});
    assert_eq!(
        ok("States.JsonToString($.unescapedJson)", input),
        json!("{\"foo\":\"bar\"}")
    );
}

#[test]
fn json_merge_is_shallow() {
    let input = json!({
        "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
        "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}
    });
    assert_eq!(
        ok("States.JsonMerge($.json1, $.json2, false)", input),
        json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3})
    );
}

#[test]
fn json_merge_rejects_deep_mode_and_non_objects() {
    let input = json!({"a": {"x": 1}, "b": {"y": 2}, "list": [1]});
    assert_intrinsic_failure("States.JsonMerge($.a, $.b, true)", input.clone());
    assert_intrinsic_failure("States.JsonMerge($.a, $.b, 'false')", input.clone());
    assert_intrinsic_failure("States.JsonMerge($.a, $.list, false)", input);
}

// ---- Arrays ------------------------------------------------------------------------------

#[test]
fn array() {
    assert_eq!(
        ok("States.Array($.Id)", json!({"Id": 123456})),
        json!([123456])
    );
    assert_eq!(ok("States.Array()", json!({})), json!([]));
    assert_eq!(
        ok(
            "States.Array('a', 1, -2.5, true, false, null, $.o)",
            json!({"o": {"k": [1]}})
        ),
        json!(["a", 1, -2.5, true, false, null, {"k": [1]}])
    );
}

#[test]
fn array_partition() {
    let input = json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]});
    assert_eq!(
        ok("States.ArrayPartition($.inputArray,4)", input),
        json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
    );
    assert_eq!(
        ok("States.ArrayPartition($.a, 3)", json!({"a": []})),
        json!([])
    );
}

#[test]
fn array_partition_needs_a_positive_chunk_size() {
    assert_intrinsic_failure("States.ArrayPartition($.a, 0)", json!({"a": [1]}));
    assert_intrinsic_failure("States.ArrayPartition($.a, -1)", json!({"a": [1]}));
    assert_intrinsic_failure("States.ArrayPartition($.a, 1.5)", json!({"a": [1]}));
    assert_intrinsic_failure("States.ArrayPartition($.a, 2)", json!({"a": "abc"}));
}

#[test]
fn array_contains() {
    let input = json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5});
    assert_eq!(
        ok("States.ArrayContains($.inputArray, $.lookingFor)", input),
        json!(true)
    );
    let input = json!({"a": [[1, 2, 3], {"k": [null]}], "x": {"k": [null]}, "y": [1, 2]});
    assert_eq!(
        ok("States.ArrayContains($.a, $.x)", input.clone()),
        json!(true)
    );
    assert_eq!(ok("States.ArrayContains($.a, $.y)", input), json!(false));
}

#[test]
fn array_range() {
    assert_eq!(
        ok("States.ArrayRange(1, 9, 2)", json!({})),
        json!([1, 3, 5, 7, 9])
    );
    assert_eq!(
        ok("States.ArrayRange(0, 10, 3)", json!({})),
        json!([0, 3, 6, 9])
    );
    assert_eq!(
        ok("States.ArrayRange(5, 1, -2)", json!({})),
        json!([5, 3, 1])
    );
    assert_eq!(ok("States.ArrayRange(5, 1, 2)", json!({})), json!([]));
}

#[test]
fn array_range_limits() {
    let thousand = ok("States.ArrayRange(1, 1000, 1)", json!({}));
    assert_eq!(thousand.as_array().map(Vec::len), Some(1000));
    let cause = assert_intrinsic_failure("States.ArrayRange(1, 1001, 1)", json!({}));
    assert!(cause.contains("1000"), "{cause}");
    assert_intrinsic_failure("States.ArrayRange(1, 9, 0)", json!({}));
    assert_intrinsic_failure("States.ArrayRange(1, 9.5, 1)", json!({}));
    assert_intrinsic_failure("States.ArrayRange('1', 9, 1)", json!({}));
}

#[test]
fn array_get_item() {
    let input = json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5});
    assert_eq!(
        ok("States.ArrayGetItem($.inputArray, $.index)", input),
        json!(6)
    );
}

#[test]
fn array_get_item_out_of_bounds() {
    let input = json!({"a": [1, 2, 3]});
    assert_intrinsic_failure("States.ArrayGetItem($.a, 3)", input.clone());
    assert_intrinsic_failure("States.ArrayGetItem($.a, -1)", input.clone());
    assert_intrinsic_failure("States.ArrayGetItem($.a, 'x')", input);
}

#[test]
fn array_length() {
    let input = json!({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]});
    assert_eq!(ok("States.ArrayLength($.inputArray)", input), json!(9));
    assert_intrinsic_failure("States.ArrayLength($.s)", json!({"s": "abc"}));
}

#[test]
fn array_unique() {
    let input = json!({"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]});
    assert_eq!(
        ok("States.ArrayUnique($.inputArray)", input),
        json!([1, 2, 3, 4])
    );
    let input = json!({"a": [null, null, true, true, "x", "x", [], [], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}]});
    assert_eq!(
        ok("States.ArrayUnique($.a)", input),
        json!([null, true, "x", [], {"a": 1, "b": 2}, {"a": 1, "b": 1}])
    );
}

// ---- Encoding and hashing -------------------------------------------------------------------

#[test]
fn base64_encode_and_decode() {
    assert_eq!(
        ok(
            "States.Base64Encode($.input)",
            json!({"input": "Data to encode"})
        ),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(
        ok(
            "States.Base64Decode($.base64)",
            json!({"base64": "RGF0YSB0byBlbmNvZGU="})
        ),
        json!("Data to encode")
    );
}

#[test]
fn base64_limits_and_errors() {
    let at_limit = "a".repeat(10_000);
    assert!(evaluate("States.Base64Encode($.s)", json!({ "s": at_limit })).is_ok());
    let too_long = "a".repeat(10_001);
    assert_intrinsic_failure("States.Base64Encode($.s)", json!({ "s": too_long.clone() }));
    assert_intrinsic_failure("States.Base64Decode($.s)", json!({ "s": too_long }));
    assert_intrinsic_failure("States.Base64Decode($.s)", json!({"s": "not base64!"}));
    assert_intrinsic_failure("States.Base64Encode($.s)", json!({"s": 1}));
}

#[test]
fn hash() {
    let input = json!({"Data": "input data", "Algorithm": "SHA-1"});
    assert_eq!(
        ok("States.Hash($.Data, $.Algorithm)", input),
        json!("aaff4a450a104cd177d28d18d74485e8cae074b7")
    );
}

#[test]
fn hash_algorithms() {
    // Digests of the empty string (RFC 1321, FIPS 180-4 test vectors).
    let cases = [
        ("MD5", "d41d8cd98f00b204e9800998ecf8427e"),
        ("SHA-1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (
            "SHA-256",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            "SHA-384",
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
        ),
        (
            "SHA-512",
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
        ),
    ];
    for (algorithm, digest) in cases {
        let call = format!("States.Hash('', '{algorithm}')");
        assert_eq!(ok(&call, json!({})), json!(digest), "{algorithm}");
    }
}

#[test]
fn hash_errors() {
    assert_intrinsic_failure("States.Hash('data', 'SHA-999')", json!({}));
    assert_intrinsic_failure(
        "States.Hash($.s, 'MD5')",
        json!({ "s": "a".repeat(10_001) }),
    );
}

// ---- Math ------------------------------------------------------------------------------------

#[test]
fn math_add() {
    assert_eq!(
        ok(
            "States.MathAdd($.value1, $.step)",
            json!({"value1": 111, "step": -1})
        ),
        json!(110)
    );
}

#[test]
fn math_add_rounds_like_aws() {
    // Recorded on AWS: operands are rounded half up before adding.
    let cases = [
        ((-9.0, 3.0), -6),
        ((1.49, 1.5), 3),
        ((1.5, 1.51), 4),
        ((-1.49, -1.5), -2),
        ((-1.5, -1.51), -3),
    ];
    for ((a, b), sum) in cases {
        let input = json!({"a": a, "b": b});
        assert_eq!(
            ok("States.MathAdd($.a, $.b)", input),
            json!(sum),
            "{a} + {b}"
        );
    }
}

#[test]
fn math_add_errors() {
    assert_intrinsic_failure("States.MathAdd('1', 2)", json!({}));
    assert_intrinsic_failure("States.MathAdd(2147483648, 1)", json!({}));
}

#[test]
fn math_random_is_in_range() {
    let input = json!({"start": 1, "end": 999});
    for seed in 0..200 {
        let value = evaluate_with(
            "States.MathRandom($.start, $.end)",
            &input,
            &mut SplitMix64::new(seed),
        )
        .unwrap();
        let n = value.as_i64().unwrap();
        assert!((1..999).contains(&n), "{n}");
    }
    // Recorded on AWS: fractional bounds are accepted.
    let value = ok(
        "States.MathRandom($.a, $.b)",
        json!({"a": 12.5, "b": 44.51}),
    );
    assert!(value.is_i64());
}

#[test]
fn math_random_depends_only_on_the_entropy() {
    let call = "States.MathRandom(0, 1000000)";
    let a = evaluate_with(call, &json!({}), &mut SplitMix64::new(1)).unwrap();
    let b = evaluate_with(call, &json!({}), &mut SplitMix64::new(1)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn math_random_with_seed_ignores_the_entropy() {
    let call = "States.MathRandom($.start, $.end, $.seed)";
    let input = json!({"start": 1, "end": 999, "seed": 7});
    let results: Vec<Value> = (0..20)
        .map(|entropy| evaluate_with(call, &input, &mut SplitMix64::new(entropy)).unwrap())
        .collect();
    assert!(results.iter().all(|r| r == &results[0]));
    let n = results[0].as_i64().unwrap();
    assert!((1..999).contains(&n));
}

#[test]
fn math_random_errors() {
    assert_intrinsic_failure("States.MathRandom(10, 10)", json!({}));
    assert_intrinsic_failure("States.MathRandom(10, 1)", json!({}));
    assert_intrinsic_failure("States.MathRandom('1', 10)", json!({}));
}

// ---- Strings and identifiers ---------------------------------------------------------------

#[test]
fn string_split() {
    assert_eq!(
        ok(
            "States.StringSplit($.inputString, $.splitter)",
            json!({"inputString": "1,2,3,4,5", "splitter": ","})
        ),
        json!(["1", "2", "3", "4", "5"])
    );
    assert_eq!(
        ok(
            "States.StringSplit($.inputString, $.splitter)",
            json!({"inputString": "This.is+a,test=string", "splitter": ".+,="})
        ),
        json!(["This", "is", "a", "test", "string"])
    );
}

#[test]
fn string_split_drops_empty_pieces() {
    // Recorded on AWS.
    assert_eq!(
        ok("States.StringSplit($.s, ',')", json!({"s": ",,,,"})),
        json!([])
    );
    assert_eq!(
        ok("States.StringSplit($.s, ',')", json!({"s": ", , ,"})),
        json!([" ", " "])
    );
    assert_eq!(
        ok(
            "States.StringSplit($.s, $.d)",
            json!({"s": "split on T and \nnew line", "d": "T\n"})
        ),
        json!(["split on ", " and ", "new line"])
    );
}

#[test]
fn uuid_is_a_version_4_uuid_from_the_entropy() {
    let a = evaluate_with("States.UUID()", &json!({}), &mut SplitMix64::new(3)).unwrap();
    let b = evaluate_with("States.UUID()", &json!({}), &mut SplitMix64::new(3)).unwrap();
    assert_eq!(a, b);
    let text = a.as_str().unwrap();
    let groups: Vec<usize> = text.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12]);
    assert_eq!(text.chars().nth(14), Some('4'));
}

// ---- Nesting, paths and variables ------------------------------------------------------------

#[test]
fn nested_calls() {
    // The nested example of the AWS page, applied to an image recipe ARN.
    let input = json!({"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/1.2.3"}});
    let call = "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 2))";
    assert_eq!(ok(call, input), json!("1.2.3"));
}

#[test]
fn context_object_arguments() {
    assert_eq!(
        ok(
            "States.Format('{} in {}', $$.Execution.Name, $$.StateMachine.Name)",
            json!({})
        ),
        json!("run-1 in sm")
    );
}

struct Vars(HashMap<String, Value>);

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

#[test]
fn variable_arguments() {
    let vars = Vars(HashMap::from([("counter".to_owned(), json!({"n": 41}))]));
    let input = json!({});
    let context = context();
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &vars,
    };
    let call = Intrinsic::parse("States.MathAdd($counter.n, 1)").unwrap();
    assert_eq!(
        call.evaluate(&scope, &mut SplitMix64::new(0)).unwrap(),
        json!(42)
    );
}

#[test]
fn whole_input_argument() {
    assert_eq!(
        ok("States.JsonToString($)", json!({"a": [1, 2]})),
        json!("{\"a\":[1,2]}")
    );
}

#[test]
fn missing_path_argument_is_a_runtime_error() {
    let error = failure("States.Array($.optional)", json!({"requiredProperty": 1}));
    assert_eq!(error.error, "States.Runtime");
    assert_eq!(
        error.cause,
        "The function 'States.Array($.optional)' had the following error: The JsonPath argument for the field '$.optional' could not be found in the input '{\"requiredProperty\":1}'"
    );
}

// ---- Parsing -----------------------------------------------------------------------------------

#[test]
fn text_is_kept() {
    let call = Intrinsic::parse("States.Array( 1 , 'a' )").unwrap();
    assert_eq!(call.text(), "States.Array( 1 , 'a' )");
}

#[test]
fn looks_like_call() {
    assert!(Intrinsic::looks_like_call("States.Array(1)"));
    assert!(Intrinsic::looks_like_call("  States.UUID()"));
    assert!(!Intrinsic::looks_like_call("$.States.Array"));
}

#[test]
fn literals() {
    assert_eq!(
        ok(
            "States.Array(-7, 0, 3.25, -0.5, 1e3, 'x,y)', '', true,false , null)",
            json!({})
        ),
        json!([-7, 0, 3.25, -0.5, 1000.0, "x,y)", "", true, false, null])
    );
}

#[test]
fn unknown_function() {
    let message = parse_error("States.Compare($.a, $.b)");
    assert!(message.contains("States.Compare"), "{message}");
}

#[test]
fn wrong_argument_counts() {
    for call in [
        "States.UUID(1)",
        "States.ArrayLength()",
        "States.ArrayGetItem($.a)",
        "States.ArrayRange(1, 2)",
        "States.MathRandom(1)",
        "States.MathRandom(1, 2, 3, 4)",
        "States.JsonMerge($.a, $.b)",
        "States.Format()",
        "States.Hash('a')",
    ] {
        let message = parse_error(call);
        assert!(message.contains("argument"), "{call}: {message}");
    }
}

#[test]
fn syntax_errors() {
    for call in [
        "States.Array(",
        "States.Array('abc)",
        "States.Array(1,)",
        "States.Array(1 2)",
        "States.Array(1) extra",
        "States.Array",
        "States.Array(01)",
        "States.Array(truth)",
        "States.Array(@)",
    ] {
        parse_error(call);
    }
}

#[test]
fn escapes() {
    assert_eq!(
        ok(r"States.Array('a\'b', '\{\}', '\\')", json!({})),
        json!(["a'b", "{}", "\\"])
    );
    let message = parse_error(r"States.Array('a\nb')");
    assert!(message.contains("escape"), "{message}");
    parse_error(r"States.Array('a\')");
}

#[test]
fn nesting_is_limited_to_ten_calls_deep() {
    let nest = |depth: usize| format!("{}1{}", "States.Array(".repeat(depth), ")".repeat(depth));
    assert_eq!(ok(&nest(10), json!({})), json!([[[[[[[[[[1]]]]]]]]]]));
    let message = parse_error(&nest(11));
    assert!(message.contains("10"), "{message}");
}

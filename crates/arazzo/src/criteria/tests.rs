use serde_json::{Map, json};

use super::*;
use crate::expression::testing::Fixture;

fn simple(condition: &str) -> Criterion {
    Criterion {
        context: None,
        condition: condition.into(),
        kind: None,
        extensions: Map::new(),
    }
}

fn typed(context: &str, condition: &str, kind: CriterionType) -> Criterion {
    Criterion {
        context: Some(context.into()),
        condition: condition.into(),
        kind: Some(kind),
        extensions: Map::new(),
    }
}

fn named(name: &str) -> CriterionType {
    CriterionType::Name(name.into())
}

fn versioned(kind: &str, version: &str) -> CriterionType {
    CriterionType::Expression {
        kind: kind.into(),
        version: version.into(),
    }
}

#[test]
fn simple_conditions() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let cases: &[(&str, bool)] = &[
        // The spec's example.
        ("$statusCode == 200", true),
        ("$statusCode == 201", false),
        ("$statusCode != 201", true),
        // §2.8: `$response.body#/name == 'rex'` against "Rex" passes ("String
        // comparisons MUST be case insensitive").
        ("$response.body#/name == 'rex'", true),
        ("$response.body#/name == 'REX'", true),
        ("$response.body#/name != 'rex'", false),
        // 1.1's examples: `$response.body.count > $inputs.threshold` and
        // "Pass if status code is 200 AND body contains data".
        ("$response.body.count < $inputs.count", true),
        ("$statusCode == 200 && $response.body.data != null", true),
        ("$response.body.missing != null", false),
        ("$response.body.missing == null", true),
        // `[]` index and `.` dereference after an expression.
        ("$steps.someStepId.outputs.list[0] == 10", true),
        ("$steps.someStepId.outputs.list[1] > 15", true),
        ("$steps.someStepId.outputs.pets[1].id == 2", true),
        ("$steps.someStepId.outputs.pets[1]['id'] == 2", true),
        ("$steps.someStepId.outputs.pets[5].id == null", true),
        ("$response.body#/pets[0].name == 'rex'", true),
        // Numeric strings are coerced ("Numeric strings SHOULD be coerced to numbers").
        ("$response.header.X-Rate-Limit > 50", true),
        ("$response.header.x-rate-limit == 100", true),
        ("$statusCode == '200'", true),
        // Logic and precedence: `||` < `&&` < `!` < comparison.
        ("$statusCode == 404 || $statusCode == 200", true),
        ("$statusCode >= 200 && $statusCode < 300", true),
        // `&&` binds tighter than `||`: read the other way round these would flip.
        ("true || true && false", true),
        ("false && false || true", true),
        ("$statusCode == 200 || $statusCode == 200 && false", true),
        ("!($statusCode == 404)", true),
        ("!$statusCode == 404", true),
        ("!!$inputs.flag", true),
        ("!$inputs.flag", false),
        (
            "($statusCode == 200) && ($response.body#/status == 'OK' || false)",
            true,
        ),
        // The spec's components example writes the condition in braces.
        ("{$statusCode == 401}", false),
        ("{$statusCode == 200}", true),
        // Literals: quotes, `''` escapes, double quotes, numbers.
        ("'It''s' == 'IT''S'", true),
        ("\"QueuedJob\" == 'queuedjob'", true),
        ("-1 < 0", true),
        ("1.5e2 == 150", true),
        ("null == null", true),
        ("null != 0", true),
        // Truthiness: only `true` passes. 1.1: a condition fails when "The expression
        // evaluates to `null`".
        ("true", true),
        ("false", false),
        ("null", false),
        ("$inputs.flag", true),
        ("$inputs.count", false),
        ("$inputs.username", false),
        ("'true'", false),
        ("1", false),
        ("$inputs.missing", false),
        // The message.
        ("$method == 'post'", true),
        ("$url != ''", true),
        ("$request.header.accept == 'APPLICATION/JSON'", true),
        ("$inputs.user.tags[1] == 'Y'", true),
    ];
    for (condition, expected) in cases {
        let result = evaluate(&simple(condition), &scope);
        assert_eq!(result, Ok(*expected), "{condition}");
        assert_eq!(check(&simple(condition)), Ok(()), "{condition}");
    }
}

#[test]
fn without_a_response_message_values_are_null() {
    let fixture = Fixture::new();
    let scope = fixture.scope_before_request();
    assert_eq!(evaluate(&simple("$statusCode == 200"), &scope), Ok(false));
    assert_eq!(evaluate(&simple("$statusCode == null"), &scope), Ok(true));
    assert_eq!(evaluate(&simple("$statusCode < 300"), &scope), Ok(false));
}

#[test]
fn malformed_simple_conditions_are_errors() {
    let nested = format!("{}true{}", "(".repeat(200), ")".repeat(200));
    for condition in [
        "",
        "$statusCode = 200",
        "$statusCode == STOPPED",
        "$statusCode ==",
        "== 200",
        "($statusCode == 200",
        "$statusCode == 200)",
        "1 < 2 < 3",
        "$foo == 1",
        "$statusCode == 'a",
        "$statusCode == 200 &&",
        "$steps.a.outputs.list[x] == 1",
        "$steps.a.outputs.list[0 == 1",
        "$statusCode 200",
        "1..2 == 1",
        nested.as_str(),
    ] {
        assert!(check(&simple(condition)).is_err(), "{condition:?}");
        let fixture = Fixture::new();
        assert!(
            evaluate(&simple(condition), &fixture.scope()).is_err(),
            "{condition:?}"
        );
    }
}

#[test]
fn type_mismatches_when_ordering_are_errors() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    for condition in [
        "$response.body#/name < 5",
        "true < false",
        "$response.body#/data > 1",
    ] {
        assert!(check(&simple(condition)).is_ok(), "{condition}");
        assert!(evaluate(&simple(condition), &scope).is_err(), "{condition}");
    }
}

#[test]
fn regex_criteria() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let regex = || named("regex");
    let cases: &[(Criterion, bool)] = &[
        // The spec's example.
        (typed("$statusCode", "^200$", regex()), true),
        (typed("$statusCode", "^201$", regex()), false),
        // §2.8: regex `^R` on `$response.body#/name` passes.
        (typed("$response.body#/name", "^R", regex()), true),
        // `{$…}` is substituted first (1.1's `'^({$inputs.statusPattern})$'`).
        (
            typed("$response.body#/name", "^({$inputs.pattern})$", regex()),
            true,
        ),
        (
            typed("$response.body#/status", "^({$inputs.pattern})$", regex()),
            false,
        ),
        // "If the `context` evaluates to `null` or `undefined`, the condition MUST
        // evaluate to _fail_."
        (typed("$response.body#/missing", ".*", regex()), false),
        (typed("$inputs.nothing", ".*", regex()), false),
        // Braces around the context are tolerated.
        (typed("{$statusCode}", "^2", regex()), true),
    ];
    for (criterion, expected) in cases {
        assert_eq!(evaluate(criterion, &scope), Ok(*expected), "{criterion:?}");
        assert_eq!(check(criterion), Ok(()), "{criterion:?}");
    }
}

#[test]
fn jsonpath_criteria() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let jsonpath = || named("jsonpath");
    let goessner = || versioned("jsonpath", "draft-goessner-dispatch-jsonpath-00");
    let cases: &[(Criterion, bool)] = &[
        // §2.8 rows, with the spec's answers.
        (typed("$response.body", "$.name", jsonpath()), true),
        (
            typed("$response.body", "$[?count(@.name) > 0]", jsonpath()),
            false,
        ),
        (typed("$response.body", "$[?@.id == 5]", jsonpath()), false),
        // `type: {type: jsonpath, version: …}` with a non-matching query fails.
        (typed("$response.body", "$.nothing", goessner()), false),
        (
            typed("$response.body", "$.pets[?@.name == 'Tom']", goessner()),
            true,
        ),
        (
            typed(
                "$response.body",
                "$.pets[*]",
                versioned("jsonpath", "rfc9535"),
            ),
            true,
        ),
        // `{$…}` substituted into the query (1.1's example shape).
        (
            typed(
                "$response.body",
                "$.pets[?(@.name == \"{$inputs.pet}\")]",
                jsonpath(),
            ),
            true,
        ),
        (
            typed(
                "$response.body",
                "$.pets[?(@.name == \"{$inputs.username}\")]",
                jsonpath(),
            ),
            false,
        ),
        // The comparison form.
        (
            typed("$response.body", "$.pets.length == 2", jsonpath()),
            true,
        ),
        (typed("$response.body", "$.name == 'REX'", jsonpath()), true),
        // A null context fails.
        (typed("$inputs.nothing", "$", jsonpath()), false),
        (typed("$response.body#/missing", "$", jsonpath()), false),
    ];
    for (criterion, expected) in cases {
        assert_eq!(evaluate(criterion, &scope), Ok(*expected), "{criterion:?}");
        assert_eq!(check(criterion), Ok(()), "{criterion:?}");
    }
}

#[test]
fn the_seed_workflows_criteria() {
    let jsonpath = || named("jsonpath");
    let body = |value: serde_json::Value| {
        let mut fixture = Fixture::new();
        fixture.response.body = value.to_string();
        fixture.response_body = fixture.response.body_value();
        fixture
    };
    let listed = body(json!({"taskArns": ["arn:aws:ecs:us-east-1:123456789012:task/c/0"]}));
    let empty = body(json!({"taskArns": []}));
    let stopping = body(json!({"tasks": [{"lastStatus": "DEACTIVATING"}], "failures": []}));
    let stopped = body(json!({"tasks": [{"lastStatus": "STOPPED"}], "failures": []}));
    let queued = body(json!({"type": "QueuedJob", "running": true}));
    let completed = body(json!({"type": "CompletedJob", "success": true}));
    let cases: &[(&Fixture, &str, bool)] = &[
        (&listed, "$.taskArns.length > 0", true),
        (&empty, "$.taskArns.length > 0", false),
        (&empty, "$.taskArns.length == 0", true),
        (&listed, "$.taskArns.length == 0", false),
        (&stopping, "$.tasks[0].lastStatus != 'STOPPED'", true),
        (&stopped, "$.tasks[0].lastStatus != 'STOPPED'", false),
        (&stopped, "$.tasks[0].lastStatus == 'STOPPED'", true),
        (&stopping, "$.tasks[0].lastStatus == 'STOPPED'", false),
        (&completed, "$.type == \"CompletedJob\"", true),
        (&completed, "$.type == \"QueuedJob\"", false),
        (&queued, "$.type == \"QueuedJob\"", true),
        (&queued, "$.type == \"CompletedJob\"", false),
    ];
    for (fixture, condition, expected) in cases {
        let criterion = typed("$response.body", condition, jsonpath());
        assert_eq!(
            evaluate(&criterion, &fixture.scope()),
            Ok(*expected),
            "{condition}"
        );
        assert_eq!(check(&criterion), Ok(()), "{condition}");
    }
    // `successCriteria: [{condition: $statusCode == 201}]` on Windmill's text/plain 201.
    let mut created = Fixture::new().with_text_body("018f0c3e-8b5a-7c1e-9d2f-3a4b5c6d7e8f");
    created.response.status = 201;
    assert_eq!(
        evaluate(&simple("$statusCode == 201"), &created.scope()),
        Ok(true)
    );
}

#[cfg(feature = "xpath")]
#[test]
fn xpath_criteria() {
    let xml =
        "<root><pets><pet>Rex</pet></pets><items><item><price>12</price></item></items></root>";
    let fixture = Fixture::new().with_text_body(xml);
    let scope = fixture.scope();
    let xpath = || named("xpath");
    let cases: &[(Criterion, bool)] = &[
        // 1.1's examples.
        (
            typed("$response.body", "count(/root/pets/*) > 0", xpath()),
            true,
        ),
        (typed("$response.body", "/root/pets", xpath()), true),
        (typed("$response.body", "/root/cats", xpath()), false),
        (
            typed(
                "$response.body",
                "/root/items/item[price > {$steps.getPricing.outputs.minPrice}]",
                xpath(),
            ),
            true,
        ),
        (
            typed(
                "$response.body",
                "/root/items/item[price > {$inputs.user#/id}0]",
                xpath(),
            ),
            false,
        ),
        (
            typed(
                "$response.body",
                "/root/pets/pet = 'Rex'",
                versioned("xpath", "xpath-30"),
            ),
            true,
        ),
        (
            typed(
                "$response.body",
                "/root/pets/pet = 'Tom'",
                versioned("xpath", "xpath-10"),
            ),
            false,
        ),
        (typed("$response.body#/missing", "true()", xpath()), false),
    ];
    for (criterion, expected) in cases {
        assert_eq!(evaluate(criterion, &scope), Ok(*expected), "{criterion:?}");
        assert_eq!(check(criterion), Ok(()), "{criterion:?}");
    }
    // A parsed JSON context is no XML.
    let json_fixture = Fixture::new();
    assert!(
        evaluate(
            &typed("$response.body", "/root", xpath()),
            &json_fixture.scope()
        )
        .is_err()
    );
    assert!(check(&typed("$response.body", "/root/[", xpath())).is_err());
    assert!(evaluate(&typed("$response.body", "/root/[", xpath()), &scope).is_err());
}

#[cfg(not(feature = "xpath"))]
#[test]
fn xpath_needs_the_feature() {
    let fixture = Fixture::new().with_text_body("<a/>");
    let criterion = typed("$response.body", "/a", named("xpath"));
    let error = evaluate(&criterion, &fixture.scope()).unwrap_err();
    assert!(error.0.contains("without XPath"), "{error}");
}

#[test]
fn types_versions_and_contexts() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let errors = [
        typed("$response.body", "$.a", named("json-path")),
        typed("$response.body", "$.a", versioned("jsonpath", "rfc6901")),
        typed("$response.body", "/a", versioned("xpath", "xpath-40")),
        typed("$response.body", "/a", versioned("jsonpointer", "rfc6901")),
        // "If `type` is specified, then the `context` MUST be provided".
        Criterion {
            context: None,
            ..typed("", "^2", named("regex"))
        },
        typed("$response.bod", "^2", named("regex")),
        typed("$response.body", "(", named("regex")),
        typed("$response.body", "$.a ==", named("jsonpath")),
        typed("$response.body", "{$inputs.}", named("jsonpath")),
    ];
    for criterion in &errors {
        assert!(check(criterion).is_err(), "{criterion:?}");
        assert!(evaluate(criterion, &scope).is_err(), "{criterion:?}");
    }
    // An explicit `simple` type reads the condition as a simple condition.
    let explicit = typed("$response.body", "$statusCode == 200", named("simple"));
    assert_eq!(evaluate(&explicit, &scope), Ok(true));
    assert_eq!(kind(&explicit), Ok(Kind::Simple));
}

mod robustness {
    use proptest::prelude::*;

    use super::*;

    const TOKENS: &[&str] = &[
        "$",
        "inputs",
        "outputs",
        "steps",
        "workflows",
        "response",
        "request",
        "body",
        "header",
        "query",
        "path",
        "statusCode",
        "url",
        "components",
        "parameters",
        "sourceDescriptions",
        ".",
        "#",
        "/",
        "~",
        "~1",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "'",
        "\"",
        "=",
        "==",
        "!=",
        "!",
        "<",
        ">=",
        "&&",
        "||",
        " ",
        "0",
        "1",
        "-",
        "e",
        "é",
        "ü",
        "null",
        "true",
        "a",
        "s",
        "user",
        "pets",
        "length",
        "length()",
        "?",
        "@",
        "*",
        ",",
        "\\",
    ];

    fn soup() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|t| t.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn no_condition_panics_and_what_evaluates_checks(condition in soup(), selector in 0u8..4) {
            let fixture = Fixture::new();
            let kind = ["simple", "regex", "jsonpath", "xpath"][usize::from(selector)];
            let criterion = typed("$response.body", &condition, named(kind));
            let checked = check(&criterion);
            let evaluated = evaluate(&criterion, &fixture.scope());
            if evaluated.is_ok() && !condition.contains("{$") {
                prop_assert!(checked.is_ok(), "{condition:?} evaluates but fails the check");
            }
        }

        #[test]
        fn no_expression_or_template_panics(text in soup()) {
            let fixture = Fixture::new();
            let scope = fixture.scope();
            if let Ok(expression) = expression::parse(&text) {
                prop_assert_eq!(&expression.text, &text);
                let _ = expression::evaluate(&expression, &scope);
            }
            let rendered = expression::render_text(&text, &scope);
            if !text.contains('$') {
                prop_assert_eq!(rendered, Ok(text.clone()));
            }
            let _ = expression::render(&serde_json::Value::String(text.clone()), &scope);
            let _ = expression::bare_expressions(&text);
            if let Ok(found) = expression::references(&text) {
                for e in found {
                    prop_assert!(expression::parse(&e.text).is_ok());
                }
            }
        }
    }
}

/// Runs `work` on its own thread and fails the test if it has not finished after
/// 30 s. The inputs below took hours before their budgets existed; this checks that
/// they end, not how fast.
fn finishes<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(work());
    });
    receiver
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("still working after 30 s")
}

/// 23 bytes of unbalanced `[` kept xee's backtracking parser busy for over 12 s, each
/// further `[` doubling the time; the budget refuses them before xee sees them.
#[cfg(feature = "xpath")]
#[test]
fn deeply_nested_xpath_is_refused_before_parsing() {
    for condition in [
        "[[[[[[[[[[[[[[[[[[[e[[",
        // Balanced and valid, but 40 levels deep: also exponential in xee's parser.
        &format!("{}1{}", "a[".repeat(40), "]".repeat(40)),
    ] {
        let criterion = typed("$response.body", condition, named("xpath"));
        let checked = finishes({
            let criterion = criterion.clone();
            move || check(&criterion)
        });
        let message = checked.unwrap_err().0;
        assert!(
            message.contains("brackets nest more than 6 levels deep"),
            "{message}"
        );
        let evaluated = finishes(move || {
            let fixture = Fixture::new().with_text_body("<root/>");
            evaluate(&criterion, &fixture.scope())
        });
        assert_eq!(evaluated.unwrap_err().0, message);
    }
}

/// `^(a+)+$` against 28 `a`s and `!` cost 5.5 s with a backtracking engine, doubling
/// with each `a`, and the text comes from the remote API. It now fails the match on a
/// linear-time engine, for any length.
#[test]
fn catastrophic_regex_on_response_data_finishes() {
    for length in [28, 100_000] {
        let evaluated = finishes(move || {
            let body = format!("{}!", "a".repeat(length));
            let fixture = Fixture::new().with_text_body(&body);
            let criterion = typed("$response.body", "^(a+)+$", named("regex"));
            evaluate(&criterion, &fixture.scope())
        });
        assert_eq!(evaluated, Ok(false));
    }
}

/// A pattern that must backtrack (a back-reference) and is given a catastrophic text
/// stops at its budget: the criterion fails and says why.
#[test]
fn backtracking_regex_stops_at_its_budget() {
    let evaluated = finishes(|| {
        let body = format!("{}!", "a".repeat(5_000));
        let fixture = Fixture::new().with_text_body(&body);
        let criterion = typed("$response.body", r"^(a|a)+\1$", named("regex"));
        evaluate(&criterion, &fixture.scope())
    });
    let message = evaluated.unwrap_err().0;
    assert!(message.contains("backtracking steps"), "{message}");
}

/// Chains of `&&` and `||` are kept flat, so one as long as a document allows neither
/// overflows the stack when it is checked, evaluated or dropped.
#[test]
fn long_chains_of_and_and_or_are_flat() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let and = vec!["$statusCode == 200"; 50_000].join(" && ");
    assert_eq!(check(&simple(&and)), Ok(()));
    assert_eq!(evaluate(&simple(&and), &scope), Ok(true));
    let or = vec!["false"; 50_000].join(" || ") + " || true";
    assert_eq!(evaluate(&simple(&or), &scope), Ok(true));
    // Short-circuit, left to right: the failing comparison after `false &&` is not made.
    assert_eq!(
        evaluate(&simple("false && 'a' < 1 || true"), &scope),
        Ok(true)
    );
}

use serde_json::{Value, json};

use super::testing::Fixture;
use super::*;

fn eval(text: &str, scope: &Scope) -> Option<Value> {
    let expression = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    evaluate(&expression, scope).unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn every_root_reads_its_value() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let cases: &[(&str, Option<Value>)] = &[
        (
            "$url",
            Some(json!(
                "https://api.example.com/pets/5?status=available&q=a%20b+c#frag"
            )),
        ),
        ("$method", Some(json!("POST"))),
        // "Runtime expressions preserve the type of the referenced value."
        ("$statusCode", Some(json!(200))),
        ("$request.header.accept", Some(json!("application/json"))),
        ("$request.path.id", Some(json!(5))),
        ("$request.query.status", Some(json!("available"))),
        ("$request.query.q", Some(json!("a b c"))),
        ("$request.query.none", None),
        ("$request.body#/user/uuid", Some(json!("u-1"))),
        ("$request.body", Some(json!({"user": {"uuid": "u-1"}}))),
        ("$response.body#/status", Some(json!("ok"))),
        ("$response.body#/pets/1/name", Some(json!("Tom"))),
        ("$response.body#/pets/9/name", None),
        ("$response.body#", Some(fixture.response_body.clone())),
        ("$response.header.Server", Some(json!("nginx"))),
        // A response has no query or path parameters.
        ("$response.query.status", None),
        ("$response.path.id", None),
        ("$inputs.username", Some(json!("alice"))),
        ("$inputs.count", Some(json!(3))),
        ("$inputs.flag", Some(json!(true))),
        ("$inputs.nothing", Some(Value::Null)),
        ("$inputs.missing", None),
        ("$inputs.x-api-key", Some(json!("k"))),
        ("$workflows.foo.inputs.username", Some(json!("bob"))),
        (
            "$workflows.foo.outputs.mappedResponse#/name",
            Some(json!("M")),
        ),
        ("$workflows.bar.outputs.mappedResponse", None),
        (
            "$steps.someStepId.outputs.pets",
            Some(json!([{"id": 1}, {"id": 2}])),
        ),
        ("$steps.someStepId.outputs.pets#/0/id", Some(json!(1))),
        ("$steps.someStepId.outputs.none", None),
        ("$steps.notRun.outputs.pets", None),
        ("$steps.create.outputs", Some(json!({"id": "c-9"}))),
        ("$outputs.bar", Some(json!({"name": "Bar"}))),
        ("$outputs.bar#/name", Some(json!("Bar"))),
        // "Accesses a foo parameter defined within the Components Object": its value.
        ("$components.parameters.page", Some(json!(1))),
        ("$components.parameters.none", None),
        (
            "$components.successActions.notify",
            Some(json!({"name": "notify", "type": "end"})),
        ),
        (
            "$sourceDescriptions.petstore.url",
            Some(json!("https://api.example.com/petstore.yaml")),
        ),
        ("$sourceDescriptions.petstore.type", Some(json!("openapi"))),
        ("$sourceDescriptions.other.url", None),
        // RFC 6901 escapes in pointers: `~1` is `/`.
        ("$inputs.paths#/~1pet", Some(json!("slash"))),
        // 1.1 JSON Pointer fragments after inputs.
        ("$inputs.user#/tags/1", Some(json!("y"))),
        // 1.1's `$response.body.status` form.
        ("$response.body.status", Some(json!("ok"))),
        ("$response.body.pets.0.name", Some(json!("Rex"))),
    ];
    for (text, expected) in cases {
        assert_eq!(&eval(text, &scope), expected, "{text}");
    }
}

#[test]
fn header_names_are_case_insensitive() {
    // 1.1: "The `name` identifier is case-sensitive, whereas `token` is not."
    let fixture = Fixture::new();
    let scope = fixture.scope();
    for text in [
        "$response.header.server",
        "$response.header.SERVER",
        "$response.header.Server",
    ] {
        assert_eq!(eval(text, &scope), Some(json!("nginx")), "{text}");
    }
    assert_eq!(eval("$request.header.x-token", &scope), Some(json!("t")));
    assert_eq!(eval("$response.header.X-Missing", &scope), None);
    // Names are case-sensitive.
    assert_eq!(eval("$inputs.Username", &scope), None);
}

#[test]
fn dotted_names_are_read_whole_first_then_descended() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    // An input named exactly `a.b` (1.0.1: `name = *CHAR`).
    assert_eq!(eval("$inputs.a.b", &scope), Some(json!("dotted")));
    // Both `p.q` and `p` → `q` exist: the exact name wins.
    assert_eq!(eval("$inputs.p.q", &scope), Some(json!(1)));
    // No input `user.id`: descend into `user`.
    assert_eq!(eval("$inputs.user.id", &scope), Some(json!(7)));
    assert_eq!(eval("$inputs.user.tags.1", &scope), Some(json!("y")));
    assert_eq!(eval("$inputs.user.none", &scope), None);
    assert_eq!(
        eval("$workflows.foo.outputs.mappedResponse.name", &scope),
        Some(json!("M"))
    );
}

#[test]
fn message_values_are_absent_before_a_request() {
    let fixture = Fixture::new();
    let scope = fixture.scope_before_request();
    for text in [
        "$url",
        "$method",
        "$statusCode",
        "$request.header.accept",
        "$request.body",
        "$response.body#/id",
        "$response.header.Server",
    ] {
        assert_eq!(eval(text, &scope), None, "{text}");
    }
    assert_eq!(eval("$inputs.username", &scope), Some(json!("alice")));
}

#[test]
fn text_plain_bodies_are_strings() {
    // Windmill's runScriptByPath answers 201 with a text/plain job id.
    let fixture = Fixture::new().with_text_body("018f0c3e-8b5a-7c1e-9d2f-3a4b5c6d7e8f");
    let scope = fixture.scope();
    assert_eq!(
        eval("$response.body", &scope),
        Some(json!("018f0c3e-8b5a-7c1e-9d2f-3a4b5c6d7e8f"))
    );
    assert_eq!(eval("$response.body#/id", &scope), None);
    assert_eq!(
        render_text("/jobs_u/get/{$response.body}", &scope).unwrap(),
        "/jobs_u/get/018f0c3e-8b5a-7c1e-9d2f-3a4b5c6d7e8f"
    );
}

#[test]
fn render_keeps_types_of_whole_expressions() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let cases: &[(Value, Value)] = &[
        (json!("$inputs.count"), json!(3)),
        (json!("$inputs.user"), json!({"id": 7, "tags": ["x", "y"]})),
        (json!("$inputs.missing"), Value::Null),
        (json!("$statusCode"), json!(200)),
        // The spec's "JSON Object Example": members rendered one by one, keys kept.
        (
            json!({"petOrder": {"petId": "$inputs.count", "couponCode": "$inputs.token",
                   "status": "placed", "complete": false, "tags": ["$inputs.username", 1]}}),
            json!({"petOrder": {"petId": 3, "couponCode": "abc",
                   "status": "placed", "complete": false, "tags": ["alice", 1]}}),
        ),
        (json!({"$inputs.token": "x"}), json!({"$inputs.token": "x"})),
        (json!(12), json!(12)),
        (json!(null), json!(null)),
        // A string that is `{$…}` only is still text: the braces embed into a string.
        (json!("{$inputs.count}"), json!("3")),
    ];
    for (value, expected) in cases {
        assert_eq!(&render(value, &scope).unwrap(), expected, "{value}");
    }
}

#[test]
fn embedded_expressions_become_text() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let cases: &[(&str, &str)] = &[
        // 1.1's example: "Multiple runtime expressions can be embedded within a single
        // string value by wrapping each in curly braces."
        (
            "https://{$inputs.host}/api/{$steps.create.outputs.id}/status",
            "https://api.example.com/api/c-9/status",
        ),
        (
            "{$sourceDescriptions.petstore.url}#/paths/~1pet~1findByStatus/get",
            "https://api.example.com/petstore.yaml#/paths/~1pet~1findByStatus/get",
        ),
        ("<petId>{$inputs.count}</petId>", "<petId>3</petId>"),
        // "Scalar values (string, number, boolean, null) are converted to their string
        // representation."
        ("flag={$inputs.flag}", "flag=true"),
        ("x{$inputs.nothing}y", "xnully"),
        // "If the value is a parsed structure ... it MUST be serialized as JSON".
        ("data={$outputs.bar}", r#"data={"name":"Bar"}"#),
        ("tags={$inputs.user#/tags}", r#"tags=["x","y"]"#),
        // Absent: nothing.
        ("x{$inputs.missing}y", "xy"),
        // Braces that do not start an expression are literal.
        (r#"{"a": 1}"#, r#"{"a": 1}"#),
        ("{$gt: 5}", "{$gt: 5}"),
        ("{}", "{}"),
        ("a}b{", "a}b{"),
    ];
    for (text, expected) in cases {
        assert_eq!(render_text(text, &scope).unwrap(), *expected, "{text}");
        assert_eq!(
            render(&json!(text), &scope).unwrap(),
            json!(expected),
            "{text}"
        );
    }
}

#[test]
fn bare_expressions_inside_strings() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    let cases: &[(&str, &str)] = &[
        // The Windmill seed's header value.
        ("Bearer $inputs.token", "Bearer abc"),
        ("Hello $inputs.username.", "Hello alice."),
        ("key: $inputs.x-api-key;", "key: k;"),
        ("id=$response.body#/id&x=1", "id=5&x=1"),
        ("<id>$response.body#/id</id>", "<id>5</id>"),
        ("$statusCode!", "200!"),
        (
            "call $url now",
            "call https://api.example.com/pets/5?status=available&q=a%20b+c#frag now",
        ),
        ("none: [$inputs.missing]", "none: []"),
        // Any other `$` stays literal (Redocly issue #2798: JSONPath in a payload).
        ("$.foo costs $5", "$.foo costs $5"),
        ("filter: $[?@.a == 1]", "filter: $[?@.a == 1]"),
        ("$urlencoded and $methods", "$urlencoded and $methods"),
        ("US$ 5", "US$ 5"),
        // A bare candidate that does not parse is left as written.
        ("see $steps.x here", "see $steps.x here"),
    ];
    for (text, expected) in cases {
        assert_eq!(render_text(text, &scope).unwrap(), *expected, "{text}");
    }
    assert_eq!(
        bare_expressions("Bearer $inputs.token"),
        vec!["$inputs.token"]
    );
    assert_eq!(
        bare_expressions("$inputs.a and $steps.x"),
        vec!["$inputs.a", "$steps.x"]
    );
    assert!(bare_expressions("$inputs.token").is_empty());
    assert!(bare_expressions("Bearer {$inputs.token}").is_empty());
    assert!(bare_expressions("$.foo costs $5").is_empty());
}

#[test]
fn render_text_of_whole_expressions() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    assert_eq!(render_text("$inputs.count", &scope).unwrap(), "3");
    assert_eq!(render_text("$inputs.username", &scope).unwrap(), "alice");
    assert_eq!(
        render_text("$inputs.user", &scope).unwrap(),
        r#"{"id":7,"tags":["x","y"]}"#
    );
    assert_eq!(render_text("$inputs.missing", &scope).unwrap(), "");
    assert_eq!(render_text("$inputs.nothing", &scope).unwrap(), "null");
    assert_eq!(render_text("plain", &scope).unwrap(), "plain");
}

#[test]
fn malformed_embedded_expressions_are_errors() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    for text in [
        "Bearer {$inputs.token",
        "{$inputs.a b}",
        "x{$steps.s}y",
        "{$inputs.}",
    ] {
        assert!(render_text(text, &scope).is_err(), "{text}");
        assert!(render(&json!(text), &scope).is_err(), "{text}");
    }
    assert!(render(&json!({"a": ["{$inputs.}"]}), &scope).is_err());
}

#[test]
fn references_lists_every_expression() {
    let texts = |text: &str| -> Vec<String> {
        references(text)
            .unwrap()
            .into_iter()
            .map(|e| e.text)
            .collect()
    };
    assert_eq!(texts("$inputs.a"), vec!["$inputs.a"]);
    assert_eq!(
        texts("{$inputs.a}/$steps.s.outputs.b/$.c"),
        vec!["$inputs.a", "$steps.s.outputs.b"]
    );
    assert!(texts("no expressions").is_empty());
    assert!(references("{$inputs.a").is_err());
}

#[test]
fn substitution_replaces_braced_expressions_only() {
    let fixture = Fixture::new();
    let scope = fixture.scope();
    assert_eq!(
        substitute("$[?(@.status == \"{$inputs.username}\")]", &scope).unwrap(),
        "$[?(@.status == \"alice\")]"
    );
    assert_eq!(
        substitute("$.a == $inputs.username", &scope).unwrap(),
        "$.a == $inputs.username"
    );
    assert_eq!(substitute("^2\\d{2}$", &scope).unwrap(), "^2\\d{2}$");
}

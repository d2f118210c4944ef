//! Building operation requests: path encoding (RFC 6570 simple expansion), query arrays
//! (form style), headers, cookies, bodies of each form the Arazzo 1.0.1 Request Body
//! Object shows, and payload replacements.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use weft_arazzo::bundle::OperationRef;
use weft_arazzo::document::{Parameter, ParameterLocation, Reusable};
use weft_arazzo::exchange::AwsSigning;
use weft_arazzo::expression::Scope;
use weft_arazzo::openapi::{Operation, OperationParameter};
use weft_arazzo::request::{self, BuiltRequest, RequestError};

fn operation(method: &str, path: &str, content_types: &[&str]) -> Operation {
    Operation {
        operation_id: Some("op".into()),
        method: method.into(),
        path_key: path.into(),
        path: path.into(),
        parameters: vec![OperationParameter {
            name: "ids".into(),
            location: ParameterLocation::Query,
            required: false,
            style: Some("form".into()),
            explode: Some(false),
        }],
        request_content_types: content_types.iter().map(|s| s.to_string()).collect(),
        servers: Vec::new(),
        aws_signing: None,
    }
}

fn parameters(value: Value) -> Vec<Parameter> {
    serde_json::from_value(value).expect("parameters")
}

fn build_with(
    op: &Operation,
    base: &str,
    params: Value,
    body: Option<Value>,
    inputs: Value,
) -> Result<BuiltRequest, RequestError> {
    let outputs = Map::new();
    let steps = HashMap::new();
    let workflows = HashMap::new();
    let sources = IndexMap::new();
    let scope = Scope {
        inputs: &inputs,
        outputs: &outputs,
        steps: &steps,
        workflows: &workflows,
        sources: &sources,
        components: None,
        request: None,
        response: None,
    };
    let body = body.map(|b| serde_json::from_value(b).expect("request body"));
    let target = OperationRef {
        api: 0,
        operation: op,
        base_url: base,
    };
    request::build(&target, &parameters(params), body.as_ref(), &scope)
}

fn build(op: &Operation, params: Value, body: Option<Value>, inputs: Value) -> BuiltRequest {
    match build_with(op, "https://h.example/api", params, body, inputs) {
        Ok(b) => b,
        Err(e) => panic!("request not built: {e}"),
    }
}

#[test]
fn path_values_are_percent_encoded_so_a_slash_stays_inside_its_segment() {
    let op = operation("GET", "/w/{workspace}/run/p/{path}", &[]);
    let built = build(
        &op,
        json!([
            {"name": "workspace", "in": "path", "value": "$inputs.ws"},
            {"name": "path", "in": "path", "value": "$inputs.script"}
        ]),
        None,
        json!({"ws": "demo", "script": "f/folder/my script~ü"}),
    );
    assert_eq!(
        built.http.url,
        "https://h.example/api/w/demo/run/p/f%2Ffolder%2Fmy%20script~%C3%BC"
    );
    // `$request.path.path` reads the value as given.
    assert_eq!(built.path["path"], json!("f/folder/my script~ü"));
    assert_eq!(built.http.method, "GET");
    assert_eq!(built.http.body, None);
}

#[test]
fn a_path_parameter_without_a_value_is_an_error() {
    let op = operation("GET", "/items/{id}", &[]);
    let err = build_with(&op, "https://h", json!([]), None, json!({})).expect_err("no id");
    assert!(matches!(err, RequestError::Invalid(_)), "{err:?}");
    let err = build_with(
        &op,
        "https://h",
        json!([{"name": "id", "in": "path", "value": "$inputs.missing"}]),
        None,
        json!({}),
    )
    .expect_err("absent id");
    assert!(err.to_string().contains("'id'"), "{err}");
}

#[test]
fn query_arrays_repeat_the_name_unless_the_operation_says_explode_false() {
    let op = operation("GET", "/items", &[]);
    let built = build(
        &op,
        json!([
            {"name": "tag", "in": "query", "value": ["a b", "c&d"]},
            {"name": "ids", "in": "query", "value": [1, 2, 3]},
            {"name": "limit", "in": "query", "value": 10},
            {"name": "absent", "in": "query", "value": "$inputs.nothing"}
        ]),
        None,
        json!({}),
    );
    assert_eq!(
        built.http.url,
        "https://h.example/api/items?tag=a%20b&tag=c%26d&ids=1,2,3&limit=10"
    );
}

#[test]
fn headers_keep_document_order_and_cookies_share_one_header() {
    let op = operation("GET", "/items", &[]);
    let built = build(
        &op,
        json!([
            {"name": "Authorization", "in": "header", "value": "Bearer {$inputs.token}"},
            {"name": "session", "in": "cookie", "value": "$inputs.session"},
            {"name": "X-Count", "in": "header", "value": 3},
            {"name": "theme", "in": "cookie", "value": "dark mode"}
        ]),
        None,
        json!({"token": "t0k", "session": "s1"}),
    );
    assert_eq!(
        built.http.headers,
        [
            ("Authorization".to_string(), "Bearer t0k".to_string()),
            ("X-Count".to_string(), "3".to_string()),
            (
                "Cookie".to_string(),
                "session=s1; theme=dark%20mode".to_string()
            ),
        ]
    );
}

#[test]
fn a_header_value_with_a_line_break_is_refused() {
    let op = operation("GET", "/items", &[]);
    let err = build_with(
        &op,
        "https://h",
        json!([{"name": "X-A", "in": "header", "value": "$inputs.v"}]),
        None,
        json!({"v": "a\r\nX-Injected: 1"}),
    )
    .expect_err("line break");
    assert!(matches!(err, RequestError::Invalid(_)), "{err:?}");
}

#[test]
fn step_parameters_override_workflow_parameters_by_name_and_location() {
    let workflow: Vec<Reusable<Parameter>> = serde_json::from_value(json!([
        {"name": "x-api-key", "in": "header", "value": "workflow"},
        {"name": "page", "in": "query", "value": 1},
        {"name": "input", "value": "for workflow steps"}
    ]))
    .expect("params");
    let step: Vec<Reusable<Parameter>> = serde_json::from_value(json!([
        {"name": "X-Api-Key", "in": "header", "value": "step"},
        {"name": "page", "in": "header", "value": 2}
    ]))
    .expect("params");
    let merged = request::step_parameters(&workflow, &step, None, true).expect("merged");
    let summary: Vec<(String, Value)> = merged
        .iter()
        .map(|p| (p.name.clone(), p.value.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            ("X-Api-Key".to_string(), json!("step")),
            ("page".to_string(), json!(1)),
            ("page".to_string(), json!(2)),
        ]
    );
    let for_workflow_step =
        request::step_parameters(&workflow, &step, None, false).expect("merged");
    let names: Vec<&str> = for_workflow_step.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["input", "X-Api-Key", "page"]);
}

#[test]
fn a_content_type_header_parameter_wins_over_the_body_content_type() {
    let op = operation("POST", "/items", &["application/json"]);
    let built = build(
        &op,
        json!([{"name": "content-type", "in": "header", "value": "application/vnd.custom+json"}]),
        Some(json!({"payload": {"a": 1}})),
        json!({}),
    );
    let content_types: Vec<&(String, String)> = built
        .http
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .collect();
    assert_eq!(content_types.len(), 1);
    assert_eq!(content_types[0].1, "application/vnd.custom+json");
    assert_eq!(built.http.body.as_deref(), Some(r#"{"a":1}"#));
}

fn body_of(op: &Operation, body: Value, inputs: Value) -> (String, Option<String>, Option<Value>) {
    let built = build(op, json!([]), Some(body), inputs);
    let content_type = built.http.header("content-type").map(str::to_string);
    (
        built.http.body.unwrap_or_default(),
        content_type,
        built.body,
    )
}

#[test]
fn json_bodies_from_objects_whole_expressions_and_templates() {
    let op = operation("POST", "/orders", &["application/json"]);
    let inputs = json!({"pet_id": 7, "coupon": "SAVE", "order": {"id": 1, "tags": ["a"]}});
    // JSON Object Example: an object whose members are expressions keep their types.
    let (text, ct, value) = body_of(
        &op,
        json!({"payload": {"petOrder": {"petId": "$inputs.pet_id", "couponCode": "$inputs.coupon", "complete": false}}}),
        inputs.clone(),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text).ok(),
        Some(json!({"petOrder": {"petId": 7, "couponCode": "SAVE", "complete": false}}))
    );
    assert_eq!(ct.as_deref(), Some("application/json"));
    assert_eq!(
        value,
        Some(json!({"petOrder": {"petId": 7, "couponCode": "SAVE", "complete": false}}))
    );
    // Complete Runtime Expression: the value itself.
    let (text, _, _) = body_of(
        &op,
        json!({"contentType": "application/json", "payload": "$inputs.order"}),
        inputs.clone(),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text).ok(),
        Some(json!({"id": 1, "tags": ["a"]}))
    );
    // JSON Templated Example: the string is the body text.
    let (text, _, value) = body_of(
        &op,
        json!({"contentType": "application/json", "payload": "{\"petId\": \"{$inputs.pet_id}\", \"status\": \"placed\"}"}),
        inputs,
    );
    assert_eq!(text, r#"{"petId": "7", "status": "placed"}"#);
    assert_eq!(value, Some(json!({"petId": "7", "status": "placed"})));
}

#[test]
fn aws_json_bodies_are_json_and_the_signing_scope_is_copied() {
    let mut op = operation("POST", "/", &["application/x-amz-json-1.1"]);
    op.aws_signing = Some(AwsSigning {
        service: "ecs".into(),
        region: "us-east-1".into(),
    });
    let built = build(
        &op,
        json!([{"name": "X-Amz-Target", "in": "header", "value": "AmazonEC2ContainerServiceV20141113.ListTasks"}]),
        Some(
            json!({"contentType": "application/x-amz-json-1.1", "payload": {"cluster": "$inputs.c", "maxResults": 1}}),
        ),
        json!({"c": "prod"}),
    );
    assert_eq!(built.http.url, "https://h.example/api/");
    assert_eq!(
        built.http.body.as_deref(),
        Some(r#"{"cluster":"prod","maxResults":1}"#)
    );
    assert_eq!(
        built.http.header("Content-Type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(
        built.http.header("x-amz-target"),
        Some("AmazonEC2ContainerServiceV20141113.ListTasks")
    );
    assert_eq!(built.http.aws_signing, op.aws_signing);
}

#[test]
fn form_bodies_from_objects_and_strings() {
    let op = operation("POST", "/token", &["application/x-www-form-urlencoded"]);
    let inputs = json!({"id": "my app", "scope": ["read", "write"], "secret": "a&b=c"});
    let (text, ct, value) = body_of(
        &op,
        json!({"payload": {"client_id": "$inputs.id", "client_secret": "$inputs.secret", "scope": "$inputs.scope"}}),
        inputs.clone(),
    );
    assert_eq!(
        text,
        "client_id=my+app&client_secret=a%26b%3Dc&scope=read&scope=write"
    );
    assert_eq!(ct.as_deref(), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        value,
        Some(json!({"client_id": "my app", "client_secret": "a&b=c", "scope": ["read", "write"]}))
    );
    let (text, _, _) = body_of(
        &op,
        json!({"payload": "client_id={$inputs.id}&grant_type=client_credentials"}),
        inputs,
    );
    assert_eq!(text, "client_id=my app&grant_type=client_credentials");
}

#[test]
fn strings_for_other_media_types_are_sent_as_they_are() {
    let op = operation("POST", "/orders", &["application/xml"]);
    let (text, ct, _) = body_of(
        &op,
        json!({"payload": "<petOrder><petId>{$inputs.pet_id}</petId></petOrder>"}),
        json!({"pet_id": 7}),
    );
    assert_eq!(text, "<petOrder><petId>7</petId></petOrder>");
    assert_eq!(ct.as_deref(), Some("application/xml"));
    // No content type anywhere: a string is text/plain, anything else JSON.
    let op = operation("POST", "/x", &[]);
    let (_, ct, _) = body_of(&op, json!({"payload": "hello"}), json!({}));
    assert_eq!(ct.as_deref(), Some("text/plain"));
    let (text, ct, _) = body_of(&op, json!({"payload": [1, 2]}), json!({}));
    assert_eq!(
        (text.as_str(), ct.as_deref()),
        ("[1,2]", Some("application/json"))
    );
}

#[test]
fn replacements_set_json_pointer_targets_creating_members() {
    let op = operation("POST", "/orders", &["application/json"]);
    let (text, _, _) = body_of(
        &op,
        json!({
            "payload": {"petId": 0, "tags": ["a"]},
            "replacements": [
                {"target": "/petId", "value": "$inputs.pet_id"},
                {"target": "/quantity", "value": 10},
                {"target": "/owner/name", "value": "Ann"},
                {"target": "/tags/-", "value": "b"},
                {"target": "/tags/0", "value": "z"},
                {"target": "/a~1b", "value": true}
            ]
        }),
        json!({"pet_id": 5}),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text).ok(),
        Some(
            json!({"petId": 5, "tags": ["z", "b"], "quantity": 10, "owner": {"name": "Ann"}, "a/b": true})
        )
    );
    // A templated JSON string is parsed so that replacements reach into it.
    let (text, _, _) = body_of(
        &op,
        json!({"payload": "{\"id\": \"{$inputs.pet_id}\"}", "replacements": [{"target": "/id", "value": 6}]}),
        json!({"pet_id": 5}),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text).ok(),
        Some(json!({"id": 6}))
    );
    // A target past the end of an array is an error, not a silent no-op.
    let err = build_with(
        &op,
        "https://h",
        json!([]),
        Some(json!({"payload": {"tags": []}, "replacements": [{"target": "/tags/3", "value": 1}]})),
        json!({}),
    )
    .expect_err("past the end");
    assert!(matches!(err, RequestError::Invalid(_)), "{err:?}");
}

#[test]
fn base_url_and_path_join_with_one_slash() {
    let op = operation("GET", "/items", &[]);
    for base in ["https://h.example/api", "https://h.example/api/"] {
        let built = build_with(&op, base, json!([]), None, json!({})).expect("built");
        assert_eq!(built.http.url, "https://h.example/api/items");
    }
}

#[test]
fn replacements_in_xml_payloads_take_xpath_targets() {
    let op = operation("POST", "/orders", &["application/xml"]);
    let result = build_with(
        &op,
        "https://h",
        json!([]),
        Some(json!({
            "payload": "<petOrder><petId>0</petId><status>new</status></petOrder>",
            "replacements": [{"target": "/petOrder/petId", "value": "$inputs.pet_id"}]
        })),
        json!({"pet_id": 7}),
    );
    if !weft_arazzo::xml::AVAILABLE {
        assert!(
            matches!(result, Err(RequestError::Invalid(_))),
            "{result:?}"
        );
        return;
    }
    let built = result.expect("built");
    let text = built.http.body.unwrap_or_default();
    assert!(
        text.contains("<petId>7</petId>") && text.contains("<status>new</status>"),
        "{text}"
    );
    // A target that selects nothing is an error, not a silent no-op.
    let err = build_with(
        &op,
        "https://h",
        json!([]),
        Some(json!({
            "payload": "<petOrder/>",
            "replacements": [{"target": "/petOrder/missing", "value": 1}]
        })),
        json!({}),
    )
    .expect_err("no match");
    assert!(matches!(err, RequestError::Invalid(_)), "{err:?}");
}

//! Any text as the condition of a criterion of each type: checking and evaluating must
//! never panic, and a condition that evaluates also passes the check.

#![no_main]

use std::collections::HashMap;

use indexmap::IndexMap;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use weft_arazzo::criteria::{check, evaluate};
use weft_arazzo::document::{Criterion, CriterionType};
use weft_arazzo::exchange::{HttpRequest, HttpResponse};
use weft_arazzo::expression::{RequestView, ResponseView, Scope};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(condition) = std::str::from_utf8(rest) else {
        return;
    };
    let xml = selector & 0x10 != 0;
    let (kind, context) = match selector % 4 {
        0 => (None, None),
        1 => (Some("regex"), Some("$response.body#/name")),
        2 => (Some("jsonpath"), Some("$response.body")),
        _ => (Some("xpath"), Some("$response.body")),
    };
    let criterion = Criterion {
        context: context.map(str::to_string),
        condition: condition.to_string(),
        kind: kind.map(|k| CriterionType::Name(k.to_string())),
        extensions: Map::new(),
    };
    let inputs = json!({"n": 5, "s": "Rex", "list": [1, 2], "t": true});
    let outputs = Map::new();
    let steps = HashMap::new();
    let workflows = HashMap::new();
    let sources = IndexMap::new();
    let request = HttpRequest {
        method: "POST".into(),
        url: "https://x/y?z=1".into(),
        headers: vec![],
        body: None,
        aws_signing: None,
    };
    let path = Map::new();
    let response = HttpResponse {
        status: 200,
        headers: vec![("X-N".into(), "10".into())],
        body: if xml {
            "<root><a n=\"1\">Rex</a><a>Tom</a></root>".into()
        } else {
            r#"{"name":"Rex","pets":[{"name":"Rex"}],"n":2,"ok":true,"none":null}"#.into()
        },
    };
    let body = if xml {
        Value::String(response.body.clone())
    } else {
        response.body_value()
    };
    let scope = Scope {
        inputs: &inputs,
        outputs: &outputs,
        steps: &steps,
        workflows: &workflows,
        sources: &sources,
        components: None,
        request: Some(RequestView {
            http: &request,
            path: &path,
            body: None,
        }),
        response: Some(ResponseView {
            http: &response,
            body: &body,
        }),
    };
    let checked = check(&criterion);
    let evaluated = evaluate(&criterion, &scope);
    if evaluated.is_ok() && !condition.contains("{$") {
        assert!(
            checked.is_ok(),
            "{condition:?} evaluates but fails the check"
        );
    }
});

//! Any text as a runtime expression or a template: parsing, evaluation and rendering
//! must never panic, and a text that parses keeps its text.

#![no_main]

use std::collections::HashMap;

use indexmap::IndexMap;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};
use weft_arazzo::exchange::{HttpRequest, HttpResponse};
use weft_arazzo::expression::{
    RequestView, ResponseView, Scope, WorkflowValues, bare_expressions, evaluate, parse,
    references, render, render_text,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let inputs = json!({"a": {"b": [1, "x", null]}, "a.b": true, "s": "text"});
    let outputs = Map::from_iter([("o".to_string(), json!({"p": [0]}))]);
    let steps = HashMap::from([("s".to_string(), outputs.clone())]);
    let workflows = HashMap::from([(
        "w".to_string(),
        WorkflowValues {
            inputs: inputs.clone(),
            outputs: outputs.clone(),
        },
    )]);
    let sources = IndexMap::from([("src".to_string(), json!({"url": "https://x/y.yaml"}))]);
    let request = HttpRequest {
        method: "GET".into(),
        url: "https://x/p/1?q=%41%4&r=+".into(),
        headers: vec![("A".into(), "b".into())],
        body: None,
        aws_signing: None,
    };
    let path = Map::from_iter([("id".to_string(), json!(1))]);
    let response = HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: r#"{"k":[{"v":"é"}]}"#.into(),
    };
    let body = response.body_value();
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
    if let Ok(expression) = parse(text) {
        assert_eq!(expression.text, text);
        let _ = evaluate(&expression, &scope);
    }
    let _ = render_text(text, &scope);
    let _ = render(&Value::String(text.to_string()), &scope);
    let _ = bare_expressions(text);
    if let Ok(found) = references(text) {
        for expression in found {
            assert!(parse(&expression.text).is_ok());
        }
    }
});

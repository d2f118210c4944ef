//! A [`Scope`] built from local values, for the tests of expressions and criteria.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::{RequestView, ResponseView, Scope, WorkflowValues};
use crate::document::{Components, Parameter, ParameterLocation};
use crate::exchange::{HttpRequest, HttpResponse};

pub(crate) struct Fixture {
    pub inputs: Value,
    pub outputs: Map<String, Value>,
    pub steps: HashMap<String, Map<String, Value>>,
    pub workflows: HashMap<String, WorkflowValues>,
    pub sources: IndexMap<String, Value>,
    pub components: Components,
    pub request: HttpRequest,
    pub path: Map<String, Value>,
    pub request_body: Value,
    pub response: HttpResponse,
    pub response_body: Value,
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Fixture {
    pub fn new() -> Self {
        let response = HttpResponse {
            status: 200,
            headers: vec![
                ("Server".into(), "nginx".into()),
                ("Content-Type".into(), "application/json".into()),
                ("X-Rate-Limit".into(), "100".into()),
            ],
            body: json!({
                "id": 5,
                "name": "Rex",
                "status": "ok",
                "count": 2,
                "data": {"a": 1},
                "pets": [{"name": "Rex"}, {"name": "Tom"}]
            })
            .to_string(),
        };
        let mut components = Components::default();
        components.parameters.insert(
            "page".into(),
            Parameter {
                name: "page".into(),
                location: Some(ParameterLocation::Query),
                value: json!(1),
                extensions: Map::new(),
            },
        );
        components.success_actions = serde_json::from_value(json!({
            "notify": {"name": "notify", "type": "end"}
        }))
        .unwrap_or_default();
        Fixture {
            inputs: json!({
                "username": "alice",
                "token": "abc",
                "host": "api.example.com",
                "count": 3,
                "flag": true,
                "nothing": null,
                "x-api-key": "k",
                "pattern": "R.x",
                "pet": "Tom",
                "a.b": "dotted",
                "p.q": 1,
                "p": {"q": 2},
                "user": {"id": 7, "tags": ["x", "y"]},
                "paths": {"/pet": "slash"}
            }),
            outputs: object(json!({"bar": {"name": "Bar"}})),
            steps: HashMap::from([
                (
                    "someStepId".to_string(),
                    object(json!({"pets": [{"id": 1}, {"id": 2}], "list": [10, 20]})),
                ),
                ("create".to_string(), object(json!({"id": "c-9"}))),
                ("getPricing".to_string(), object(json!({"minPrice": 10}))),
            ]),
            workflows: HashMap::from([(
                "foo".to_string(),
                WorkflowValues {
                    inputs: json!({"username": "bob"}),
                    outputs: object(json!({"mappedResponse": {"name": "M"}})),
                },
            )]),
            sources: IndexMap::from([(
                "petstore".to_string(),
                json!({
                    "name": "petstore",
                    "url": "https://api.example.com/petstore.yaml",
                    "type": "openapi"
                }),
            )]),
            components,
            request: HttpRequest {
                method: "POST".into(),
                url: "https://api.example.com/pets/5?status=available&q=a%20b+c#frag".into(),
                headers: vec![
                    ("Accept".into(), "application/json".into()),
                    ("X-Token".into(), "t".into()),
                ],
                body: Some(r#"{"user":{"uuid":"u-1"}}"#.into()),
                aws_signing: None,
            },
            path: object(json!({"id": 5})),
            request_body: json!({"user": {"uuid": "u-1"}}),
            response_body: response.body_value(),
            response,
        }
    }

    /// The response is now this text/plain body (Windmill's job id).
    pub fn with_text_body(mut self, body: &str) -> Self {
        self.response.headers = vec![("content-type".into(), "text/plain".into())];
        self.response.body = body.into();
        self.response_body = self.response.body_value();
        self
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            inputs: &self.inputs,
            outputs: &self.outputs,
            steps: &self.steps,
            workflows: &self.workflows,
            sources: &self.sources,
            components: Some(&self.components),
            request: Some(RequestView {
                http: &self.request,
                path: &self.path,
                body: Some(&self.request_body),
            }),
            response: Some(ResponseView {
                http: &self.response,
                body: &self.response_body,
            }),
        }
    }

    /// Before any request: no `$request`, `$response`, `$statusCode`.
    pub fn scope_before_request(&self) -> Scope<'_> {
        Scope {
            request: None,
            response: None,
            ..self.scope()
        }
    }
}

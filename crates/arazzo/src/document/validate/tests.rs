use serde_json::{Value, json};

use super::*;
use crate::bundle::Bundle;

const API: &str = r#"
openapi: 3.1.0
servers: [{url: "https://pets.example.com"}]
paths:
  /pets:
    get: {operationId: listPets}
    post: {operationId: addPet}
  /pets/{id}:
    get: {operationId: getPet}
"#;

/// A document with no findings; each case changes one thing.
fn base() -> Value {
    json!({
        "arazzo": "1.0.1",
        "info": {"title": "t", "version": "1"},
        "sourceDescriptions": [{"name": "api", "url": "api.yaml", "type": "openapi"}],
        "workflows": [{
            "workflowId": "main",
            "inputs": {"type": "object", "properties": {"token": {"type": "string"}}},
            "steps": [
                {"stepId": "list", "operationId": "listPets",
                 "parameters": [{"name": "limit", "in": "query", "value": 10}],
                 "successCriteria": [{"condition": "$statusCode == 200"}],
                 "outputs": {"pets": "$response.body"}},
                {"stepId": "add", "operationId": "addPet",
                 "requestBody": {"contentType": "application/json",
                                 "payload": {"name": "{$inputs.name}", "tags": ["$steps.list.outputs.pets#/0"]}},
                 "onSuccess": [{"name": "again", "type": "goto", "stepId": "list",
                                "criteria": [{"context": "$response.body", "condition": "$[?@.more]", "type": "jsonpath"}]}],
                 "onFailure": [{"name": "retry", "type": "retry", "retryAfter": 1.5, "retryLimit": 3}]}
            ],
            "outputs": {"pets": "$steps.list.outputs.pets"}
        }]
    })
}

fn diagnostics_of(document: &Value, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let text = serde_json::to_string(document).unwrap();
    let mut read = |url: &str| {
        files
            .iter()
            .find(|(name, _)| url.ends_with(&format!("/{name}")))
            .map(|(_, text)| text.to_string())
            .ok_or_else(|| format!("no {url}"))
    };
    let bundle = Bundle::load("file:///d/main.arazzo.json", &text, &mut read).unwrap();
    validate(&bundle)
}

/// (severity, code, location) of each finding.
fn findings(document: &Value) -> Vec<(char, String, String)> {
    diagnostics_of(document, &[("api.yaml", API), ("store.yaml", API)])
        .into_iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => 'E',
                Severity::Warning => 'W',
            };
            (severity, d.code, d.location)
        })
        .collect()
}

fn case(change: impl FnOnce(&mut Value), expected: &[(char, &str, &str)]) {
    let mut document = base();
    change(&mut document);
    let expected: Vec<(char, String, String)> = expected
        .iter()
        .map(|(s, c, l)| (*s, c.to_string(), l.to_string()))
        .collect();
    assert_eq!(findings(&document), expected, "{document:#}");
}

const STEP0: &str = "/workflows/0/steps/0";
const STEP1: &str = "/workflows/0/steps/1";

fn at(base: &str, rest: &str) -> String {
    format!("{base}{rest}")
}

#[test]
fn the_base_document_is_clean() {
    case(|_| {}, &[]);
}

#[test]
fn versions() {
    // 1.0.1 §Versions: the patch version is not considered; the schema allows a suffix.
    case(|d| d["arazzo"] = json!("1.0.0"), &[]);
    case(|d| d["arazzo"] = json!("1.0.7-rc1"), &[]);
    case(
        |d| d["arazzo"] = json!("1.1.0"),
        &[('W', codes::NEWER_VERSION, "/arazzo")],
    );
    for version in ["2.0.0", "1.0", "1.0.x", "v1.0.1", "1.0.1-"] {
        case(
            |d| d["arazzo"] = json!(version),
            &[('E', codes::VERSION, "/arazzo")],
        );
    }
}

#[test]
fn lists_that_must_not_be_empty() {
    case(
        |d| d["workflows"][0]["steps"] = json!([]),
        &[
            ('E', codes::EMPTY_LIST, "/workflows/0/steps"),
            ('W', codes::UNKNOWN_REFERENCE, "/workflows/0/outputs/pets"),
        ],
    );
}

#[test]
fn ids_and_names_are_unique() {
    case(
        |d| {
            let source = d["sourceDescriptions"][0].clone();
            d["sourceDescriptions"].as_array_mut().unwrap().push(source);
        },
        &[(
            'E',
            codes::DUPLICATE_SOURCE_NAME,
            "/sourceDescriptions/1/name",
        )],
    );
    case(
        |d| {
            let workflow = d["workflows"][0].clone();
            d["workflows"].as_array_mut().unwrap().push(workflow);
        },
        &[('E', codes::DUPLICATE_WORKFLOW_ID, "/workflows/1/workflowId")],
    );
    case(
        |d| d["workflows"][0]["steps"][1]["stepId"] = json!("list"),
        &[('E', codes::DUPLICATE_STEP_ID, &at(STEP1, "/stepId"))],
    );
}

#[test]
fn names_should_follow_the_pattern() {
    case(
        |d| d["workflows"][0]["workflowId"] = json!("main flow"),
        &[('W', codes::NAME_PATTERN, "/workflows/0/workflowId")],
    );
    case(
        |d| d["workflows"][0]["steps"][1]["stepId"] = json!("add.pet"),
        &[('W', codes::NAME_PATTERN, &at(STEP1, "/stepId"))],
    );
}

#[test]
fn a_step_has_exactly_one_target() {
    case(
        |d| d["workflows"][0]["steps"][0]["workflowId"] = json!("main"),
        &[('E', codes::STEP_TARGET, STEP0)],
    );
    case(
        |d| {
            d["workflows"][0]["steps"][0]
                .as_object_mut()
                .unwrap()
                .remove("operationId");
        },
        &[('E', codes::STEP_TARGET, STEP0)],
    );
}

#[test]
fn operations_must_resolve() {
    case(
        |d| d["workflows"][0]["steps"][0]["operationId"] = json!("nope"),
        &[('E', codes::OPERATION_NOT_FOUND, &at(STEP0, "/operationId"))],
    );
    let by_path = |pointer: &str| {
        let pointer = pointer.to_string();
        move |d: &mut Value| {
            let step = d["workflows"][0]["steps"][0].as_object_mut().unwrap();
            step.remove("operationId");
            step.insert(
                "operationPath".into(),
                json!(format!("{{$sourceDescriptions.api.url}}#{pointer}")),
            );
        }
    };
    case(by_path("/paths/~1pets~1{id}/get"), &[]);
    case(
        by_path("/paths/~1pets~1{id}/put"),
        &[(
            'E',
            codes::OPERATION_NOT_FOUND,
            &at(STEP0, "/operationPath"),
        )],
    );
}

#[test]
fn an_operation_id_is_qualified_when_there_are_several_openapi_sources() {
    let two_sources = |d: &mut Value| {
        d["sourceDescriptions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "store", "url": "store.yaml"}));
        d["workflows"][0]["steps"][1]["operationId"] = json!("$sourceDescriptions.store.addPet");
    };
    // listPets is in both descriptions: ambiguous.
    case(
        two_sources,
        &[('E', codes::OPERATION_NOT_FOUND, &at(STEP0, "/operationId"))],
    );
    case(
        |d| {
            two_sources(d);
            d["workflows"][0]["steps"][0]["operationId"] =
                json!("$sourceDescriptions.api.listPets");
        },
        &[],
    );
}

#[test]
fn workflow_steps() {
    let call = |d: &mut Value, target: &str| {
        d["workflows"]
            .as_array_mut()
            .unwrap()
            .push(json!({"workflowId": "caller", "steps": [
                {"stepId": "call", "workflowId": target, "parameters": [{"name": "token", "value": "$inputs.token"}]}
            ]}));
    };
    // Parameters of a workflow step name the workflow's inputs: no `in`.
    case(|d| call(d, "main"), &[]);
    case(
        |d| call(d, "nope"),
        &[(
            'E',
            codes::WORKFLOW_NOT_FOUND,
            "/workflows/1/steps/0/workflowId",
        )],
    );
    case(
        |d| {
            call(d, "main");
            d["workflows"][1]["steps"][0]["requestBody"] = json!({"payload": {}});
        },
        &[(
            'E',
            codes::REQUEST_BODY_ON_WORKFLOW_STEP,
            "/workflows/1/steps/0/requestBody",
        )],
    );
}

#[test]
fn parameters() {
    case(
        |d| {
            d["workflows"][0]["steps"][0]["parameters"][0]
                .as_object_mut()
                .unwrap()
                .remove("in");
        },
        &[('E', codes::PARAMETER_IN, &at(STEP0, "/parameters/0"))],
    );
    case(
        |d| {
            d["workflows"][0]["steps"][0]["parameters"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "limit", "in": "query", "value": 20}));
        },
        &[('E', codes::DUPLICATE_PARAMETER, &at(STEP0, "/parameters/1"))],
    );
    case(
        |d| {
            d["workflows"][0]["steps"][0]["parameters"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "limit", "in": "header", "value": 20}));
        },
        &[],
    );
    // Workflow parameters apply to operation steps, so they need `in` too.
    case(
        |d| d["workflows"][0]["parameters"] = json!([{"name": "X-Trace", "value": "1"}]),
        &[('E', codes::PARAMETER_IN, "/workflows/0/parameters/0")],
    );
}

#[test]
fn reusable_objects() {
    let with_components = |d: &mut Value| {
        d["components"] = json!({
            "parameters": {"page": {"name": "page", "in": "query", "value": 1}},
            "successActions": {"done": {"name": "done", "type": "end"}},
            "failureActions": {"back": {"name": "back", "type": "goto", "stepId": "list"}}
        });
    };
    let step_list = |d: &mut Value, field: &str, list: Value| {
        with_components(d);
        d["workflows"][0]["steps"][0][field] = list;
    };
    case(
        |d| {
            step_list(
                d,
                "parameters",
                json!([{"reference": "$components.parameters.page", "value": 5}]),
            );
            d["workflows"][0]["steps"][0]["onSuccess"] =
                json!([{"reference": "$components.successActions.done"}]);
            d["workflows"][0]["steps"][0]["onFailure"] =
                json!([{"reference": "$components.failureActions.back"}]);
        },
        &[],
    );
    case(
        |d| {
            step_list(
                d,
                "parameters",
                json!([{"reference": "$components.parameters.nope"}]),
            )
        },
        &[('E', codes::REFERENCE, &at(STEP0, "/parameters/0/reference"))],
    );
    case(
        |d| {
            step_list(
                d,
                "parameters",
                json!([{"reference": "$components.successActions.done"}]),
            )
        },
        &[('E', codes::REFERENCE, &at(STEP0, "/parameters/0/reference"))],
    );
    case(
        |d| {
            step_list(
                d,
                "parameters",
                json!([{"reference": "components.parameters.page"}]),
            )
        },
        &[('E', codes::REFERENCE, &at(STEP0, "/parameters/0/reference"))],
    );
    // 1.0.1: `value` "is only applicable for parameter object references".
    case(
        |d| {
            step_list(
                d,
                "onSuccess",
                json!([{"reference": "$components.successActions.done", "value": 1}]),
            )
        },
        &[(
            'W',
            codes::REFERENCE_VALUE,
            &at(STEP0, "/onSuccess/0/value"),
        )],
    );
    // A referenced goto names a step of the workflow that uses it.
    case(
        |d| {
            step_list(
                d,
                "onFailure",
                json!([{"reference": "$components.failureActions.back"}]),
            );
            d["components"]["failureActions"]["back"]["stepId"] = json!("gone");
        },
        &[(
            'E',
            codes::STEP_NOT_FOUND,
            &at(STEP0, "/onFailure/0/stepId"),
        )],
    );
    case(
        |d| {
            with_components(d);
            d["components"]["parameters"]["bad key"] =
                json!({"name": "p", "in": "query", "value": 1});
        },
        &[('E', codes::COMPONENT_KEY, "/components/parameters/bad key")],
    );
    case(
        |d| {
            with_components(d);
            d["workflows"][0]["inputs"] = json!({"$ref": "#/components/inputs/paging"});
        },
        &[('E', codes::REFERENCE, "/workflows/0/inputs/$ref")],
    );
}

#[test]
fn criteria() {
    let criterion =
        |c: Value| move |d: &mut Value| d["workflows"][0]["steps"][0]["successCriteria"][0] = c;
    let path = &at(STEP0, "/successCriteria/0");
    // Schema: dependentRequired type → context.
    case(
        criterion(json!({"condition": "$[?@.a]", "type": "jsonpath"})),
        &[('E', codes::CRITERION_CONTEXT, path)],
    );
    case(
        criterion(json!({"context": "$response.body", "condition": "$.a",
                         "type": {"type": "jsonpath", "version": "draft-goessner-dispatch-jsonpath-00"}})),
        &[],
    );
    case(
        criterion(json!({"context": "$response.body", "condition": "/a",
                         "type": {"type": "xpath", "version": "xpath-30"}})),
        &[],
    );
    for kind in [
        json!({"type": "jsonpath", "version": "rfc9535"}),
        json!({"type": "xpath", "version": "xpath-99"}),
        json!({"type": "regexp", "version": "1"}),
        json!("glob"),
    ] {
        let location = if kind.get("version").is_some_and(|v| v == "rfc9535") {
            format!("{path}/type/version")
        } else {
            format!("{path}/type")
        };
        case(
            criterion(json!({"context": "$response.body", "condition": "$.a", "type": kind})),
            &[('E', codes::CRITERION_TYPE, &location)],
        );
    }
    case(
        criterion(json!({"condition": "$statusCode =="})),
        &[(
            'E',
            codes::CRITERION_CONDITION,
            &format!("{path}/condition"),
        )],
    );
    case(
        criterion(json!({"context": "$respons.body", "condition": "^2", "type": "regex"})),
        &[('E', codes::EXPRESSION, &format!("{path}/context"))],
    );
    case(
        criterion(json!({"context": "$statusCode", "condition": "^2(", "type": "regex"})),
        &[(
            'E',
            codes::CRITERION_CONDITION,
            &format!("{path}/condition"),
        )],
    );
}

#[test]
fn actions() {
    let on_success =
        |a: Value| move |d: &mut Value| d["workflows"][0]["steps"][1]["onSuccess"] = json!([a]);
    let on_failure =
        |a: Value| move |d: &mut Value| d["workflows"][0]["steps"][1]["onFailure"] = json!([a]);
    let s0 = &at(STEP1, "/onSuccess/0");
    let f0 = &at(STEP1, "/onFailure/0");
    case(
        on_success(json!({"name": "g", "type": "goto", "stepId": "list", "workflowId": "main"})),
        &[('E', codes::ACTION_TARGET, s0)],
    );
    case(
        on_success(json!({"name": "g", "type": "goto"})),
        &[('E', codes::ACTION_TARGET, s0)],
    );
    case(
        on_success(json!({"name": "g", "type": "goto", "stepId": "nope"})),
        &[('E', codes::STEP_NOT_FOUND, &format!("{s0}/stepId"))],
    );
    case(
        on_success(json!({"name": "g", "type": "goto", "workflowId": "nope"})),
        &[('E', codes::WORKFLOW_NOT_FOUND, &format!("{s0}/workflowId"))],
    );
    case(
        on_success(json!({"name": "g", "type": "goto", "workflowId": "main"})),
        &[],
    );
    case(
        on_success(json!({"name": "e", "type": "end", "stepId": "list"})),
        &[('W', codes::IGNORED_FIELD, s0)],
    );
    // A retry needs no target (the schema's early requirement was a bug, fixed).
    case(on_failure(json!({"name": "r", "type": "retry"})), &[]);
    case(
        on_failure(json!({"name": "r", "type": "retry", "stepId": "list", "workflowId": "main"})),
        &[('E', codes::ACTION_TARGET, f0)],
    );
    case(
        on_failure(json!({"name": "r", "type": "retry", "retryAfter": -1})),
        &[('E', codes::RETRY_AFTER, &format!("{f0}/retryAfter"))],
    );
    case(
        on_failure(json!({"name": "e", "type": "end", "retryLimit": 2})),
        &[('W', codes::IGNORED_FIELD, f0)],
    );
    case(
        |d| {
            d["workflows"][0]["successActions"] = json!([
                {"name": "done", "type": "end"}, {"name": "done", "type": "goto", "stepId": "add"}]);
        },
        &[(
            'E',
            codes::DUPLICATE_ACTION,
            "/workflows/0/successActions/1",
        )],
    );
}

#[test]
fn depends_on() {
    let second = |d: &mut Value, depends: Value| {
        d["workflows"][0]["dependsOn"] = json!(["second"]);
        d["workflows"]
            .as_array_mut()
            .unwrap()
            .push(json!({"workflowId": "second", "dependsOn": depends,
                         "steps": [{"stepId": "s", "operationId": "listPets"}]}));
    };
    case(|d| second(d, json!([])), &[]);
    case(
        |d| d["workflows"][0]["dependsOn"] = json!(["nope"]),
        &[('E', codes::WORKFLOW_NOT_FOUND, "/workflows/0/dependsOn/0")],
    );
    case(
        |d| second(d, json!(["main"])),
        &[
            ('E', codes::DEPENDENCY_CYCLE, "/workflows/0/dependsOn"),
            ('E', codes::DEPENDENCY_CYCLE, "/workflows/1/dependsOn"),
        ],
    );
    case(
        |d| d["workflows"][0]["dependsOn"] = json!(["main"]),
        &[('E', codes::DEPENDENCY_CYCLE, "/workflows/0/dependsOn")],
    );
}

#[test]
fn expressions_in_values_and_outputs() {
    let header = |value: &str| {
        let value = value.to_string();
        move |d: &mut Value| {
            d["workflows"][0]["steps"][0]["parameters"] =
                json!([{"name": "Authorization", "in": "header", "value": value}]);
        }
    };
    let value_at = &at(STEP0, "/parameters/0/value");
    case(header("Bearer {$inputs.token}"), &[]);
    case(
        header("Bearer $inputs.token"),
        &[('W', codes::BARE_EXPRESSION, value_at)],
    );
    case(
        header("Bearer {$inputs.token"),
        &[('E', codes::EXPRESSION, value_at)],
    );
    // `$` that starts no expression is text.
    case(header("costs $5 or $.a"), &[]);
    case(
        header("$steps.nope.outputs.x"),
        &[('W', codes::UNKNOWN_REFERENCE, value_at)],
    );
    let output = |name: &str, value: &str| {
        let (name, value) = (name.to_string(), value.to_string());
        move |d: &mut Value| d["workflows"][0]["outputs"] = json!({name: value})
    };
    case(
        output("a b", "$inputs.token"),
        &[('E', codes::OUTPUT_NAME, "/workflows/0/outputs/a b")],
    );
    case(
        output("x", "$input.token"),
        &[('E', codes::EXPRESSION, "/workflows/0/outputs/x")],
    );
    case(
        output("x", "done"),
        &[('W', codes::OUTPUT_LITERAL, "/workflows/0/outputs/x")],
    );
    case(output("x", "id-{$steps.list.outputs.pets#/0/id}"), &[]);
}

#[test]
fn unknown_fields_are_reported_extensions_are_not() {
    case(
        |d| {
            d["workflows"][0]["steps"][0]["sucessCriteria"] = json!([]);
            d["workflows"][0]["steps"][0]["x-note"] = json!("fine");
            d["x-top"] = json!(1);
        },
        &[('W', codes::UNKNOWN_FIELD, &at(STEP0, "/sucessCriteria"))],
    );
}

#[test]
fn documents_loaded_through_sources_are_checked_with_their_url() {
    let other = r#"
arazzo: 1.0.1
info: {title: o, version: '1'}
sourceDescriptions: [{name: api, url: api.yaml}]
workflows:
- workflowId: remote
  steps:
  - {stepId: s, operationId: nope}
"#;
    let mut document = base();
    document["sourceDescriptions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "flows", "url": "other.arazzo.yaml", "type": "arazzo"}));
    document["workflows"][0]["steps"][1]["onSuccess"][0] =
        json!({"name": "away", "type": "goto", "workflowId": "$sourceDescriptions.flows.remote"});
    let found: Vec<(String, String)> = diagnostics_of(
        &document,
        &[("api.yaml", API), ("other.arazzo.yaml", other)],
    )
    .into_iter()
    .map(|d| (d.code, d.location))
    .collect();
    assert_eq!(
        found,
        vec![(
            codes::OPERATION_NOT_FOUND.to_string(),
            "file:///d/other.arazzo.yaml#/workflows/0/steps/0/operationId".to_string()
        )]
    );

    // A workflow of another document is reached only through its source.
    document["workflows"][0]["steps"][1]["onSuccess"][0]["workflowId"] = json!("remote");
    let found = diagnostics_of(
        &document,
        &[("api.yaml", API), ("other.arazzo.yaml", other)],
    );
    assert_eq!(found[0].code, codes::WORKFLOW_NOT_FOUND);
    assert!(
        found[0]
            .message
            .contains("$sourceDescriptions.flows.remote"),
        "{}",
        found[0].message
    );
}

fn seed(name: &str) -> Vec<Diagnostic> {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/arazzo");
    let url = url::Url::from_file_path(format!("{data}/arazzo/{name}")).unwrap();
    let text = std::fs::read_to_string(url.to_file_path().unwrap()).unwrap();
    let bundle = Bundle::load(url.as_str(), &text, &mut |u: &str| {
        let path = url::Url::parse(u)
            .map_err(|e| e.to_string())?
            .to_file_path()
            .map_err(|_| u.to_string())?;
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    })
    .unwrap();
    validate(&bundle)
}

#[test]
fn the_fargate_seed_is_valid() {
    assert_eq!(
        seed("amazon-fargate-stop-task-and-confirm-workflow.yml"),
        vec![]
    );
}

#[test]
fn the_windmill_seed_only_writes_bare_expressions() {
    let found: Vec<(Severity, String, String)> =
        seed("windmill-run-script-with-timeout-cancel-workflow.yml")
            .into_iter()
            .map(|d| (d.severity, d.code, d.location))
            .collect();
    let expected: Vec<(Severity, String, String)> = (0..4)
        .map(|i| {
            (
                Severity::Warning,
                codes::BARE_EXPRESSION.to_string(),
                format!("/workflows/0/steps/{i}/parameters/0/value"),
            )
        })
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_bare_expression_message_says_what_to_write() {
    let first = seed("windmill-run-script-with-timeout-cancel-workflow.yml").remove(0);
    assert!(
        first.message.contains("{$inputs.token}"),
        "{}",
        first.message
    );
}

#[test]
fn a_request_reads_only_steps_that_can_have_run() {
    let read = |step: usize, expression: &str| {
        let expression = expression.to_string();
        move |d: &mut Value| {
            d["workflows"][0]["steps"][step]["parameters"] =
                json!([{"name": "X-Prev", "in": "header", "value": expression}]);
        }
    };
    // add follows list.
    case(read(1, "$steps.list.outputs.pets"), &[]);
    // list runs first; nothing goes back to it except add's goto, so add's output can
    // be there on the second pass.
    case(read(0, "$steps.add.outputs.x"), &[]);
    case(
        |d| {
            read(0, "$steps.add.outputs.x")(d);
            d["workflows"][0]["steps"][1]["onSuccess"] = json!([]);
        },
        &[('W', codes::STEP_ORDER, &at(STEP0, "/parameters/0/value"))],
    );
    // A step reads its own outputs only when it can run again: here through its retry.
    let no_actions = |d: &mut Value| {
        let step = d["workflows"][0]["steps"][1].as_object_mut().unwrap();
        step.remove("onSuccess");
        step.remove("onFailure");
    };
    case(read(1, "$steps.add.outputs.x"), &[]);
    case(
        |d| {
            read(1, "$steps.add.outputs.x")(d);
            no_actions(d);
        },
        &[('W', codes::STEP_ORDER, &at(STEP1, "/parameters/0/value"))],
    );
    case(
        |d| {
            read(1, "$steps.add.outputs.x")(d);
            no_actions(d);
            d["workflows"][0]["failureActions"] = json!([{"name": "again", "type": "retry"}]);
        },
        &[],
    );
}

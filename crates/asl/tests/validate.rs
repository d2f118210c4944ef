//! Validation of definitions: the data-driven cases in `tests/validate/cases.yaml`,
//! definitions from the AWS documentation that must pass, the built model, and
//! robustness against arbitrary input.

use serde_json::{Value, json};
use weft_asl::model::{
    IoPath, JitterStrategy, NumberOrPath, ProcessorMode, QueryLanguage, ResultPathSpec, StateKind,
    Transition, WaitFor,
};
use weft_asl::validate::{Diagnostic, Severity, compile, parse_text};

fn pairs(diagnostics: &[Diagnostic], severity: Severity) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .map(|d| (d.code.clone(), d.location.clone()))
        .collect();
    pairs.sort();
    pairs
}

fn expected_pairs(case: &Value, key: &str) -> Option<Vec<(String, String)>> {
    let list = case.get(key)?.as_array()?;
    let mut pairs: Vec<(String, String)> = list
        .iter()
        .map(|pair| {
            let code = pair[0].as_str().expect("code is a string");
            let location = pair[1].as_str().expect("location is a string");
            (code.to_string(), location.to_string())
        })
        .collect();
    pairs.sort();
    Some(pairs)
}

#[test]
fn data_driven_cases() {
    run_cases(include_str!("validate/cases.yaml"), 50);
}

#[test]
fn data_driven_jsonata_cases() {
    run_cases(include_str!("validate/jsonata.yaml"), 15);
}

/// Runs a table of cases: a definition, its errors as [code, location] (exactly), its
/// warnings (when given) and, when given, the error messages (as a multiset).
fn run_cases(text: &str, at_least: usize) {
    // YAML 1.2 booleans, so a state named `N` or `Y` stays a string.
    let options = serde_saphyr::options! { strict_booleans: true };
    let cases: Value = serde_saphyr::from_str_with_options(text, options).expect("cases parse");
    let cases = cases.as_array().expect("a list of cases");
    assert!(cases.len() >= at_least);
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("case name");
        let compiled = compile(&case["definition"]);
        let expected_errors = expected_pairs(case, "errors").expect("errors listed");
        let errors = pairs(&compiled.diagnostics, Severity::Error);
        if errors != expected_errors {
            failures.push(format!(
                "{name}:\n  expected errors {expected_errors:?}\n  got {:#?}",
                compiled.diagnostics
            ));
        }
        if let Some(expected) = case.get("messages").and_then(Value::as_array) {
            let mut expected: Vec<&str> = expected.iter().filter_map(Value::as_str).collect();
            let mut messages: Vec<&str> = compiled
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.message.as_str())
                .collect();
            expected.sort_unstable();
            messages.sort_unstable();
            if messages != expected {
                failures.push(format!(
                    "{name}:\n  expected messages {expected:?}\n  got {messages:?}"
                ));
            }
        }
        if let Some(expected_warnings) = expected_pairs(case, "warnings") {
            let warnings = pairs(&compiled.diagnostics, Severity::Warning);
            if warnings != expected_warnings {
                failures.push(format!(
                    "{name}:\n  expected warnings {expected_warnings:?}\n  got {:#?}",
                    compiled.diagnostics
                ));
            }
        }
        assert_eq!(
            compiled.machine.is_some(),
            expected_errors.is_empty(),
            "{name}: a model is built exactly when there is no error"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn errors_of(definition: &Value) -> Vec<Diagnostic> {
    compile(definition)
        .diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

// --- messages as Step Functions words them ------------------------------------

#[test]
fn messages_follow_step_functions_wording() {
    let errors = errors_of(&json!({
        "StartAt": "pass1",
        "States": {
            "pass1": {"Type": "Pass", "Next": "pass3"},
            "pass2": {"Type": "Pass", "End": true}
        }
    }));
    let messages: Vec<(&str, &str, &str)> = errors
        .iter()
        .map(|d| (d.code.as_str(), d.message.as_str(), d.location.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                "MISSING_TRANSITION_TARGET",
                "Missing 'Next' target: pass3",
                "/States/pass1/Next"
            ),
            (
                "MISSING_TRANSITION_TARGET",
                "State \"pass2\" is not reachable.",
                "/States/pass2"
            ),
        ]
    );

    let errors = errors_of(&json!({
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "TimeoutSeconds": 5, "End": true,
            "Branches": [{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 25, "End": true}}}]}}
    }));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "Field 'TimeoutSeconds' is not supported");
    assert_eq!(errors[0].location, "/States/P");

    let errors = errors_of(&json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}
    }));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "MISSING_END_STATE");
    assert_eq!(errors[0].message, "Workflow has no terminal state");
    assert_eq!(errors[0].location, "");
    // Step Functions omits the location of this diagnostic.
    let serialized = serde_json::to_value(&errors[0]).expect("serializes");
    assert_eq!(
        serialized,
        json!({"severity": "ERROR", "code": "MISSING_END_STATE", "message": "Workflow has no terminal state"})
    );

    let errors = errors_of(&json!({
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Output": {}, "End": true}}
    }));
    assert_eq!(
        errors[0].message,
        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage"
    );

    let errors = errors_of(&json!(42));
    assert_eq!(errors[0].message, "Definition must be a valid JSON object");
    assert_eq!(errors[0].code, "SCHEMA_VALIDATION_FAILED");
}

#[test]
fn nested_states_inherit_the_query_language() {
    let compiled = compile(&json!({
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Output": "{% $states.input %}", "Next": "P"},
            "P": {"Type": "Parallel", "Arguments": {}, "End": true, "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": 1, "End": true}}}
            ]}
        }
    }));
    let machine = compiled.machine.expect("a valid JSONata machine");
    let StateKind::Parallel(parallel) = &machine.graph.states["P"].kind else {
        panic!("P is a Parallel state");
    };
    let branch_state = &parallel.branches[0].states["B"];
    assert_eq!(branch_state.query_language, QueryLanguage::Jsonata);
    // A JSONPath-only field in the inherited JSONata state is refused there.
    let errors = errors_of(&json!({
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$", "End": true}}}
            ]}
        }
    }));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].location, "/States/P/Branches[0]/States/B");
    assert_eq!(
        errors[0].message,
        "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"
    );
}

// --- state names of exact lengths ------------------------------------------------

#[test]
fn state_names_are_at_most_80_characters() {
    for (length, valid) in [(80, true), (81, false)] {
        let name = "é".repeat(length);
        let compiled =
            compile(&json!({"StartAt": name, "States": {name.clone(): {"Type": "Succeed"}}}));
        let codes: Vec<&str> = compiled
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        if valid {
            assert!(codes.is_empty(), "{codes:?}");
        } else {
            assert_eq!(codes, ["INVALID_STATE_NAME"]);
            assert_eq!(compiled.diagnostics[0].location, format!("/States/{name}"));
        }
    }
}

#[test]
fn map_labels_are_at_most_40_characters() {
    for (length, valid) in [(40, true), (41, false)] {
        let label = "a".repeat(length);
        let errors = errors_of(&json!({"StartAt": "M", "States": {"M": {
            "Type": "Map", "Label": label, "End": true,
            "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}}
        }}}));
        if valid {
            assert!(errors.is_empty(), "{errors:?}");
        } else {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].code, "INVALID_LABEL_NAME");
        }
    }
}

#[test]
fn too_deeply_nested() {
    let mut value = json!(1);
    for _ in 0..150 {
        value = json!({"a": value});
    }
    let errors = errors_of(&json!({"StartAt": "A", "States": {"A": {
        "Type": "Pass", "Result": value, "End": true
    }}}));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, "TOO_DEEPLY_NESTED");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let errors = errors_of(&json!({
        "StartAt": "A",
        "Extra": true,
        "States": {
            "A": {"Type": "Pass", "Resource": "x", "Next": "Ghost"},
            "B": {"Type": "Wait", "End": true},
            "C": {"Type": "Task", "End": true}
        }
    }));
    let codes: Vec<&str> = errors.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes.len(), 7, "{errors:#?}");
    assert!(codes.contains(&"MISSING_TRANSITION_TARGET"));
}

// --- valid definitions from the AWS documentation ---------------------------------

#[test]
fn aws_documentation_examples_are_valid() {
    let examples = [
        // Hello World (Pass states), developer guide "Getting started".
        json!({
            "Comment": "A Hello World example of the Amazon States Language using Pass states",
            "StartAt": "Hello",
            "States": {
                "Hello": {"Type": "Pass", "Result": "Hello", "Next": "World"},
                "World": {"Type": "Pass", "Result": "World", "End": true}
            }
        }),
        // Choice state example, "Choice workflow state".
        json!({
            "StartAt": "ChoiceStateX",
            "States": {
                "ChoiceStateX": {
                    "Type": "Choice",
                    "Choices": [
                        {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
                        {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
                        {"And": [
                            {"Variable": "$.value", "NumericGreaterThanEquals": 20},
                            {"Variable": "$.value", "NumericLessThan": 30}
                        ], "Next": "ValueInTwenties"},
                        {"Variable": "$.value", "NumericLessThan": 0, "Next": "ValueIsNegative"}
                    ],
                    "Default": "DefaultState"
                },
                "Public": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Foo", "Next": "NextState"},
                "ValueIsZero": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Zero", "Next": "NextState"},
                "ValueInTwenties": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Bar", "Next": "NextState"},
                "ValueIsNegative": {"Type": "Fail", "Error": "ErrorCode", "Cause": "Negative value"},
                "DefaultState": {"Type": "Fail", "Error": "DefaultStateError", "Cause": "No Matches!"},
                "NextState": {"Type": "Succeed"}
            }
        }),
        // Wait state example, "Wait workflow state" / job status poller.
        json!({
            "Comment": "An example of the Amazon States Language for scheduling a task.",
            "StartAt": "Wait for Timestamp",
            "States": {
                "Wait for Timestamp": {"Type": "Wait", "SecondsPath": "$.timer_seconds", "Next": "Wait ten"},
                "Wait ten": {"Type": "Wait", "Seconds": 10, "Next": "Wait until"},
                "Wait until": {"Type": "Wait", "Timestamp": "2016-03-14T01:59:00Z", "Next": "Send SNS Message"},
                "Send SNS Message": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:topic", "Message.$": "$"},
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}],
                    "End": true
                }
            }
        }),
        // Parallel state example, "Parallel workflow state".
        json!({
            "Comment": "Parallel Example.",
            "StartAt": "LookupCustomerInfo",
            "States": {
                "LookupCustomerInfo": {
                    "Type": "Parallel",
                    "End": true,
                    "Branches": [
                        {"StartAt": "LookupAddress", "States": {"LookupAddress": {
                            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:AddressFinder", "End": true}}},
                        {"StartAt": "LookupPhone", "States": {"LookupPhone": {
                            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:PhoneFinder", "End": true}}}
                    ]
                }
            }
        }),
        // Map state examples, "Map state in inline mode" and the legacy Iterator form.
        json!({
            "StartAt": "Validate-All",
            "States": {
                "Validate-All": {
                    "Type": "Map",
                    "InputPath": "$.detail",
                    "ItemsPath": "$.shipped",
                    "MaxConcurrency": 0,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "INLINE"},
                        "StartAt": "Validate",
                        "States": {"Validate": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                            "OutputPath": "$.Payload",
                            "Parameters": {"FunctionName": "arn:aws:lambda:us-east-2:123456789012:function:ship-val:$LATEST"},
                            "End": true}}
                    },
                    "ResultPath": "$.detail.shipped",
                    "Next": "Legacy"
                },
                "Legacy": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "Parameters": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value"},
                    "Iterator": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": true}}},
                    "End": true
                }
            }
        }),
        // Catch and Retry example, "Handling errors in Step Functions workflows".
        json!({
            "Comment": "A Catch example of the Amazon States Language using an AWS Lambda function",
            "StartAt": "CreateAccount",
            "States": {
                "CreateAccount": {
                    "Type": "Task",
                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FailFunction",
                    "Retry": [
                        {"ErrorEquals": ["CustomError"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2.0},
                        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 30, "MaxAttempts": 2, "BackoffRate": 2.0,
                         "MaxDelaySeconds": 60, "JitterStrategy": "FULL"},
                        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 5, "BackoffRate": 2.0}
                    ],
                    "Catch": [
                        {"ErrorEquals": ["CustomError"], "Next": "CustomErrorFallback"},
                        {"ErrorEquals": ["States.TaskFailed"], "Next": "ReservedTypeFallback"},
                        {"ErrorEquals": ["States.ALL"], "Next": "CatchAllFallback", "ResultPath": "$.error"}
                    ],
                    "TimeoutSeconds": 60,
                    "HeartbeatSeconds": 10,
                    "End": true
                },
                "CustomErrorFallback": {"Type": "Pass", "Result": "This is a fallback from a custom Lambda function exception", "End": true},
                "ReservedTypeFallback": {"Type": "Pass", "Result": "This is a fallback from a reserved error code", "End": true},
                "CatchAllFallback": {"Type": "Pass", "Result": "This is a fallback from any error code", "End": true}
            }
        }),
        // Intrinsic functions and the context object, "Intrinsic functions".
        json!({
            "StartAt": "Format",
            "States": {
                "Format": {
                    "Type": "Pass",
                    "Parameters": {
                        "greeting.$": "States.Format('Hello, my name is {}.', $.name)",
                        "id.$": "$$.Execution.Id",
                        "parts.$": "States.ArrayPartition($.inputArray, 4)"
                    },
                    "End": true
                }
            }
        }),
        // Fail with ErrorPath and CausePath, "Fail workflow state".
        json!({
            "StartAt": "FailState",
            "States": {"FailState": {"Type": "Fail",
                "ErrorPath": "$.Error",
                "CausePath": "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)"}}
        }),
        // Variables with Assign, "Passing data between states with variables".
        json!({
            "StartAt": "Assign",
            "States": {
                "Assign": {"Type": "Pass", "Assign": {"productName": "product1", "count.$": "$.count"}, "Next": "Check"},
                "Check": {"Type": "Choice", "Choices": [
                    {"Variable": "$count", "NumericGreaterThan": 1, "Next": "Done", "Assign": {"many": true}}
                ], "Default": "Done"},
                "Done": {"Type": "Succeed"}
            }
        }),
    ];
    for (i, example) in examples.into_iter().enumerate() {
        let compiled = compile(&example);
        let errors: Vec<&Diagnostic> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "example {i}: {errors:#?}");
        assert!(compiled.machine.is_some(), "example {i}");
    }
}

// --- the built model --------------------------------------------------------------

#[test]
fn model_defaults_and_special_values() {
    let compiled = compile(&json!({
        "Version": "1.0",
        "TimeoutSeconds": 300,
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "InputPath": null,
                "ResultPath": null,
                "TimeoutSecondsPath": "$.timeout",
                "Retry": [{"ErrorEquals": ["States.Timeout"]}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "W"}],
                "Next": "M"
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
                "ToleratedFailurePercentage": 12.5,
                "Next": "W"
            },
            "W": {"Type": "Wait", "Seconds": 0, "End": true}
        }
    }));
    assert!(
        compiled.diagnostics.is_empty(),
        "{:#?}",
        compiled.diagnostics
    );
    let machine = compiled.machine.expect("built");
    assert_eq!(machine.version.as_deref(), Some("1.0"));
    assert_eq!(machine.timeout_seconds, Some(300));
    assert_eq!(machine.graph.start_at, "T");
    let names: Vec<&str> = machine.graph.states.keys().map(String::as_str).collect();
    assert_eq!(names, ["T", "M", "W"]);

    let StateKind::Task(task) = &machine.graph.states["T"].kind else {
        panic!("T is a Task");
    };
    assert!(matches!(task.input_path, IoPath::Null));
    assert!(matches!(task.output_path, IoPath::Whole));
    assert!(matches!(task.result_path, ResultPathSpec::Discard));
    assert!(
        matches!(&task.timeout_seconds, Some(NumberOrPath::Path(p)) if p.text() == "$.timeout")
    );
    assert!(task.heartbeat_seconds.is_none());
    assert_eq!(task.transition, Transition::Next("M".to_string()));
    let retrier = &task.retry[0];
    // ASL defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0.
    assert_eq!(retrier.interval_seconds, 1);
    assert_eq!(retrier.max_attempts, 3);
    assert_eq!(retrier.backoff_rate, 2.0);
    assert_eq!(retrier.max_delay_seconds, None);
    assert_eq!(retrier.jitter_strategy, JitterStrategy::None);
    assert_eq!(task.catch[0].next, "W");
    assert!(matches!(task.catch[0].result_path, ResultPathSpec::Replace));

    let StateKind::Map(map) = &machine.graph.states["M"].kind else {
        panic!("M is a Map");
    };
    assert_eq!(map.mode, ProcessorMode::Distributed);
    assert!(map.items_path.is_none());
    assert!(matches!(map.max_concurrency, NumberOrPath::Value(0)));
    assert!(matches!(map.tolerated_failure_percentage, Some(NumberOrPath::Value(p)) if p == 12.5));
    assert_eq!(map.processor.start_at, "I");

    let StateKind::Wait(wait) = &machine.graph.states["W"].kind else {
        panic!("W is a Wait");
    };
    assert!(matches!(wait.wait_for, WaitFor::Seconds(0)));
    assert_eq!(wait.transition, Transition::End);
}

// --- parse_text -------------------------------------------------------------------

#[test]
fn parses_json_and_yaml() {
    let json =
        parse_text(r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#).expect("json");
    let yaml = parse_text("StartAt: A\nStates:\n  A:\n    Type: Succeed\n").expect("yaml");
    assert_eq!(json, yaml);
    // YAML 1.2: only true/false are booleans.
    let yaml = parse_text("a: yes\nb: true\nc: on\n").expect("yaml");
    assert_eq!(yaml, json!({"a": "yes", "b": true, "c": "on"}));
}

#[test]
fn parse_errors_are_invalid_json_description() {
    for text in ["{not json", "{\"a\": 1,}", "a: [1, 2\n", "a: b\n  c: d\n"] {
        let error = parse_text(text).expect_err(text);
        assert_eq!(error.code, "INVALID_JSON_DESCRIPTION", "{text}");
        assert_eq!(error.location, "/");
        assert!(error.message.contains("line"), "{text}: {}", error.message);
    }
    let error = parse_text("{\n  \"a\": ]\n}").expect_err("bad json");
    assert!(error.message.contains("line 2"), "{}", error.message);
}

#[test]
fn oversized_definitions_are_refused() {
    let padding = " ".repeat(1_048_576);
    let text = format!("{{\"StartAt\": \"A\"}}{padding}");
    let error = parse_text(&text).expect_err("too large");
    assert_eq!(error.code, "INVALID_JSON_DESCRIPTION");
    let at_limit = format!("{{}}{}", " ".repeat(1_048_576 - 2));
    assert!(parse_text(&at_limit).is_ok());
}

/// Nine levels of nine aliases: under 500 bytes that expand to 387 million nodes (a
/// second of CPU before it was refused). Aliases may expand a definition only to a
/// few times its size, so it is refused at once.
#[test]
fn yaml_alias_expansion_is_bounded_by_the_text() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..9 {
        let aliases = vec![format!("*a{}", level - 1); 9].join(", ");
        bomb.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
    }
    let error = parse_text(&bomb).expect_err("alias bomb");
    assert_eq!(error.code, "INVALID_JSON_DESCRIPTION");
    assert!(
        error.message.contains("budget breached"),
        "{}",
        error.message
    );
    let anchors =
        "Comment: &c hello\nStartAt: A\nStates:\n  A: {Type: Pass, Comment: *c, End: true}\n";
    assert_eq!(
        parse_text(anchors).expect("anchors")["States"]["A"]["Comment"],
        json!("hello")
    );
}

#[test]
fn empty_text_is_missing_description() {
    let error = parse_text("  \n").expect_err("empty");
    assert_eq!(error.code, "MISSING_DESCRIPTION");
}

// --- robustness ---------------------------------------------------------------------

mod robustness {
    use proptest::prelude::*;
    use serde_json::Value;
    use weft_asl::validate::{compile, parse_text};

    /// Values biased towards the shapes of a definition, so the checks get exercised.
    fn json_value() -> impl Strategy<Value = Value> {
        let names = prop::sample::select(vec![
            "StartAt",
            "States",
            "Type",
            "Next",
            "End",
            "Pass",
            "Task",
            "Choice",
            "Wait",
            "Map",
            "Parallel",
            "Succeed",
            "Fail",
            "Choices",
            "Variable",
            "StringEquals",
            "And",
            "Not",
            "Branches",
            "ItemProcessor",
            "Iterator",
            "Retry",
            "Catch",
            "ErrorEquals",
            "Resource",
            "ResultPath",
            "InputPath",
            "Parameters",
            "a.$",
            "Seconds",
            "SecondsPath",
            "A",
            "B",
            "QueryLanguage",
            "JSONata",
            "$.a",
            "$$.Execution.Id",
            "States.ALL",
            "States.Format('{}', $.a)",
            "arn:aws:states:::lambda:invoke",
        ]);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            names.clone().prop_map(|s| Value::String(s.to_string())),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((names.clone(), inner), 0..6).prop_map(|fields| {
                    Value::Object(
                        fields
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn compile_never_panics(value in json_value()) {
            let compiled = compile(&value);
            let has_error = compiled.diagnostics.iter().any(|d| d.severity == weft_asl::validate::Severity::Error);
            prop_assert_eq!(compiled.machine.is_some(), !has_error);
        }

        #[test]
        fn parse_text_never_panics(text in "\\PC{0,200}") {
            if let Ok(value) = parse_text(&text) {
                compile(&value);
            }
        }

        #[test]
        fn yaml_like_text_never_panics(text in "[a-zA-Z:{}\\[\\],'\"\\- \n$.&*!|>#]{0,120}") {
            if let Ok(value) = parse_text(&text) {
                compile(&value);
            }
        }
    }
}

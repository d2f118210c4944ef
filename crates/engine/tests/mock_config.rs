//! The mock configuration file, checked against the example and the rules of the AWS page
//! "Configuration file for mocked service integrations" (sfn-local-mock-cfg-file).

use std::time::Duration;

use serde_json::{Value, json};
use weft_asl::error::StatesError;
use weft_engine::mock_config::{
    MockConfig, MockConfigError, MockConfigProblem, MockOutcome, MockStep,
};

/// The example mock configuration file of the AWS documentation, verbatim.
const AWS_EXAMPLE: &str = r#"{
  "StateMachines":{
    "LambdaSQSIntegration":{
      "TestCases":{
        "HappyPath":{
          "LambdaState":"MockedLambdaSuccess",
          "SQSState":"MockedSQSSuccess"
        },
        "RetryPath":{
          "LambdaState":"MockedLambdaRetry",
          "SQSState":"MockedSQSSuccess"
        },
        "HybridPath":{
          "LambdaState":"MockedLambdaSuccess"
        }
      }
    }
  },
  "MockedResponses":{
    "MockedLambdaSuccess":{
      "0":{
        "Return":{
          "StatusCode":200,
          "Payload":{
            "StatusCode":200,
            "body":"Hello from Lambda!"
          }
        }
      }
    },
    "LambdaMockedResourceNotReady":{
      "0":{
        "Throw":{
          "Error":"Lambda.ResourceNotReadyException",
          "Cause":"Lambda resource is not ready."
        }
      }
    },
    "MockedSQSSuccess":{
      "0":{
        "Return":{
          "MD5OfMessageBody":"3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
          "MessageId":"3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
        }
      }
    },
    "MockedLambdaRetry":{
      "0":{
        "Throw":{
          "Error":"Lambda.ResourceNotReadyException",
          "Cause":"Lambda resource is not ready."
        }
      },
      "1-2":{
        "Throw":{
          "Error":"Lambda.TimeoutException",
          "Cause":"Lambda timed out."
        }
      },
      "3":{
        "Return":{
          "StatusCode":200,
          "Payload":{
            "StatusCode":200,
            "body":"Hello from Lambda!"
          }
        }
      }
    }
  }
}"#;

fn aws_example() -> MockConfig {
    MockConfig::from_json(AWS_EXAMPLE).expect("the AWS example is a valid mock configuration")
}

fn lambda_success() -> Value {
    json!({"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}})
}

fn returned(step: &MockStep) -> &Value {
    match &step.outcome {
        MockOutcome::Return(value) => value,
        other => panic!("expected a Return, got {other:?}"),
    }
}

fn thrown(step: &MockStep) -> (&str, &str) {
    match &step.outcome {
        MockOutcome::Throw { error, cause } => (error, cause),
        other => panic!("expected a Throw, got {other:?}"),
    }
}

#[test]
fn happy_path_returns_the_mocked_results() {
    let config = aws_example();
    let case = config
        .test_case("LambdaSQSIntegration", "HappyPath")
        .expect("HappyPath exists");
    assert_eq!(case.name(), "HappyPath");

    let lambda = case
        .response("LambdaState", 0)
        .expect("mocked")
        .expect("invocation 0 defined");
    assert_eq!(returned(lambda), &lambda_success());
    assert_eq!(lambda.delay, Duration::ZERO);
    assert_eq!(lambda.result(), Ok(lambda_success()));

    let sqs = case
        .response("SQSState", 0)
        .expect("mocked")
        .expect("invocation 0 defined");
    assert_eq!(
        returned(sqs),
        &json!({
            "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
            "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"
        })
    );
}

#[test]
fn retry_path_walks_through_the_invocation_ranges() {
    let config = aws_example();
    let case = config
        .test_case("LambdaSQSIntegration", "RetryPath")
        .expect("RetryPath exists");

    let first = case
        .response("LambdaState", 0)
        .expect("mocked")
        .expect("defined");
    assert_eq!(
        thrown(first),
        (
            "Lambda.ResourceNotReadyException",
            "Lambda resource is not ready."
        )
    );
    assert_eq!(
        first.result(),
        Err(StatesError::new(
            "Lambda.ResourceNotReadyException",
            "Lambda resource is not ready."
        ))
    );

    // "1-2" is an inclusive range.
    for attempt in [1, 2] {
        let step = case
            .response("LambdaState", attempt)
            .expect("mocked")
            .expect("defined");
        assert_eq!(
            thrown(step),
            ("Lambda.TimeoutException", "Lambda timed out."),
            "attempt {attempt}"
        );
    }

    let fourth = case
        .response("LambdaState", 3)
        .expect("mocked")
        .expect("defined");
    assert_eq!(returned(fourth), &lambda_success());
}

#[test]
fn an_invocation_beyond_the_mocked_ones_fails_the_execution() {
    let config = aws_example();
    let case = config
        .test_case("LambdaSQSIntegration", "RetryPath")
        .expect("RetryPath exists");
    let error = case
        .response("LambdaState", 4)
        .expect("the state is mocked")
        .expect_err("invocation 4 has no mocked response");
    assert_eq!(error.error, "States.Runtime");
    assert!(error.cause.contains("MockedLambdaRetry"), "{}", error.cause);
    assert!(error.cause.contains("invocation 4"), "{}", error.cause);

    let happy = config
        .test_case("LambdaSQSIntegration", "HappyPath")
        .expect("HappyPath exists");
    assert!(matches!(happy.response("SQSState", 1), Some(Err(_))));
}

#[test]
fn hybrid_path_leaves_unmocked_states_to_the_real_service() {
    let config = aws_example();
    let case = config
        .test_case("LambdaSQSIntegration", "HybridPath")
        .expect("HybridPath exists");
    assert!(case.response("LambdaState", 0).is_some());
    assert!(case.response("SQSState", 0).is_none());
    assert!(case.response("NoSuchState", 0).is_none());
}

#[test]
fn unknown_state_machines_and_test_cases_are_absent() {
    let config = aws_example();
    assert!(config.test_case("OtherMachine", "HappyPath").is_none());
    assert!(
        config
            .test_case("LambdaSQSIntegration", "SadPath")
            .is_none()
    );
}

#[test]
fn delay_is_read_in_seconds() {
    let config = MockConfig::from_value(&json!({
        "StateMachines": {"M": {"TestCases": {"Slow": {"Task": "SlowResponse"}}}},
        "MockedResponses": {"SlowResponse": {
            "0": {"Return": {"ok": true}, "Delay": 2.5},
            "1": {"Throw": {"Error": "Custom.Error", "Cause": "late"}, "Delay": 0}
        }}
    }))
    .expect("valid");
    let case = config.test_case("M", "Slow").expect("exists");
    let first = case.response("Task", 0).expect("mocked").expect("defined");
    assert_eq!(first.delay, Duration::from_millis(2500));
    assert_eq!(returned(first), &json!({"ok": true}));
    let second = case.response("Task", 1).expect("mocked").expect("defined");
    assert_eq!(second.delay, Duration::ZERO);
    assert_eq!(thrown(second), ("Custom.Error", "late"));
}

#[test]
fn return_may_hold_any_json() {
    let config = MockConfig::from_value(&json!({
        "StateMachines": {"M": {"TestCases": {"C": {"A": "R"}}}},
        "MockedResponses": {"R": {"0": {"Return": "text"}, "1": {"Return": null}, "2": {"Return": [1, 2]}}}
    }))
    .expect("valid");
    let case = config.test_case("M", "C").expect("exists");
    let values: Vec<Value> = (0..3)
        .map(|attempt| {
            returned(
                case.response("A", attempt)
                    .expect("mocked")
                    .expect("defined"),
            )
            .clone()
        })
        .collect();
    assert_eq!(values, vec![json!("text"), Value::Null, json!([1, 2])]);
}

/// Loads `config` and returns where and why it was rejected.
fn rejection(config: Value) -> (String, MockConfigProblem) {
    match MockConfig::from_value(&config) {
        Err(MockConfigError::Invalid { location, problem }) => (location, problem),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

/// A configuration with one test case whose state `A` uses the response `R`, defined as `steps`.
fn with_steps(steps: Value) -> Value {
    json!({
        "StateMachines": {"M": {"TestCases": {"C": {"A": "R"}}}},
        "MockedResponses": {"R": steps}
    })
}

#[test]
fn text_that_is_not_json_is_rejected() {
    assert!(matches!(
        MockConfig::from_json("{\"StateMachines\": "),
        Err(MockConfigError::Json(_))
    ));
}

#[test]
fn the_document_must_be_an_object_with_both_sections() {
    assert_eq!(
        rejection(json!([])),
        (
            String::new(),
            MockConfigProblem::WrongType {
                expected: "an object"
            }
        )
    );
    assert_eq!(
        rejection(json!({"MockedResponses": {}})),
        (
            String::new(),
            MockConfigProblem::MissingField("StateMachines")
        )
    );
    assert_eq!(
        rejection(json!({"StateMachines": {}})),
        (
            String::new(),
            MockConfigProblem::MissingField("MockedResponses")
        )
    );
    assert_eq!(
        rejection(json!({"StateMachines": {}, "MockedResponses": {}, "MockedResponse": {}})),
        (
            "/MockedResponse".to_owned(),
            MockConfigProblem::UnknownField("MockedResponse".to_owned())
        )
    );
    assert_eq!(
        rejection(json!({"StateMachines": [], "MockedResponses": {}})),
        (
            "/StateMachines".to_owned(),
            MockConfigProblem::WrongType {
                expected: "an object"
            }
        )
    );
}

#[test]
fn a_state_machine_holds_only_test_cases() {
    assert_eq!(
        rejection(json!({"StateMachines": {"M": {}}, "MockedResponses": {}})),
        (
            "/StateMachines/M".to_owned(),
            MockConfigProblem::MissingField("TestCases")
        )
    );
    assert_eq!(
        rejection(
            json!({"StateMachines": {"M": {"TestCases": {}, "Cases": {}}}, "MockedResponses": {}})
        ),
        (
            "/StateMachines/M/Cases".to_owned(),
            MockConfigProblem::UnknownField("Cases".to_owned())
        )
    );
    assert_eq!(
        rejection(json!({"StateMachines": {"M": {"TestCases": {"C": []}}}, "MockedResponses": {}})),
        (
            "/StateMachines/M/TestCases/C".to_owned(),
            MockConfigProblem::WrongType {
                expected: "an object"
            }
        )
    );
}

#[test]
fn a_test_case_must_name_a_defined_mocked_response() {
    let config = json!({
        "StateMachines": {"LambdaSQSIntegration": {"TestCases": {"HappyPath": {"LambdaState": "MockedLambdaSucess"}}}},
        "MockedResponses": {"MockedLambdaSuccess": {"0": {"Return": {}}}}
    });
    assert_eq!(
        rejection(config),
        (
            "/StateMachines/LambdaSQSIntegration/TestCases/HappyPath/LambdaState".to_owned(),
            MockConfigProblem::UnknownResponse("MockedLambdaSucess".to_owned())
        )
    );

    let not_a_name = json!({
        "StateMachines": {"M": {"TestCases": {"C": {"A": 3}}}},
        "MockedResponses": {}
    });
    assert_eq!(
        rejection(not_a_name),
        (
            "/StateMachines/M/TestCases/C/A".to_owned(),
            MockConfigProblem::WrongType {
                expected: "the name of a mocked response (a string)"
            }
        )
    );
}

#[test]
fn invocation_keys_must_be_numbers_or_inclusive_ranges() {
    let step = json!({"Return": {}});
    for key in [
        "x",
        "",
        "-1",
        "1-",
        "-",
        "1-2-3",
        " 1",
        "1 ",
        "+1",
        "1.5",
        "1e2",
        "4294967296",
        "0-x",
    ] {
        let (location, problem) = rejection(with_steps(json!({ key: step.clone() })));
        assert_eq!(location, format!("/MockedResponses/R/{key}"), "key {key:?}");
        assert_eq!(
            problem,
            MockConfigProblem::BadRangeKey(key.to_owned()),
            "key {key:?}"
        );
    }
}

#[test]
fn a_range_must_not_end_before_it_starts() {
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Return": 1}, "2-1": {"Return": 2}})
        )),
        (
            "/MockedResponses/R/2-1".to_owned(),
            MockConfigProblem::ReversedRange("2-1".to_owned())
        )
    );
}

#[test]
fn a_single_invocation_range_is_allowed() {
    let config = MockConfig::from_value(&with_steps(
        json!({"0-0": {"Return": 1}, "1-1": {"Return": 2}}),
    ))
    .expect("valid");
    let case = config.test_case("M", "C").expect("exists");
    assert_eq!(
        returned(case.response("A", 1).expect("mocked").expect("defined")),
        &json!(2)
    );
}

#[test]
fn ranges_must_not_overlap() {
    assert_eq!(
        rejection(with_steps(
            json!({"0-2": {"Return": 1}, "1": {"Return": 2}})
        )),
        (
            "/MockedResponses/R".to_owned(),
            MockConfigProblem::OverlappingRanges {
                first: "0-2".to_owned(),
                second: "1".to_owned()
            }
        )
    );
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Return": 1}, "0-1": {"Return": 2}})
        )),
        (
            "/MockedResponses/R".to_owned(),
            MockConfigProblem::OverlappingRanges {
                first: "0".to_owned(),
                second: "0-1".to_owned()
            }
        )
    );
}

#[test]
fn every_invocation_up_to_the_last_needs_a_response() {
    assert_eq!(
        rejection(with_steps(json!({"0": {"Return": 1}, "2": {"Return": 2}}))),
        (
            "/MockedResponses/R".to_owned(),
            MockConfigProblem::MissingInvocation(1)
        )
    );
    assert_eq!(
        rejection(with_steps(json!({"1-3": {"Return": 1}}))),
        (
            "/MockedResponses/R".to_owned(),
            MockConfigProblem::MissingInvocation(0)
        )
    );
    assert_eq!(
        rejection(with_steps(json!({}))),
        ("/MockedResponses/R".to_owned(), MockConfigProblem::NoSteps)
    );
}

#[test]
fn keys_may_come_in_any_order() {
    let config = MockConfig::from_value(&with_steps(
        json!({"3": {"Return": "d"}, "1-2": {"Return": "b"}, "0": {"Return": "a"}}),
    ))
    .expect("valid");
    let case = config.test_case("M", "C").expect("exists");
    let values: Vec<Value> = (0..4)
        .map(|attempt| {
            returned(
                case.response("A", attempt)
                    .expect("mocked")
                    .expect("defined"),
            )
            .clone()
        })
        .collect();
    assert_eq!(values, vec![json!("a"), json!("b"), json!("b"), json!("d")]);
}

#[test]
fn a_step_holds_exactly_one_of_return_and_throw() {
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Return": 1, "Throw": {"Error": "E", "Cause": "C"}}})
        )),
        (
            "/MockedResponses/R/0".to_owned(),
            MockConfigProblem::ReturnAndThrow
        )
    );
    assert_eq!(
        rejection(with_steps(json!({"0": {}}))),
        (
            "/MockedResponses/R/0".to_owned(),
            MockConfigProblem::NeitherReturnNorThrow
        )
    );
    assert_eq!(
        rejection(with_steps(json!({"0": {"Delay": 1}}))),
        (
            "/MockedResponses/R/0".to_owned(),
            MockConfigProblem::NeitherReturnNorThrow
        )
    );
    assert_eq!(
        rejection(with_steps(json!({"0": {"Retrun": 1}}))),
        (
            "/MockedResponses/R/0/Retrun".to_owned(),
            MockConfigProblem::UnknownField("Retrun".to_owned())
        )
    );
    assert_eq!(
        rejection(with_steps(json!({"0": "Return"}))),
        (
            "/MockedResponses/R/0".to_owned(),
            MockConfigProblem::WrongType {
                expected: "an object"
            }
        )
    );
}

#[test]
fn throw_needs_a_string_error_and_cause() {
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Throw": {"Cause": "Lambda timed out."}}})
        )),
        (
            "/MockedResponses/R/0/Throw".to_owned(),
            MockConfigProblem::MissingField("Error")
        )
    );
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Throw": {"Error": "Lambda.TimeoutException"}}})
        )),
        (
            "/MockedResponses/R/0/Throw".to_owned(),
            MockConfigProblem::MissingField("Cause")
        )
    );
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Throw": {"Error": 5, "Cause": "c"}}})
        )),
        (
            "/MockedResponses/R/0/Throw/Error".to_owned(),
            MockConfigProblem::WrongType {
                expected: "a string"
            }
        )
    );
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Throw": {"Error": "E", "Cause": null}}})
        )),
        (
            "/MockedResponses/R/0/Throw/Cause".to_owned(),
            MockConfigProblem::WrongType {
                expected: "a string"
            }
        )
    );
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Throw": "Lambda.TimeoutException"}})
        )),
        (
            "/MockedResponses/R/0/Throw".to_owned(),
            MockConfigProblem::WrongType {
                expected: "an object"
            }
        )
    );
    assert_eq!(
        rejection(with_steps(
            json!({"0": {"Throw": {"Error": "E", "Cause": "C", "Code": 1}}})
        )),
        (
            "/MockedResponses/R/0/Throw/Code".to_owned(),
            MockConfigProblem::UnknownField("Code".to_owned())
        )
    );
}

#[test]
fn delay_must_be_a_non_negative_number() {
    for delay in [json!(-1), json!("5"), json!(null), json!(1e300)] {
        assert_eq!(
            rejection(with_steps(json!({"0": {"Return": 1, "Delay": delay}}))),
            (
                "/MockedResponses/R/0/Delay".to_owned(),
                MockConfigProblem::BadDelay
            ),
            "Delay {delay}"
        );
    }
}

#[test]
fn locations_escape_slashes_and_tildes() {
    let config = json!({
        "StateMachines": {},
        "MockedResponses": {"a/b~c": {"x": {"Return": 1}}}
    });
    assert_eq!(
        rejection(config),
        (
            "/MockedResponses/a~1b~0c/x".to_owned(),
            MockConfigProblem::BadRangeKey("x".to_owned())
        )
    );
}

#[test]
fn errors_read_as_sentences_naming_the_place() {
    let error = MockConfig::from_value(&with_steps(json!({"2-1": {"Return": 1}})))
        .expect_err("reversed range");
    assert_eq!(
        error.to_string(),
        "invalid mock configuration at '/MockedResponses/R/2-1': the range '2-1' ends before it starts"
    );
}

//! Any bytes as a mock configuration file (`MockConfig::from_json`): loading must never
//! panic, a rejection must point (JSON Pointer) at a place that exists in the document,
//! and a configuration that loads must answer its lookups as the file says: every test
//! case of every state machine is found, every mocked state answers each invocation its
//! response covers with the step the file gives (`Return`, or `Throw` with its `Error`
//! and `Cause`, and the `Delay`), the first invocation past the last one with a
//! `States.Runtime` error, and names the file does not define with nothing.

#![no_main]

use std::collections::HashMap;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use weft_engine::mock_config::{MockConfig, MockConfigError, MockOutcome, TestCase};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match MockConfig::from_json(text) {
        Ok(config) => check_lookups(&config, &json(text)),
        Err(error) => {
            let _ = error.to_string();
            if let MockConfigError::Invalid { location, .. } = &error {
                assert!(
                    json(text).pointer(location).is_some(),
                    "{location:?} is not in the document: {error}"
                );
            }
        }
    }
});

/// The document of a text that loaded, or that was rejected for what its JSON says.
fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("the text is JSON")
}

fn object(value: &Value) -> &Map<String, Value> {
    value.as_object().expect("an object")
}

/// A key that `map` does not have.
fn missing_key(map: &Map<String, Value>) -> String {
    let mut key = String::from("#missing");
    while map.contains_key(&key) {
        key.push('#');
    }
    key
}

fn check_lookups(config: &MockConfig, document: &Value) {
    let machines = object(&document["StateMachines"]);
    let responses = object(&document["MockedResponses"]);
    // The last invocation of each response already checked through one of its states.
    let mut ends = HashMap::new();
    for (machine, cases) in machines {
        let cases = object(&cases["TestCases"]);
        assert!(config.test_case(machine, &missing_key(cases)).is_none());
        for (case_name, states) in cases {
            let case = config
                .test_case(machine, case_name)
                .expect("every test case of the file is found");
            assert_eq!(case.name(), case_name);
            let states = object(states);
            assert!(case.response(&missing_key(states), 0).is_none());
            for (state, response_name) in states {
                let response_name = response_name.as_str().expect("a response name");
                let steps = object(&responses[response_name]);
                // Every invocation of a response is checked once, through its first
                // state; its other states are checked at the edges.
                let end = *ends
                    .entry(response_name)
                    .or_insert_with(|| check_response(&case, state, steps));
                check_step(&case, state, 0, &steps[first_key(steps)]);
                check_past(&case, state, end);
            }
        }
    }
    assert!(config.test_case(&missing_key(machines), "").is_none());
}

/// An invocation key, `"3"` or `"1-2"`, as the loaded file has it.
fn range(key: &str) -> (u32, u32) {
    let number = |text: &str| text.parse::<u32>().expect("an invocation number");
    match key.split_once('-') {
        None => (number(key), number(key)),
        Some((first, last)) => (number(first), number(last)),
    }
}

/// The key of invocation 0, which every loaded response has.
fn first_key(steps: &Map<String, Value>) -> &str {
    steps
        .keys()
        .find(|key| range(key).0 == 0)
        .expect("a step for invocation 0")
}

/// Checks both ends of every invocation range of the response `state` uses, and returns
/// the last invocation it covers.
fn check_response(case: &TestCase<'_>, state: &str, steps: &Map<String, Value>) -> u32 {
    let mut end = 0;
    for (key, step) in steps {
        let (first, last) = range(key);
        end = end.max(last);
        check_step(case, state, first, step);
        check_step(case, state, last, step);
    }
    end
}

/// The invocation after the last one is a `States.Runtime` error.
fn check_past(case: &TestCase<'_>, state: &str, end: u32) {
    if let Some(past) = end.checked_add(1) {
        let error = case
            .response(state, past)
            .expect("the state is mocked")
            .expect_err("no step past the last invocation");
        assert_eq!(error.error, "States.Runtime");
    }
}

fn check_step(case: &TestCase<'_>, state: &str, attempt: u32, step: &Value) {
    let answer = case
        .response(state, attempt)
        .expect("the state is mocked")
        .expect("the invocation is covered");
    let step = object(step);
    match (&answer.outcome, step.get("Return"), step.get("Throw")) {
        (MockOutcome::Return(value), Some(expected), None) => assert_eq!(value, expected),
        (MockOutcome::Throw { error, cause }, None, Some(thrown)) => {
            assert_eq!(Some(error.as_str()), thrown["Error"].as_str());
            assert_eq!(Some(cause.as_str()), thrown["Cause"].as_str());
            let result = answer.result().expect_err("a Throw is an error");
            assert_eq!((&result.error, &result.cause), (error, cause));
        }
        (outcome, returned, thrown) => {
            panic!("{outcome:?} for Return {returned:?} and Throw {thrown:?}")
        }
    }
    assert_eq!(Some(answer.delay), delay(step));
}

/// The `Delay` of a step, read as the loader reads it.
fn delay(step: &Map<String, Value>) -> Option<Duration> {
    let Some(delay) = step.get("Delay") else {
        return Some(Duration::ZERO);
    };
    Duration::try_from_secs_f64(delay.as_f64()?).ok()
}

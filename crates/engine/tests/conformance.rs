//! The ASL conformance corpus: every file under `tests/conformance/asl/` is one case
//! (definition, input, mocked task responses, expected outcome), run in-process with a
//! virtual clock. The format is described in that folder's README.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::{Value, json};
use weft_asl::decider::{ExecutionMeta, ExecutionStatus, HistoryEvent};
use weft_engine::dispatch::{Dispatcher, MockSelection};
use weft_engine::http_task::HttpTask;
use weft_engine::local::{Clock, run_to_completion};
use weft_engine::mock_config::MockConfig;

const STATE_MACHINE: &str = "Conformance";
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";
const START_TIME: &str = "2026-01-01T00:00:00Z";

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/asl");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .to_string_lossy()
                .replace('\\', "/");
            Trial::test(format!("asl::{name}"), move || run_case(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn run_case(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("read: {e}"))?;
    let case: Value = serde_json::from_str(&text).map_err(|e| format!("case is not JSON: {e}"))?;
    let case_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();

    let compiled = weft_asl::validate::compile(&case["definition"]);
    let Some(machine) = compiled.machine else {
        return Err(format!("definition rejected: {:?}", compiled.diagnostics).into());
    };
    let input = case.get("input").cloned().unwrap_or_else(|| json!({}));
    let mocks = match case.get("mocks") {
        Some(Value::Object(by_state)) => {
            let mut test_case = serde_json::Map::new();
            let mut responses = serde_json::Map::new();
            for (state, response) in by_state {
                let response_name = format!("{state}Response");
                test_case.insert(state.clone(), Value::from(response_name.clone()));
                responses.insert(response_name, response.clone());
            }
            let config = json!({
                "StateMachines": { STATE_MACHINE: { "TestCases": { "Case": test_case } } },
                "MockedResponses": responses,
            });
            let config = MockConfig::from_json(&config.to_string())
                .map_err(|e| format!("mocks rejected: {e}"))?;
            Some(MockSelection {
                config: Arc::new(config),
                state_machine: STATE_MACHINE.into(),
                test_case: "Case".into(),
            })
        }
        _ => None,
    };
    let http = HttpTask::new().map_err(|e| format!("http client: {e}"))?;
    let dispatcher = Dispatcher::new(mocks, http);
    let meta = ExecutionMeta {
        execution_arn: format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:execution:{STATE_MACHINE}:{case_name}"
        ),
        execution_name: case_name.clone(),
        state_machine_arn: format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{STATE_MACHINE}"
        ),
        state_machine_name: STATE_MACHINE.into(),
        role_arn: format!("arn:aws:iam::{ACCOUNT}:role/weft"),
        region: REGION.into(),
    };
    let start: DateTime<Utc> = START_TIME.parse().map_err(|e| format!("{e}"))?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let mut events: Vec<HistoryEvent> = Vec::new();
    let status = runtime.block_on(run_to_completion(
        Arc::new(machine),
        meta,
        input,
        &dispatcher,
        Clock::Virtual(start),
        None,
        |new| events.extend_from_slice(new),
    ));
    check(&case["expected"], &status)?;
    if let Some(Value::Array(expected)) = case.get("events") {
        let actual: Vec<&str> = events.iter().map(|e| e.event_type.name()).collect();
        let expected: Vec<&str> = expected.iter().filter_map(Value::as_str).collect();
        if actual != expected {
            return Err(
                format!("events differ\n expected: {expected:?}\n   actual: {actual:?}").into(),
            );
        }
    }
    check_history_shape(&events)?;
    Ok(())
}

fn check(expected: &Value, status: &ExecutionStatus) -> Result<(), Failed> {
    let want_status = expected["status"].as_str().unwrap_or("SUCCEEDED");
    let describe = || format!("{status:?}");
    if status.api_name() != want_status {
        return Err(format!("status: expected {want_status}, got {}", describe()).into());
    }
    match status {
        ExecutionStatus::Succeeded { output } => {
            if let Some(want) = expected.get("output") {
                let patterns = expected.get("match").and_then(Value::as_object);
                compare_output(want, output, patterns)?;
            }
        }
        ExecutionStatus::Failed { error, cause } | ExecutionStatus::TimedOut { error, cause } => {
            if let Some(want) = expected.get("error").and_then(Value::as_str)
                && want != error
            {
                return Err(format!("error: expected {want}, got {}", describe()).into());
            }
            if let Some(want) = expected.get("cause").and_then(Value::as_str)
                && want != cause
            {
                return Err(format!("cause:\n expected {want}\n      got {cause}").into());
            }
        }
        _ => {}
    }
    Ok(())
}

/// Compares outputs exactly, except where `match` gives a regular expression for a
/// JSON pointer.
fn compare_output(
    want: &Value,
    got: &Value,
    patterns: Option<&serde_json::Map<String, Value>>,
) -> Result<(), Failed> {
    let mut want = want.clone();
    let mut got_masked = got.clone();
    for (pointer, pattern) in patterns.into_iter().flatten() {
        let pattern = pattern.as_str().ok_or("match patterns must be strings")?;
        let re = regex::Regex::new(pattern).map_err(|e| format!("bad pattern {pattern}: {e}"))?;
        let actual = got
            .pointer(pointer)
            .ok_or_else(|| format!("output has nothing at {pointer}: {got}"))?;
        let text = match actual {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !re.is_match(&text) {
            return Err(format!("{pointer} = {text} does not match {pattern}").into());
        }
        for doc in [&mut want, &mut got_masked] {
            if let Some(slot) = doc.pointer_mut(pointer) {
                *slot = Value::Null;
            }
        }
    }
    if want != got_masked {
        return Err(format!("output:\n expected {want}\n      got {got}").into());
    }
    Ok(())
}

/// Every history: ids count up from 1, previous ids point backwards, and exactly one
/// terminal event ends it.
fn check_history_shape(events: &[HistoryEvent]) -> Result<(), Failed> {
    for (i, event) in events.iter().enumerate() {
        if event.id != i as u64 + 1 {
            return Err(format!("event {} has id {}", i + 1, event.id).into());
        }
        if event.previous_event_id >= event.id {
            return Err(format!(
                "event {} points forward to {}",
                event.id, event.previous_event_id
            )
            .into());
        }
    }
    let terminal = events
        .iter()
        .filter(|e| {
            e.event_type.name().starts_with("Execution")
                && e.event_type.name() != "ExecutionStarted"
        })
        .count();
    if terminal != 1 {
        return Err(format!("{terminal} terminal events").into());
    }
    Ok(())
}

//! Group commit into a SQLite file (WAL, `synchronous=FULL`, so every commit waits for
//! the disk): batches of 1, 10, 100 and 300 short executions, each written whole in one
//! write (start record, six events, end) as an execution that starts and ends in one
//! decision is. Figures are per batch; divan's item counter gives executions per second.

use std::sync::Arc;

use divan::Bencher;
use divan::counter::ItemsCount;
use weft_store::*;

fn main() {
    divan::main();
}

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:Hello";
const ROLE: &str = "arn:aws:iam::123456789012:role/StepFunctions";

fn hello(id: i64) -> ExecutionWrite {
    let name = format!("hello-{id:08}");
    let at = 1_700_000_000_000 + id;
    let input = r#"{"who":"world"}"#;
    let output = r#"{"who":"world","greeting":"Hello, world"}"#;
    let escaped = |json: &str| json.replace('"', "\\\"");
    let details = [
        (
            "ExecutionStarted",
            format!(
                r#"{{"input":"{}","inputDetails":{{"truncated":false}},"roleArn":"{ROLE}"}}"#,
                escaped(input)
            ),
        ),
        (
            "PassStateEntered",
            format!(
                r#"{{"name":"Greet","input":"{}","inputDetails":{{"truncated":false}}}}"#,
                escaped(input)
            ),
        ),
        (
            "PassStateExited",
            format!(
                r#"{{"name":"Greet","output":"{}","outputDetails":{{"truncated":false}}}}"#,
                escaped(output)
            ),
        ),
        (
            "PassStateEntered",
            format!(
                r#"{{"name":"Done","input":"{}","inputDetails":{{"truncated":false}}}}"#,
                escaped(output)
            ),
        ),
        (
            "PassStateExited",
            format!(
                r#"{{"name":"Done","output":"{}","outputDetails":{{"truncated":false}}}}"#,
                escaped(output)
            ),
        ),
        (
            "ExecutionSucceeded",
            format!(
                r#"{{"output":"{}","outputDetails":{{"truncated":false}}}}"#,
                escaped(output)
            ),
        ),
    ];
    ExecutionWrite {
        execution_id: id,
        start: Some(ExecutionRecord {
            id,
            arn: format!(
                "{}:{name}",
                MACHINE.replacen(":stateMachine:", ":execution:", 1)
            ),
            state_machine_arn: MACHINE.into(),
            revision_id: "5f2b4d2c-1d0e-4a4e-9d4c-2a8f0c1b7e11".into(),
            name,
            status: "RUNNING".into(),
            input: input.into(),
            output: None,
            error: None,
            cause: None,
            start_ms: at,
            stop_ms: None,
            trace_header: None,
            test_case: None,
            seed: id.wrapping_mul(7919),
        }),
        events: details
            .into_iter()
            .zip(1..)
            .map(|((event_type, details), event_id)| EventRecord {
                id: event_id,
                previous_id: event_id - 1,
                at_ms: at,
                event_type: event_type.into(),
                details,
            })
            .collect(),
        end: Some(ExecutionEnd {
            status: "SUCCEEDED".into(),
            output: Some(output.into()),
            error: None,
            cause: None,
            stop_ms: at + 3,
        }),
        ..Default::default()
    }
}

#[divan::bench(args = [1, 10, 100, 300])]
fn commit(bencher: Bencher, executions: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let store: Arc<dyn Store> = runtime
        .block_on(weft_store::open(&url))
        .expect("the store opens");
    let mut next_id = 0i64;
    bencher
        .counter(ItemsCount::new(executions))
        .with_inputs(|| {
            let batch: Vec<ExecutionWrite> = (1..=executions as i64)
                .map(|i| hello(next_id + i))
                .collect();
            next_id += executions as i64;
            batch
        })
        .bench_local_refs(|batch| {
            runtime
                .block_on(store.commit(batch))
                .expect("the batch commits")
        });
}

//! The decider alone, no I/O, on a ~1 KiB payload: a 10-state Pass chain with
//! InputPath, Parameters and ResultPath (workload W2 of the benchmark suite, without the
//! server), and a 10-state JSONata chain of Tasks with Arguments, Output and Assign.
//! Figures are per execution; divan's item counter gives per-transition rates.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use divan::counter::ItemsCount;
use serde_json::{Value, json};
use weft_asl::decider::{Command, Decider, ExecutionMeta, ExecutionStatus, Input};
use weft_asl::model::StateMachine;

// The weft binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// Ten states `S0`…`S9` in a row, state `i` as `state(i)` gives it; `top` holds the
/// definition's other top-level fields.
fn chain(top: Value, state: impl Fn(usize) -> Value) -> StateMachine {
    let mut states = serde_json::Map::new();
    for i in 0..10 {
        let mut s = state(i);
        if i == 9 {
            s["End"] = json!(true);
        } else {
            s["Next"] = json!(format!("S{}", i + 1));
        }
        states.insert(format!("S{i}"), s);
    }
    let mut definition = top;
    definition["StartAt"] = json!("S0");
    definition["States"] = Value::Object(states);
    weft_asl::validate::compile(&definition)
        .machine
        .expect("the benchmark definition is valid")
}

fn chain10() -> StateMachine {
    chain(json!({}), |i| {
        json!({
            "Type": "Pass",
            "InputPath": "$",
            "Parameters": {
                "order.$": "$.order",
                "step": i,
                "customer.$": "$.order.customer.name"
            },
            "ResultPath": "$.last",
        })
    })
}

/// Ten JSONata Task states, each with `Arguments`, `Output` and `Assign`; the task
/// results are answered in the benchmark loop. `Output` merges the whole input with the
/// result (`$merge`), or, in the `fields` variant, builds an object from paths.
fn jsonata_chain10(output: &Value) -> StateMachine {
    chain(json!({"QueryLanguage": "JSONata"}), |i| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:step",
            "Arguments": {
                "order": "{% $states.input.order %}",
                "step": i,
                "customer": "{% $states.input.order.customer.name %}"
            },
            "Output": output,
            "Assign": { "count": "{% $count($states.input.order.lines) %}", "step": i },
        })
    })
}

/// About 1 KiB of JSON.
fn payload() -> Value {
    let lines: Vec<Value> = (0..21)
        .map(|i| json!({ "sku": format!("SKU-{i:05}"), "quantity": i + 1, "price": 9.99 }))
        .collect();
    json!({
        "order": {
            "id": "ord-0001",
            "customer": { "name": "Ada Lovelace", "email": "ada@example.com" },
            "lines": lines,
        }
    })
}

fn meta() -> ExecutionMeta {
    ExecutionMeta {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:Bench:e".into(),
        execution_name: "e".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:Bench".into(),
        state_machine_name: "Bench".into(),
        role_arn: "arn:aws:iam::123456789012:role/weft".into(),
        region: "us-east-1".into(),
    }
}

#[divan::bench]
fn pass_chain_10_states(bencher: divan::Bencher) {
    let machine = Arc::new(chain10());
    let input = payload();
    assert!(serde_json::to_string(&input).map(|s| s.len()).unwrap_or(0) > 1000);
    let now: DateTime<Utc> = DateTime::UNIX_EPOCH;
    bencher.counter(ItemsCount::new(10usize)).bench_local(|| {
        let mut decider = Decider::new(machine.clone(), meta());
        let decision = decider.handle(
            now,
            1,
            Input::Start {
                input: input.clone(),
            },
        );
        assert!(matches!(
            decider.status(),
            ExecutionStatus::Succeeded { .. }
        ));
        decision
    });
}

/// The JSONPath counterpart of the JSONata chain, for comparison: `Parameters`,
/// `ResultPath` and `Assign` on each Task.
fn jsonpath_task_chain10() -> StateMachine {
    chain(json!({}), |i| {
        json!({
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:step",
            "Parameters": {
                "order.$": "$.order",
                "step": i,
                "customer.$": "$.order.customer.name"
            },
            "ResultPath": "$.last",
            "Assign": { "ok.$": "$.ok", "step": i },
        })
    })
}

#[divan::bench(args = ["jsonata merge", "jsonata fields", "jsonpath"])]
fn task_chain_10_states(bencher: divan::Bencher, variant: &str) {
    let machine = Arc::new(match variant {
        "jsonata merge" => jsonata_chain10(&json!(
            "{% $merge([$states.input, {'last': $states.result}]) %}"
        )),
        "jsonata fields" => jsonata_chain10(
            &json!({"order": "{% $states.input.order %}", "last": "{% $states.result %}"}),
        ),
        _ => jsonpath_task_chain10(),
    });
    let input = payload();
    let now: DateTime<Utc> = DateTime::UNIX_EPOCH;
    let result = json!({ "ok": true });
    bencher.counter(ItemsCount::new(10usize)).bench_local(|| {
        let mut decider = Decider::new(machine.clone(), meta());
        let mut decision = decider.handle(
            now,
            1,
            Input::Start {
                input: input.clone(),
            },
        );
        while let Some(task) = decision.commands.iter().find_map(|c| match c {
            Command::RunTask(t) => Some(t.task),
            _ => None,
        }) {
            decision = decider.handle(
                now,
                1,
                Input::TaskSucceeded {
                    task,
                    output: result.clone(),
                },
            );
        }
        assert!(matches!(
            decider.status(),
            ExecutionStatus::Succeeded { .. }
        ));
        decision
    });
}

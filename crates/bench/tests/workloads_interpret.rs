//! The workload definitions are valid ASL and do what they are meant to: run through
//! weft's interpreter directly, each succeeds after entering its states in order.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use weft_asl::decider::{Decider, ExecutionMeta, ExecutionStatus, Input};
use weft_bench::workload::Workload;

/// Runs a workload to its end and returns its output and the states it entered.
fn interpret(workload: Workload) -> (Value, Vec<String>) {
    let compiled = weft_asl::validate::compile(&workload.definition());
    assert!(
        compiled.diagnostics.is_empty(),
        "{}: {:?}",
        workload.name(),
        compiled.diagnostics
    );
    let Some(machine) = compiled.machine else {
        panic!("{} does not compile", workload.name());
    };
    let meta = ExecutionMeta {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:bench:e1".into(),
        execution_name: "e1".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:bench".into(),
        state_machine_name: "bench".into(),
        role_arn: "arn:aws:iam::123456789012:role/weft-bench".into(),
        region: "us-east-1".into(),
    };
    let mut decider = Decider::new(Arc::new(machine), meta);
    let now = Utc
        .timestamp_opt(1_780_000_000, 0)
        .single()
        .unwrap_or_default();
    let decision = decider.handle(
        now,
        7,
        Input::Start {
            input: workload.input(),
        },
    );
    assert!(decision.commands.is_empty(), "Pass states need no commands");
    let entered = decision
        .events
        .iter()
        .filter(|e| e.event_type.name().ends_with("StateEntered"))
        .map(|e| {
            e.details
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        })
        .collect();
    match decider.status() {
        ExecutionStatus::Succeeded { output } => (output.clone(), entered),
        other => panic!("{} ended {other:?}", workload.name()),
    }
}

#[test]
fn hello_passes_its_input_through_two_states() {
    let (output, entered) = interpret(Workload::Hello);
    assert_eq!(output, json!({"a": 1}));
    assert_eq!(entered, ["P", "S"]);
    assert_eq!(entered.len() as u32, Workload::Hello.states_per_execution());
}

#[test]
fn chain10_enters_ten_states_and_summarises_the_order() {
    let (output, entered) = interpret(Workload::Chain10);
    assert_eq!(
        entered,
        [
            "ReadOrder",
            "ReadCustomer",
            "ReadShipping",
            "ReadFirstItem",
            "ReadPayment",
            "PriceOrder",
            "SetFlags",
            "Audit",
            "Route",
            "Summarise",
        ]
    );
    assert_eq!(
        entered.len() as u32,
        Workload::Chain10.states_per_execution()
    );
    // ResultPath keeps the original document and adds what each state computed.
    let input = Workload::Chain10.input();
    assert_eq!(output["order"], input["order"]);
    assert_eq!(
        output["summary"],
        json!({
            "orderId": "ORD-2026-000184223",
            "customer": "CUST-88412",
            "total": 254.0,
            "warehouse": "eu-central-1"
        })
    );
    assert_eq!(output["context"]["pricing"]["currency"], "EUR");
    assert_eq!(output["context"]["firstItem"]["sku"], "SKU-10041");
    assert_eq!(output["audit"]["state"], "Audit");
    assert_eq!(output["audit"]["execution"], "e1");
    let size = output.to_string().len();
    assert!(size < 2048, "the payload grows to {size} bytes");
}

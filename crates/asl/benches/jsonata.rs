//! JSONata evaluation costs: parsing, one simple expression, and a state's three-field
//! template on a 1 KiB input with five variables bound.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use divan::black_box;
use serde_json::{Value, json};
use weft_asl::entropy::SplitMix64;
use weft_asl::jsonata::{Bindings, Expression, Template};
use weft_asl::path::Variables;

// The weft binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

struct Vars(HashMap<String, Value>);

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

fn input() -> Value {
    let items: Vec<Value> = (0..18)
        .map(|i| json!({"id": format!("item-{i}"), "price": i * 3 + 1, "qty": i % 4 + 1, "tags": ["a", "b"]}))
        .collect();
    let input =
        json!({"a": {"b": "value"}, "customer": {"name": "María", "tier": "gold"}, "items": items});
    let size = serde_json::to_string(&input).map(|s| s.len()).unwrap_or(0);
    assert!((900..=1300).contains(&size), "input is {size} bytes");
    input
}

fn variables() -> Vars {
    Vars(
        [
            ("v1", json!(1)),
            ("v2", json!("two")),
            ("v3", json!({"k": [1, 2, 3]})),
            ("v4", json!(true)),
            ("v5", json!([4, 5, 6])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    )
}

#[divan::bench]
fn parse() -> Expression {
    Expression::parse_field(black_box(
        "{% $sum($states.input.items.(price * qty)) + $v1 %}",
    ))
    .unwrap()
}

#[divan::bench]
fn evaluate_simple(bencher: divan::Bencher) {
    let input = input();
    let context = json!({});
    let vars = variables();
    let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let e = Expression::parse_field("{% $states.input.a.b %}").unwrap();
    bencher.bench_local(|| {
        let bindings = Bindings::new(&input, &context, &vars, now);
        e.evaluate(&bindings, &mut SplitMix64::new(1)).unwrap()
    });
}

#[divan::bench]
fn evaluate_template_3_expressions(bencher: divan::Bencher) {
    let input = input();
    let context = json!({"Execution": {"Id": "x"}});
    let vars = variables();
    let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let t = Template::compile(&json!({
        "name": "{% $states.input.customer.name & ' ' & $v2 %}",
        "total": "{% $sum($states.input.items.(price * qty)) + $v1 %}",
        "tags": "{% $append($v5, $v3.k) %}",
        "static": {"x": 1}
    }))
    .unwrap();
    bencher.bench_local(|| {
        let bindings = Bindings::new(&input, &context, &vars, now);
        t.evaluate(&bindings, &mut SplitMix64::new(1)).unwrap()
    });
}

/// Arguments + Output + Assign of one state sharing one preparation of the bindings.
#[divan::bench]
fn state_transition_arguments_output_assign(bencher: divan::Bencher) {
    let input = input();
    let context = json!({"Execution": {"Id": "x"}});
    let result = json!({"Payload": {"ok": true, "count": 3}});
    let vars = variables();
    let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let arguments = Template::compile(&json!({
        "FunctionName": "f",
        "Payload": {"customer": "{% $states.input.customer %}", "n": "{% $v1 %}"}
    }))
    .unwrap();
    let output = Template::compile(&json!(
        "{% $merge([$states.input.customer, $states.result.Payload]) %}"
    ))
    .unwrap();
    let assign = Template::compile(
        &json!({"count": "{% $states.result.Payload.count %}", "seen": "{% $v4 %}"}),
    )
    .unwrap();
    bencher.bench_local(|| {
        let bindings = Bindings::new(&input, &context, &vars, now).with_result(&result);
        let prepared = bindings.prepare();
        let mut rng = SplitMix64::new(1);
        (
            arguments.evaluate_prepared(&prepared, &mut rng).unwrap(),
            output.evaluate_prepared(&prepared, &mut rng).unwrap(),
            assign.evaluate_prepared(&prepared, &mut rng).unwrap(),
        )
    });
}

//! Any text as a JSONata expression, with and without the `{% %}` delimiters: parsing,
//! analysis and evaluation (under weft's limits) against a small fixed input must never
//! panic, and an evaluation error must still render its cause.

#![no_main]

use std::collections::HashMap;

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use weft_asl::entropy::SplitMix64;
use weft_asl::jsonata::{Bindings, Expression, Template};
use weft_asl::path::Variables;

struct Vars(HashMap<String, Value>);

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

fuzz_target!(
    init: {
        // jsonata-core panics on some input (an overflow in `a..b` with huge bounds),
        // and the bridge catches the panic as the evaluation's internal error. The
        // fuzzer's hook would abort on the caught panic; the default hook only prints.
        // A panic that escapes the bridge still ends the run: it cannot unwind out of
        // the fuzzer's entry point.
        drop(std::panic::take_hook());
    },
    |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = json!({"a": {"b": [1, "x", null, 2.5]}, "s": "text", "n": -3});
    let context = json!({"Execution": {"Id": "arn:x", "Input": {}}, "State": {"Name": "S"}});
    let result = json!({"Payload": [true, {"k": "v"}]});
    let variables = Vars(HashMap::from([
        ("x".to_string(), json!(7)),
        ("list".to_string(), json!([3, 1, 2])),
    ]));
    let bindings = Bindings::new(&input, &context, &variables, DateTime::UNIX_EPOCH)
        .with_result(&result);
    let prepared = bindings.prepare();
    let mut entropy = SplitMix64::new(data.len() as u64);
    if let Ok(expression) = Expression::parse(text) {
        let _ = expression.variables();
        let _ = expression.states_fields();
        let _ = expression.top_level_field();
        if let Err(error) = expression.evaluate_prepared(&prepared, &mut entropy) {
            let _ = error.cause("Output");
        }
    }
    if let Ok(template) = Template::compile(&json!({"f": [text, {"g": text}]})) {
        let _ = template.expressions();
        let _ = template.evaluate(&bindings, &mut entropy);
    }
});

//! Payload templates (`Parameters`, `ResultSelector`, …) in JSONPath mode.

use std::collections::HashMap;

use serde_json::{Value, json};
use weft_asl::entropy::SplitMix64;
use weft_asl::error::StatesError;
use weft_asl::path::{NoVariables, Scope, Variables};
use weft_asl::template::{Template, TemplateError};

fn context() -> Value {
    json!({
        "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run-1", "Name": "run-1"},
        "State": {"Name": "Prepare", "EnteredTime": "2024-01-01T00:00:00Z"}
    })
}

struct Vars(HashMap<String, Value>);

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

fn apply_with(
    template: Value,
    input: &Value,
    variables: &dyn Variables,
) -> Result<Value, StatesError> {
    let context = context();
    let scope = Scope {
        input,
        context: &context,
        variables,
    };
    Template::compile(&template)
        .unwrap_or_else(|e| panic!("template should compile: {e}"))
        .evaluate(&scope, &mut SplitMix64::new(11))
}

fn apply(template: Value, input: Value) -> Result<Value, StatesError> {
    apply_with(template, &input, &NoVariables)
}

fn compile_error(template: Value) -> TemplateError {
    match Template::compile(&template) {
        Ok(compiled) => panic!("template should not compile: {compiled:?}"),
        Err(error) => error,
    }
}

#[test]
fn static_templates_are_literals() {
    let template = json!({"a": {"b": [1, {"c": "$.not.a.path"}]}, "d": null});
    let compiled = Template::compile(&template).unwrap();
    assert!(matches!(&compiled, Template::Literal(v) if *v == template));
    assert_eq!(apply(template.clone(), json!({"x": 1})).unwrap(), template);
}

#[test]
fn static_subtrees_stay_literal_beside_dynamic_fields() {
    let compiled = Template::compile(&json!({"fixed": {"k": [1, 2]}, "v.$": "$.v"})).unwrap();
    let Template::Object(fields) = compiled else {
        panic!("expected an object template");
    };
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].0, "fixed");
    assert!(matches!(&fields[0].1, Template::Literal(v) if *v == json!({"k": [1, 2]})));
    assert_eq!(fields[1].0, "v");
    assert!(matches!(&fields[1].1, Template::Path(p) if p.text() == "$.v"));
}

#[test]
fn paths_select_from_the_input() {
    // The Parameters example of the AWS page on InputPath, Parameters and ResultSelector.
    let input = json!({
        "comment": "Example for Parameters.",
        "product": {
            "details": {"color": "blue", "size": "small", "material": "cotton"},
            "availability": "in stock",
            "sku": "2317",
            "cost": "$23"
        }
    });
    let template = json!({
        "comment": "Selecting what I care about.",
        "MyDetails": {
            "size.$": "$.product.details.size",
            "exists.$": "$.product.availability",
            "StaticValue": "foo"
        }
    });
    assert_eq!(
        apply(template, input).unwrap(),
        json!({
            "comment": "Selecting what I care about.",
            "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}
        })
    );
}

#[test]
fn nested_objects_and_arrays() {
    let input = json!({"x": {"y": [1, 2]}, "name": "n"});
    let template = json!({
        "outer": {
            "list": [
                {"first.$": "$.x.y[0]"},
                "plain",
                [{"deep.$": "$.name"}]
            ],
            "whole.$": "$"
        }
    });
    assert_eq!(
        apply(template, input.clone()).unwrap(),
        json!({
            "outer": {
                "list": [{"first": 1}, "plain", [{"deep": "n"}]],
                "whole": input
            }
        })
    );
}

#[test]
fn context_paths() {
    let template = json!({"execution.$": "$$.Execution.Id", "state.$": "$$.State.Name"});
    assert_eq!(
        apply(template, json!({})).unwrap(),
        json!({"execution": "arn:aws:states:us-east-1:123456789012:execution:sm:run-1", "state": "Prepare"})
    );
}

#[test]
fn variable_paths() {
    let vars = Vars(HashMap::from([
        ("order".to_owned(), json!({"id": "o-1", "items": [3, 4]})),
        ("total".to_owned(), json!(7)),
    ]));
    let template = json!({"id.$": "$order.id", "total.$": "$total", "n.$": "States.ArrayLength($order.items)"});
    assert_eq!(
        apply_with(template, &json!({}), &vars).unwrap(),
        json!({"id": "o-1", "total": 7, "n": 2})
    );
}

#[test]
fn intrinsic_fields() {
    let input = json!({"name": "Arnav", "Id": 123456});
    let template = json!({
        "greeting.$": "States.Format('Hello, my name is {}.', $.name)",
        "BuildId.$": "States.Array($.Id)"
    });
    assert_eq!(
        apply(template, input).unwrap(),
        json!({"greeting": "Hello, my name is Arnav.", "BuildId": [123456]})
    );
}

#[test]
fn missing_path_cause_matches_aws() {
    // Cause recorded on AWS for a Parameters field whose path is missing.
    let error = apply(
        json!({"address.$": "$.application.address"}),
        json!({"flagged": false}),
    )
    .unwrap_err();
    assert_eq!(error.error, "States.Runtime");
    assert_eq!(
        error.cause,
        "The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{\"flagged\":false}'"
    );
}

#[test]
fn missing_path_in_a_nested_field_names_that_field() {
    let error = apply(json!({"outer": [{"inner.$": "$.nope"}]}), json!({})).unwrap_err();
    assert_eq!(
        error.cause,
        "The JSONPath '$.nope' specified for the field 'inner.$' could not be found in the input '{}'"
    );
}

#[test]
fn missing_context_path() {
    let error = apply(json!({"t.$": "$$.Task.Token"}), json!({})).unwrap_err();
    assert_eq!(error.error, "States.Runtime");
    assert!(
        error
            .cause
            .starts_with("The JSONPath '$$.Task.Token' specified for the field 't.$' could not be found in the context object '"),
        "{}",
        error.cause
    );
}

#[test]
fn intrinsic_failure_propagates() {
    let error = apply(
        json!({"x.$": "States.ArrayGetItem($.a, 5)"}),
        json!({"a": []}),
    )
    .unwrap_err();
    assert_eq!(error.error, "States.IntrinsicFailure");
}

#[test]
fn dynamic_single_field() {
    let compiled = Template::compile_dynamic("$.error.code").unwrap();
    let input = json!({"error": {"code": "E42"}});
    let context = context();
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &NoVariables,
    };
    assert_eq!(
        compiled.evaluate(&scope, &mut SplitMix64::new(0)).unwrap(),
        json!("E42")
    );

    let missing = Template::compile_dynamic("$.ErrorX").unwrap();
    let error = missing
        .evaluate_field("ErrorPath", &scope, &mut SplitMix64::new(0))
        .unwrap_err();
    assert_eq!(
        error.cause,
        "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{\"error\":{\"code\":\"E42\"}}'"
    );

    let call = Template::compile_dynamic("States.Format('cause: {}', $.error.code)").unwrap();
    assert_eq!(
        call.evaluate(&scope, &mut SplitMix64::new(0)).unwrap(),
        json!("cause: E42")
    );
}

#[test]
fn non_string_dynamic_value_is_rejected() {
    let error = compile_error(json!({"a": {"b.$": 5}}));
    assert_eq!(error.location, "/a/b.$");
    assert!(error.message.contains("b.$"), "{}", error.message);
}

#[test]
fn invalid_intrinsic_is_rejected_with_its_location() {
    let error = compile_error(json!({"list": [{"x.$": "States.Nope(1)"}]}));
    assert_eq!(error.location, "/list/0/x.$");
    assert!(error.message.contains("States.Nope"), "{}", error.message);
}

#[test]
fn invalid_path_is_rejected_with_its_location() {
    let error = compile_error(json!({"a/b": {"c~d.$": "not a path"}}));
    assert_eq!(error.location, "/a~1b/c~0d.$");
    assert!(Template::compile_dynamic("no path").is_err());
}

#[test]
fn output_keeps_field_order() {
    let template = json!({"z": 1, "y.$": "$.y", "x": 3});
    let output = apply(template, json!({"y": 2})).unwrap();
    let keys: Vec<&str> = output
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["z", "y", "x"]);
}

//! A workflow's inputs: JSON Schema `default`s filled in, validation against the
//! `inputs` schema, and which input values are secrets.
//!
//! The schema may `$ref` into the document's `components.inputs`
//! (`$ref: '#/components/inputs/x'`, Arazzo 1.0.1 §Reusable Object: "Input Objects MUST use
//! standard JSON Schema referencing via the `$ref` keyword"). JSON Schema resolves such a
//! fragment against the root of the schema document, so validation compiles the workflow's
//! schema with the components copied under its root's `components` member. The compiled
//! validator is not kept: a workflow's inputs are checked once per run of the workflow,
//! and a validator is cheap next to the HTTP requests that follow.

use serde_json::{Map, Value};

use crate::document::Components;

/// How deep defaults are filled into nested objects, and how many `$ref`s are followed
/// in a row (a schema that refers to itself stops here).
const MAX_SCHEMA_DEPTH: usize = 32;

/// How many violations a failure cause lists.
const MAX_VIOLATIONS: usize = 10;

/// Fills in the `default` of every property of `schema` the inputs leave out, and
/// recursively inside nested objects (present ones, or ones a default just created).
/// An absent or `null` input becomes an empty object first when the schema has
/// properties to default.
pub(super) fn apply_defaults(
    schema: Option<&Value>,
    components: Option<&Components>,
    inputs: &mut Value,
) {
    let Some(schema) = schema else {
        return;
    };
    if inputs.is_null() {
        *inputs = Value::Object(Map::new());
    }
    fill(schema, components, inputs, 0);
}

fn fill(schema: &Value, components: Option<&Components>, instance: &mut Value, depth: usize) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let Some(schema) = resolve(schema, components) else {
        return;
    };
    // `allOf` branches all apply to the instance, so their defaults do too.
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for branch in all {
            fill(branch, components, instance, depth + 1);
        }
    }
    let (Some(properties), Value::Object(object)) = (
        schema.get("properties").and_then(Value::as_object),
        &mut *instance,
    ) else {
        return;
    };
    for (name, property) in properties {
        let Some(property) = resolve(property, components) else {
            continue;
        };
        if !object.contains_key(name)
            && let Some(default) = property.get("default")
        {
            object.insert(name.clone(), default.clone());
        }
        if let Some(child) = object.get_mut(name)
            && child.is_object()
        {
            fill(property, components, child, depth + 1);
        }
    }
}

/// Follows `$ref: '#/components/inputs/x'` (and chains of them); other schemas are
/// returned as they are. `None` when a reference names no component.
fn resolve<'a>(mut schema: &'a Value, components: Option<&'a Components>) -> Option<&'a Value> {
    for _ in 0..MAX_SCHEMA_DEPTH {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return Some(schema);
        };
        let Some(name) = reference.strip_prefix("#/components/inputs/") else {
            return Some(schema);
        };
        schema = components?.inputs.get(&unescape_pointer_token(name))?;
    }
    None
}

fn unescape_pointer_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Checks the inputs against the schema. `Err` holds one readable list of the
/// violations; instance values are masked in it, since inputs may hold secrets.
pub(super) fn validate(
    schema: Option<&Value>,
    components: Option<&Components>,
    inputs: &Value,
) -> Result<(), String> {
    let Some(schema) = schema else {
        return Ok(());
    };
    let mut root = schema.clone();
    if let (Value::Object(object), Some(components)) = (&mut root, components)
        && !components.inputs.is_empty()
        && !object.contains_key("components")
    {
        let inputs: Map<String, Value> = components
            .inputs
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut holder = Map::new();
        holder.insert("inputs".into(), Value::Object(inputs));
        object.insert("components".into(), Value::Object(holder));
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .map_err(|e| format!("the inputs schema cannot be used: {e}"))?;
    let mut violations = Vec::new();
    let mut count = 0usize;
    for error in validator.iter_errors(inputs) {
        count += 1;
        if violations.len() < MAX_VIOLATIONS {
            let path = error.instance_path().to_string();
            let at = if path.is_empty() {
                "the inputs".to_string()
            } else {
                format!("input {path}")
            };
            violations.push(format!("{at}: {}", error.masked()));
        }
    }
    if count == 0 {
        return Ok(());
    }
    let mut list = violations.join("; ");
    if count > violations.len() {
        list.push_str(&format!("; and {} more", count - violations.len()));
    }
    Err(list)
}

/// The input values a log or a report should mask: the string values (and the string
/// leaves of object or array values) of inputs whose schema says `format: password` or
/// `writeOnly: true`, or whose property name contains `token`, `secret`, `password`,
/// `apikey`, `api_key` or `credential` (compared case-insensitively). Nested objects are
/// searched too. Each value appears once, longest first, so that masking one value never
/// leaves part of a longer one visible.
pub fn secret_values(schema: Option<&Value>, inputs: &Value) -> Vec<String> {
    let mut found = Vec::new();
    collect_secrets(schema, inputs, &mut found, 0);
    found.retain(|s| !s.is_empty());
    found.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    found.dedup();
    found
}

fn collect_secrets(
    schema: Option<&Value>,
    instance: &Value,
    found: &mut Vec<String>,
    depth: usize,
) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    let Value::Object(object) = instance else {
        return;
    };
    let properties = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    for (name, value) in object {
        let property = properties.and_then(|p| p.get(name));
        if is_secret(name, property) {
            string_leaves(value, found, depth);
        } else {
            collect_secrets(property, value, found, depth + 1);
        }
    }
}

fn is_secret(name: &str, property: Option<&Value>) -> bool {
    const WORDS: [&str; 6] = [
        "token",
        "secret",
        "password",
        "apikey",
        "api_key",
        "credential",
    ];
    let lower = name.to_ascii_lowercase();
    if WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    property.is_some_and(|p| {
        p.get("format").and_then(Value::as_str) == Some("password")
            || p.get("writeOnly").and_then(Value::as_bool) == Some(true)
    })
}

fn string_leaves(value: &Value, found: &mut Vec<String>, depth: usize) {
    if depth > MAX_SCHEMA_DEPTH {
        return;
    }
    match value {
        Value::String(s) => found.push(s.clone()),
        Value::Number(n) => found.push(n.to_string()),
        Value::Array(items) => items
            .iter()
            .for_each(|v| string_leaves(v, found, depth + 1)),
        Value::Object(members) => members
            .values()
            .for_each(|v| string_leaves(v, found, depth + 1)),
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn components(inputs: Value) -> Components {
        serde_json::from_value(json!({ "inputs": inputs })).expect("components")
    }

    #[test]
    fn defaults_fill_missing_properties_recursively_but_keep_given_values() {
        let schema = json!({"type": "object", "properties": {
            "reason": {"type": "string", "default": "Stopped by Arazzo workflow"},
            "cluster": {"type": "string", "default": "x"},
            "paging": {"type": "object", "default": {}, "properties": {
                "size": {"type": "integer", "default": 10}}},
            "absent": {"type": "object", "properties": {"n": {"default": 1}}}
        }});
        let mut inputs = json!({"cluster": "prod"});
        apply_defaults(Some(&schema), None, &mut inputs);
        assert_eq!(
            inputs,
            json!({"cluster": "prod", "reason": "Stopped by Arazzo workflow", "paging": {"size": 10}})
        );
    }

    #[test]
    fn defaults_follow_component_references_and_null_inputs_become_an_object() {
        let c = components(json!({"page": {"type": "object", "properties": {
            "size": {"type": "integer", "default": 20}}}}));
        let schema = json!({"$ref": "#/components/inputs/page"});
        let mut inputs = Value::Null;
        apply_defaults(Some(&schema), Some(&c), &mut inputs);
        assert_eq!(inputs, json!({"size": 20}));
    }

    #[test]
    fn validation_lists_every_violation_and_masks_values() {
        let schema = json!({"type": "object", "required": ["cluster"], "properties": {
            "token": {"type": "integer"}}});
        let err = validate(Some(&schema), None, &json!({"token": "hunter2"})).expect_err("invalid");
        assert!(err.contains("cluster"), "{err}");
        assert!(err.contains("input /token"), "{err}");
        assert!(!err.contains("hunter2"), "a value leaked into {err}");
        assert_eq!(
            validate(Some(&schema), None, &json!({"cluster": "c"})),
            Ok(())
        );
        assert_eq!(validate(None, None, &json!(5)), Ok(()));
    }

    #[test]
    fn validation_resolves_component_inputs() {
        let c = components(json!({"pagination": {"type": "object", "properties": {
            "page": {"type": "integer", "format": "int32"}}, "required": ["page"]}}));
        let schema = json!({"$ref": "#/components/inputs/pagination"});
        assert_eq!(
            validate(Some(&schema), Some(&c), &json!({"page": 2})),
            Ok(())
        );
        let err = validate(Some(&schema), Some(&c), &json!({"page": "two"})).expect_err("a string");
        assert!(err.contains("input /page"), "{err}");
        let dangling = json!({"$ref": "#/components/inputs/nothing"});
        let err = validate(Some(&dangling), Some(&c), &json!({})).expect_err("dangling");
        assert!(err.contains("cannot be used"), "{err}");
    }

    #[test]
    fn secrets_by_schema_annotation_or_name() {
        let schema = json!({"properties": {
            "pin": {"type": "string", "format": "password"},
            "hidden": {"type": "string", "writeOnly": true},
            "nested": {"properties": {"refreshToken": {"type": "string"}}}
        }});
        let inputs = json!({
            "pin": "1234", "hidden": "h1dden", "API_KEY": "k-abc", "user": "alice",
            "nested": {"refreshToken": "rt-long-value", "other": "visible"},
            "clientCredentials": {"id": "cid", "secret": "csecret"}
        });
        assert_eq!(
            secret_values(Some(&schema), &inputs),
            ["rt-long-value", "csecret", "h1dden", "k-abc", "1234", "cid"]
        );
        assert!(secret_values(None, &json!({"name": "x"})).is_empty());
    }
}

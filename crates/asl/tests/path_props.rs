//! Property tests: definite paths select what walking the document gives, reference
//! path writes can be read back, and no text makes parsing panic.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use weft_asl::path::{NoVariables, Path, ReferencePath, Scope};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_-]{0,6}",
        "[a-z.\\[\\]'\" \\\\*$@?()]{1,5}",
        "\\PC{0,6}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z ]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(key(), json_value(), 0..6)
        .prop_map(|fields| Value::Object(fields.into_iter().collect()))
}

/// How one step is written: dot notation (when the name allows), `['…']` or `["…"]`.
#[derive(Debug, Clone, Copy)]
enum Form {
    Dot,
    Single,
    Double,
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![Just(Form::Dot), Just(Form::Single), Just(Form::Double)]
}

fn push_field(name: &str, form: Form, out: &mut String) {
    let dot_safe = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match form {
        Form::Dot if dot_safe => {
            out.push('.');
            out.push_str(name);
        }
        Form::Double => {
            out.push_str("[\"");
            for c in name.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c => out.push(c),
                }
            }
            out.push_str("\"]");
        }
        _ => {
            out.push_str("['");
            for c in name.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    c => out.push(c),
                }
            }
            out.push_str("']");
        }
    }
}

/// Walks `document` by the given choices, writing the path text as it goes. Returns
/// the text, the value reached and the first field name taken (if any).
fn walk_document<'a>(
    document: &'a Value,
    choices: &[(usize, Form)],
) -> (String, &'a Value, Option<String>) {
    let mut text = String::from("$");
    let mut current = document;
    let mut first_field = None;
    for (i, (choice, form)) in choices.iter().enumerate() {
        match current {
            Value::Object(fields) if !fields.is_empty() => {
                let Some((name, value)) = fields.iter().nth(choice % fields.len()) else {
                    break;
                };
                if i == 0 {
                    first_field = Some(name.clone());
                }
                push_field(name, *form, &mut text);
                current = value;
            }
            Value::Array(items) if !items.is_empty() => {
                let index = choice % items.len();
                text.push_str(&format!("[{index}]"));
                current = &items[index];
            }
            _ => break,
        }
    }
    (text, current, first_field)
}

fn select(path: &Path, input: &Value) -> Option<Value> {
    let context = json!({});
    let scope = Scope {
        input,
        context: &context,
        variables: &NoVariables,
    };
    path.select(&scope).map(|selected| selected.into_owned())
}

fn missing_name(fields: &Map<String, Value>, base: &str) -> String {
    let mut name = base.to_string();
    while fields.contains_key(&name) {
        name.push('x');
    }
    name
}

proptest! {
    #[test]
    fn definite_paths_select_what_walking_gives(
        document in json_value(),
        choices in prop::collection::vec((any::<usize>(), form()), 0..6),
        missing in key(),
        missing_form in form(),
    ) {
        let (text, expected, _) = walk_document(&document, &choices);
        let path = Path::parse(&text).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert!(path.is_definite());
        prop_assert_eq!(select(&path, &document), Some(expected.clone()));

        // One step further, through a name that is not there, finds nothing.
        let absent = match expected {
            Value::Object(fields) => missing_name(fields, &missing),
            _ => missing.clone(),
        };
        let mut absent_text = text.clone();
        push_field(&absent, missing_form, &mut absent_text);
        let absent_path = Path::parse(&absent_text).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(select(&absent_path, &document), None);
    }

    #[test]
    fn written_values_read_back_and_other_keys_stay(
        document in json_object(),
        choices in prop::collection::vec((any::<usize>(), form()), 0..5),
        new_fields in prop::collection::vec((key(), form()), 0..3),
        value in json_value(),
    ) {
        let (mut text, reached, mut first_field) = walk_document(&document, &choices);
        // New fields can only be added below an object.
        if let Value::Object(fields) = reached {
            for (i, (name, form)) in new_fields.iter().enumerate() {
                let name = if i == 0 { missing_name(fields, name) } else { name.clone() };
                if first_field.is_none() && text == "$" {
                    first_field = Some(name.clone());
                }
                push_field(&name, *form, &mut text);
            }
        }
        let reference = ReferencePath::parse(&text).map_err(|e| TestCaseError::fail(e.message))?;
        let written = reference
            .write(document.clone(), value.clone())
            .map_err(|e| TestCaseError::fail(e.message))?;
        let path = Path::parse(&text).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(select(&path, &written), Some(value.clone()));

        if text != "$" {
            let (Value::Object(before), Value::Object(after)) = (&document, &written) else {
                return Err(TestCaseError::fail("writing below $ must keep an object"));
            };
            for (name, old) in before {
                if Some(name) != first_field.as_ref() {
                    prop_assert_eq!(after.get(name), Some(old));
                }
            }
        }
    }

    #[test]
    fn parsing_never_panics(
        text in prop_oneof![
            any::<String>(),
            "[$@.\\[\\]'\"*?()0-9a-z:,<>=!~/ &|\\\\-]{0,40}",
            "\\$[.\\[]['\"?(@.a-z0-9:,*)\\] =<>!~/]{0,30}",
        ],
    ) {
        let document = json!({ "a": [1, { "b": "c" }], "d": { "e": null } });
        if let Ok(path) = Path::parse(&text) {
            let _ = select(&path, &document);
        }
        if let Ok(reference) = ReferencePath::parse(&text) {
            let _ = reference.write(document.clone(), json!(1));
        }
    }
}

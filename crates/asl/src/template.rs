//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`, `Assign` and
//! `Credentials` in JSONPath mode. A key ending in `.$` takes its value from a path, the
//! context object, a variable or an intrinsic function; every other value is copied.

use serde_json::{Map, Value};

use crate::entropy::Entropy;
use crate::error::StatesError;
use crate::intrinsic::{Intrinsic, describe_path_source};
use crate::path::{Path, Scope};

#[derive(Debug, Clone)]
pub enum Template {
    /// A value with no `.$` key anywhere inside: copied as is.
    Literal(Value),
    /// An object whose fields are templates; keys are stored without the `.$` suffix.
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// The value of a `.$` key that is a path.
    Path(Path),
    /// The value of a `.$` key that is an intrinsic function call.
    Intrinsic(Intrinsic),
}

/// A template that could not be compiled: where (a JSON Pointer-style location relative
/// to the template, e.g. `/a.$`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct TemplateError {
    pub location: String,
    pub message: String,
}

const DYNAMIC_SUFFIX: &str = ".$";

impl Template {
    /// Compiles a template from its JSON definition.
    pub fn compile(value: &Value) -> Result<Template, TemplateError> {
        let mut location = String::new();
        compile_at(value, &mut location)
    }

    /// Compiles the value of a single `.$` field (a path or an intrinsic function).
    pub fn compile_dynamic(text: &str) -> Result<Template, TemplateError> {
        compile_dynamic_at(text, "", None)
    }

    /// Evaluates the template.
    pub fn evaluate(
        &self,
        scope: &Scope<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Value, StatesError> {
        self.evaluate_in(None, scope, entropy)
    }

    /// Evaluates a template that is the value of the field `field` (e.g. `ErrorPath`
    /// for a Fail state), so a missing path names that field, as AWS does.
    pub fn evaluate_field(
        &self,
        field: &str,
        scope: &Scope<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Value, StatesError> {
        self.evaluate_in(Some(field), scope, entropy)
    }

    fn evaluate_in(
        &self,
        field: Option<&str>,
        scope: &Scope<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Value, StatesError> {
        match self {
            Template::Literal(value) => Ok(value.clone()),
            Template::Path(path) => select(path, field, scope),
            Template::Intrinsic(call) => call.evaluate(scope, entropy),
            Template::Array(items) => items
                .iter()
                .map(|item| item.evaluate_in(field, scope, entropy))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Template::Object(fields) => {
                let mut object = Map::with_capacity(fields.len());
                for (key, template) in fields {
                    let value = match template {
                        Template::Path(path) => select(path, Some(&dynamic_key(key)), scope)?,
                        other => other.evaluate_in(field, scope, entropy)?,
                    };
                    object.insert(key.clone(), value);
                }
                Ok(Value::Object(object))
            }
        }
    }
}

fn dynamic_key(key: &str) -> String {
    format!("{key}{DYNAMIC_SUFFIX}")
}

fn select(path: &Path, field: Option<&str>, scope: &Scope<'_>) -> Result<Value, StatesError> {
    match path.select(scope) {
        Some(value) => Ok(value.into_owned()),
        None => Err(StatesError::runtime(match field {
            Some(field) => format!(
                "The JSONPath '{}' specified for the field '{field}' could not be found in {}",
                path.text(),
                describe_path_source(path, scope)
            ),
            None => format!(
                "The JSONPath '{}' could not be found in {}",
                path.text(),
                describe_path_source(path, scope)
            ),
        })),
    }
}

fn compile_at(value: &Value, location: &mut String) -> Result<Template, TemplateError> {
    if !has_dynamic_key(value) {
        return Ok(Template::Literal(value.clone()));
    }
    let end = location.len();
    let compiled = match value {
        Value::Object(map) => {
            let mut fields = Vec::with_capacity(map.len());
            for (key, item) in map {
                push_pointer_token(location, key);
                let field = match key.strip_suffix(DYNAMIC_SUFFIX) {
                    Some(name) => {
                        let template = match item {
                            Value::String(text) => compile_dynamic_at(text, location, Some(key))?,
                            _ => {
                                return Err(TemplateError {
                                    location: location.clone(),
                                    message: format!(
                                        "The value for the field '{key}' must be a STRING that contains a JSONPath or an intrinsic function"
                                    ),
                                });
                            }
                        };
                        (name.to_owned(), template)
                    }
                    None => (key.clone(), compile_at(item, location)?),
                };
                fields.push(field);
                location.truncate(end);
            }
            Template::Object(fields)
        }
        Value::Array(items) => {
            let mut templates = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                location.push('/');
                location.push_str(&i.to_string());
                templates.push(compile_at(item, location)?);
                location.truncate(end);
            }
            Template::Array(templates)
        }
        // Scalars never hold a `.$` key; `has_dynamic_key` already sent them to the
        // literal case.
        other => Template::Literal(other.clone()),
    };
    Ok(compiled)
}

fn compile_dynamic_at(
    text: &str,
    location: &str,
    key: Option<&str>,
) -> Result<Template, TemplateError> {
    let error = |problem: String| TemplateError {
        location: location.to_owned(),
        message: match key {
            Some(key) => format!("The value for the field '{key}' is not valid: {problem}"),
            None => problem,
        },
    };
    if Intrinsic::looks_like_call(text) {
        Intrinsic::parse(text)
            .map(Template::Intrinsic)
            .map_err(|e| error(e.message))
    } else {
        Path::parse(text)
            .map(Template::Path)
            .map_err(|e| error(format!("'{text}' is not a valid JSONPath: {}", e.message)))
    }
}

fn has_dynamic_key(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, item)| key.ends_with(DYNAMIC_SUFFIX) || has_dynamic_key(item)),
        Value::Array(items) => items.iter().any(has_dynamic_key),
        _ => false,
    }
}

/// Appends `/token` to a JSON Pointer, escaping `~` and `/` as RFC 6901 requires.
fn push_pointer_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

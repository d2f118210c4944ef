//! JSON values with `{% … %}` strings anywhere inside: Arguments, Output, Assign,
//! ItemSelector, Items, Catch Output and the like.

use serde_json::Value;

use super::{EvalError, Expression, LocationStep, Prepared};
use crate::entropy::Entropy;

/// A field value compiled once: literal parts are kept as they are.
#[derive(Clone, Debug)]
pub enum Template {
    /// A value with no expression in it.
    Literal(Value),
    Expression(Expression),
    /// An object with an expression somewhere inside, members in definition order.
    Object(Vec<(String, Template)>),
    /// An array with an expression somewhere inside.
    Array(Vec<Template>),
}

/// An expression of a template that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at '{location}'")]
pub struct TemplateError {
    /// JSON Pointer of the string, relative to the template (`""` for the root).
    pub location: String,
    pub message: String,
    /// JSONata's error code, when there is one.
    pub code: Option<String>,
}

impl Template {
    pub fn compile(value: &Value) -> Result<Template, TemplateError> {
        let mut pointer = String::new();
        compile_at(value, &mut pointer)
    }

    /// Evaluates. `None` when the whole template is one expression returning
    /// `undefined`; `undefined` anywhere inside is an error (AWS, see the module
    /// documentation).
    pub fn evaluate(
        &self,
        bindings: &super::Bindings<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Option<Value>, EvalError> {
        match self {
            Template::Literal(value) => Ok(Some(value.clone())),
            _ => self.evaluate_prepared(&bindings.prepare(), entropy),
        }
    }

    /// Evaluates with values already prepared for several templates.
    pub fn evaluate_prepared(
        &self,
        prepared: &Prepared<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Option<Value>, EvalError> {
        match self {
            Template::Literal(value) => Ok(Some(value.clone())),
            Template::Expression(expression) => expression.evaluate_prepared(prepared, entropy),
            _ => self.evaluate_nested(prepared, entropy).map(Some),
        }
    }

    fn evaluate_nested(
        &self,
        prepared: &Prepared<'_>,
        entropy: &mut dyn Entropy,
    ) -> Result<Value, EvalError> {
        match self {
            Template::Literal(value) => Ok(value.clone()),
            Template::Expression(expression) => expression
                .evaluate_prepared(prepared, entropy)?
                .ok_or_else(|| EvalError::undefined(expression)),
            Template::Object(members) => {
                let mut out = serde_json::Map::with_capacity(members.len());
                for (key, template) in members {
                    let value = template
                        .evaluate_nested(prepared, entropy)
                        .map_err(|e| e.within(LocationStep::Key(key.clone())))?;
                    out.insert(key.clone(), value);
                }
                Ok(Value::Object(out))
            }
            Template::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, template)| {
                    template
                        .evaluate_nested(prepared, entropy)
                        .map_err(|e| e.within(LocationStep::Index(i)))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
        }
    }

    /// The expressions with their JSON Pointers relative to the template, in
    /// definition order.
    pub fn expressions(&self) -> Vec<(String, &Expression)> {
        let mut out = Vec::new();
        let mut pointer = String::new();
        self.collect(&mut pointer, &mut out);
        out
    }

    fn collect<'t>(&'t self, pointer: &mut String, out: &mut Vec<(String, &'t Expression)>) {
        match self {
            Template::Literal(_) => {}
            Template::Expression(expression) => out.push((pointer.clone(), expression)),
            Template::Object(members) => {
                for (key, template) in members {
                    let len = pointer.len();
                    push_token(pointer, key);
                    template.collect(pointer, out);
                    pointer.truncate(len);
                }
            }
            Template::Array(items) => {
                for (i, template) in items.iter().enumerate() {
                    let len = pointer.len();
                    push_token(pointer, &i.to_string());
                    template.collect(pointer, out);
                    pointer.truncate(len);
                }
            }
        }
    }

    /// Whether the template holds no expression.
    pub fn is_literal(&self) -> bool {
        matches!(self, Template::Literal(_))
    }
}

fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    pointer.push_str(&token.replace('~', "~0").replace('/', "~1"));
}

fn compile_at(value: &Value, pointer: &mut String) -> Result<Template, TemplateError> {
    match value {
        Value::String(text) if Expression::is_expression(text) => Expression::parse_field(text)
            .map(Template::Expression)
            .map_err(|e| TemplateError {
                location: pointer.clone(),
                message: e.message,
                code: e.code,
            }),
        Value::Object(map) => {
            let mut members = Vec::with_capacity(map.len());
            for (key, member) in map {
                let len = pointer.len();
                push_token(pointer, key);
                members.push((key.clone(), compile_at(member, pointer)?));
                pointer.truncate(len);
            }
            if members.iter().all(|(_, t)| t.is_literal()) {
                return Ok(Template::Literal(value.clone()));
            }
            Ok(Template::Object(members))
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                push_token(pointer, &i.to_string());
                out.push(compile_at(item, pointer)?);
                pointer.truncate(len);
            }
            if out.iter().all(Template::is_literal) {
                return Ok(Template::Literal(value.clone()));
            }
            Ok(Template::Array(out))
        }
        other => Ok(Template::Literal(other.clone())),
    }
}

//! Reading an expression's value in a [`Scope`].
//!
//! Values are borrowed from the scope wherever they live there (inputs, outputs,
//! bodies), so a condition such as `$response.body#/tasks/0/lastStatus == 'STOPPED'`
//! copies nothing.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{Expression, ExpressionError, MessagePart, Root, Scope, WorkflowField};

/// The value of `expression`; `None` when it refers to something that is not there.
pub(crate) fn resolve<'a>(
    expression: &Expression,
    scope: &Scope<'a>,
) -> Result<Option<Cow<'a, Value>>, ExpressionError> {
    let value = match &expression.root {
        Root::Url => scope
            .request
            .map(|r| Cow::Owned(Value::String(r.http.url.clone()))),
        Root::Method => scope
            .request
            .map(|r| Cow::Owned(Value::String(r.http.method.clone()))),
        Root::StatusCode => scope
            .response
            .map(|r| Cow::Owned(Value::from(r.http.status))),
        Root::Request(part) => scope.request.and_then(|request| match part {
            MessagePart::Header(name) => request.http.header(name).map(text),
            MessagePart::Query(name) => {
                query_value(&request.http.url, name).map(|v| Cow::Owned(Value::String(v)))
            }
            MessagePart::Path(name) => request.path.get(name).map(Cow::Borrowed),
            MessagePart::Body(path) => request.body.and_then(|b| descend(b, path)),
        }),
        Root::Response(part) => scope.response.and_then(|response| match part {
            MessagePart::Header(name) => response.http.header(name).map(text),
            // A response has no query or path parameters.
            MessagePart::Query(_) | MessagePart::Path(_) => None,
            MessagePart::Body(path) => descend(response.body, path),
        }),
        Root::Inputs(name) => lookup(scope.inputs, name).map(Cow::Borrowed),
        Root::Outputs(name) => lookup_in(scope.outputs, name).map(Cow::Borrowed),
        Root::Steps { step, output } => scope.steps.get(step).and_then(|outputs| match output {
            Some(name) => lookup_in(outputs, name).map(Cow::Borrowed),
            None => Some(Cow::Owned(Value::Object(outputs.clone()))),
        }),
        Root::Workflows {
            workflow,
            field,
            name,
        } => scope
            .workflows
            .get(workflow)
            .and_then(|values| match field {
                WorkflowField::Inputs => lookup(&values.inputs, name).map(Cow::Borrowed),
                WorkflowField::Outputs => lookup_in(&values.outputs, name).map(Cow::Borrowed),
            }),
        Root::SourceDescriptions { source, field } => scope
            .sources
            .get(source)
            .and_then(|s| s.get(field))
            .map(Cow::Borrowed),
        Root::Components { kind, name } => component(scope, kind, name)?,
    };
    Ok(match (value, &expression.pointer) {
        (Some(value), Some(pointer)) => at_pointer(value, pointer),
        (value, _) => value,
    })
}

fn text<'a>(s: &str) -> Cow<'a, Value> {
    Cow::Owned(Value::String(s.to_string()))
}

fn at_pointer<'a>(value: Cow<'a, Value>, pointer: &str) -> Option<Cow<'a, Value>> {
    match value {
        Cow::Borrowed(value) => value.pointer(pointer).map(Cow::Borrowed),
        Cow::Owned(mut value) => value
            .pointer_mut(pointer)
            .map(|v| Cow::Owned(std::mem::take(v))),
    }
}

/// The lenient `$response.body.a.b`: members of objects, indexes of arrays.
fn descend<'a>(mut value: &'a Value, path: &[String]) -> Option<Cow<'a, Value>> {
    for segment in path {
        value = child(value, segment)?;
    }
    Some(Cow::Borrowed(value))
}

fn child<'a>(value: &'a Value, segment: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => items.get(segment.parse::<usize>().ok()?),
        _ => None,
    }
}

/// A name that may hold dots (`$inputs.a.b`). The 1.0.1 ABNF reads `name = *CHAR`, so
/// the name is `a.b` and a member with that exact name wins. When there is none we
/// descend: the longest dotted prefix that is a member, then the rest below it
/// (`a` → `b`), which is what authors of `$inputs.user.id` mean.
pub(crate) fn lookup<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => lookup_in(map, name),
        Value::Array(items) => {
            let (head, rest) = match name.split_once('.') {
                Some((head, rest)) => (head, Some(rest)),
                None => (name, None),
            };
            let item = items.get(head.parse::<usize>().ok()?)?;
            match rest {
                Some(rest) => lookup(item, rest),
                None => Some(item),
            }
        }
        _ => None,
    }
}

fn lookup_in<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(value) = map.get(name) {
        return Some(value);
    }
    let mut end = name.len();
    while let Some(dot) = name[..end].rfind('.') {
        if let Some(found) = map
            .get(&name[..dot])
            .and_then(|v| lookup(v, &name[dot + 1..]))
        {
            return Some(found);
        }
        end = dot;
    }
    None
}

/// `$components.parameters.<name>` is the parameter's value; other kinds are the
/// component as written.
fn component<'a>(
    scope: &Scope<'a>,
    kind: &str,
    name: &str,
) -> Result<Option<Cow<'a, Value>>, ExpressionError> {
    let Some(components) = scope.components else {
        return Ok(None);
    };
    let to_value = |what: Result<Value, serde_json::Error>| {
        what.map(|v| Some(Cow::Owned(v)))
            .map_err(|e| ExpressionError(format!("$components.{kind}.{name}: {e}")))
    };
    match kind {
        "parameters" => Ok(components
            .parameters
            .get(name)
            .map(|p| Cow::Borrowed(&p.value))),
        "inputs" => Ok(components.inputs.get(name).map(Cow::Borrowed)),
        "successActions" => match components.success_actions.get(name) {
            Some(action) => to_value(serde_json::to_value(action)),
            None => Ok(None),
        },
        "failureActions" => match components.failure_actions.get(name) {
            Some(action) => to_value(serde_json::to_value(action)),
            None => Ok(None),
        },
        // Extensions (`x-…`) and kinds later versions add.
        other => Ok(components
            .extensions
            .get(other)
            .and_then(|v| v.get(name))
            .map(Cow::Borrowed)),
    }
}

/// The first value of query parameter `name` in `url`, percent-decoded (`+` is a
/// space, as in form encoding).
fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key) == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

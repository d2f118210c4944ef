//! Building the HTTP request of an operation step: parameters, path, query, headers,
//! cookies and body (Arazzo 1.0.1 §Parameter Object, §Request Body Object, §Payload
//! Replacement Object).
//!
//! Choices where the specification leaves room, each following OpenAPI's defaults for
//! the parameter location:
//!
//! * **path** parameters use RFC 6570 simple expansion (OpenAPI `style: simple`): every
//!   character outside the unreserved set is percent-encoded, so a `/` inside a value is
//!   sent as `%2F` and cannot add path segments. Arrays are joined with `,`.
//! * **query** parameters use form style with `explode: true` (arrays repeat the name),
//!   or comma-joined values when the operation declares `explode: false`.
//! * **header** parameters are sent in document order; a value with a line break is
//!   refused rather than letting it start a new header.
//! * **cookie** parameters are joined into one `Cookie` header, `name=value; …`.
//! * A parameter whose value is `null` (a whole expression that refers to nothing, such as
//!   an input that was not given) is left out; a path parameter cannot be left out, so
//!   that is an error.
//! * The **body** is the rendered `payload` with `replacements` applied, serialized for
//!   the content type: `contentType`, else the operation's first request media type,
//!   else `application/json` for anything but a string (`text/plain`). JSON media types
//!   (`application/json`, `application/x-amz-json-1.1`, `…+json`) get JSON text — except
//!   that a payload written as a template string (`"{\"id\": \"{$inputs.id}\"}"`) is
//!   already the text to send; `application/x-www-form-urlencoded` encodes an object and
//!   sends a string as it is; other media types send strings as they are.
//! * `Content-Type` is set from the content type unless a header parameter sets it.

use serde_json::{Map, Value};

use crate::bundle::OperationRef;
use crate::document::{
    Components, Parameter, ParameterLocation, PayloadReplacement, RequestBody, Reusable,
};
use crate::exchange::HttpRequest;
use crate::expression::{self, Scope};
use crate::openapi::Operation;

/// A request ready to send, with the values runtime expressions read back from it
/// (`$request.path.x`, `$request.body`).
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltRequest {
    pub http: HttpRequest,
    /// Path parameter values as rendered, before percent-encoding.
    pub path: Map<String, Value>,
    /// The body as a value: parsed JSON for JSON media types, the object of a form body,
    /// otherwise the text.
    pub body: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// A runtime expression or template in a value could not be evaluated.
    #[error("{0}")]
    Expression(String),
    /// The values do not make a request (a path parameter without a value, …).
    #[error("{0}")]
    Invalid(String),
    /// A Reusable Object names no parameter of the document's components.
    #[error("{0}")]
    Reference(String),
}

/// Resolves a Parameter Object or a Reusable Object referring to
/// `$components.parameters.<name>`; the Reusable Object's `value` replaces the
/// referenced parameter's value.
pub fn resolve_parameter(
    parameter: &Reusable<Parameter>,
    components: Option<&Components>,
) -> Result<Parameter, RequestError> {
    match parameter {
        Reusable::Inline(p) => Ok(p.clone()),
        Reusable::Reference(r) => {
            let found = r
                .reference
                .strip_prefix("$components.parameters.")
                .and_then(|name| components?.parameters.get(name));
            let Some(found) = found else {
                return Err(RequestError::Reference(format!(
                    "the parameter reference '{}' names no parameter in components.parameters",
                    r.reference
                )));
            };
            let mut p = found.clone();
            if let Some(value) = &r.value {
                p.value = value.clone();
            }
            Ok(p)
        }
    }
}

/// The parameters a step passes: the workflow's, overridden by the step's of the same
/// identity ("A unique parameter is defined by the combination of a `name` and `in`";
/// header names compare case-insensitively, RFC 9110). For an operation step
/// (`operation == true`) workflow parameters without `in` are left out, since an
/// operation step's parameters MUST have one; for a workflow step only workflow
/// parameters without `in` apply (they name inputs) while every step parameter names
/// an input, its `in` ignored ("When the step in context specifies a `workflowId`, then
/// all parameters map to workflow inputs").
pub fn step_parameters(
    workflow: &[Reusable<Parameter>],
    step: &[Reusable<Parameter>],
    components: Option<&Components>,
    operation: bool,
) -> Result<Vec<Parameter>, RequestError> {
    let mut merged: Vec<Parameter> = Vec::new();
    for p in workflow {
        let p = resolve_parameter(p, components)?;
        if p.location.is_some() == operation {
            merged.push(p);
        }
    }
    for p in step {
        let p = resolve_parameter(p, components)?;
        let same = |q: &Parameter| {
            if !operation {
                return q.name == p.name;
            }
            q.location == p.location
                && match p.location {
                    Some(ParameterLocation::Header) => q.name.eq_ignore_ascii_case(&p.name),
                    _ => q.name == p.name,
                }
        };
        match merged.iter().position(same) {
            Some(i) => merged[i] = p,
            None => merged.push(p),
        }
    }
    Ok(merged)
}

/// Builds the request of an operation step from its (merged) parameters and body.
pub fn build(
    operation: &OperationRef<'_>,
    parameters: &[Parameter],
    body: Option<&RequestBody>,
    scope: &Scope<'_>,
) -> Result<BuiltRequest, RequestError> {
    let op = operation.operation;
    let mut path_values = Map::new();
    let mut query: Vec<String> = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies: Vec<String> = Vec::new();
    for p in parameters {
        let Some(location) = p.location else {
            return Err(RequestError::Invalid(format!(
                "parameter '{}' has no 'in'",
                p.name
            )));
        };
        let value = expression::render(&p.value, scope).map_err(|e| {
            RequestError::Expression(format!("the value of parameter '{}': {e}", p.name))
        })?;
        if value.is_null() {
            if location == ParameterLocation::Path {
                return Err(RequestError::Invalid(format!(
                    "path parameter '{}' has no value",
                    p.name
                )));
            }
            continue;
        }
        match location {
            ParameterLocation::Path => {
                path_values.insert(p.name.clone(), value);
            }
            ParameterLocation::Query => query_pairs(op, &p.name, &value, &mut query),
            ParameterLocation::Header => {
                let text = header_text(&p.name, &value)?;
                headers.push((p.name.clone(), text));
            }
            ParameterLocation::Cookie => {
                cookies.push(format!(
                    "{}={}",
                    p.name,
                    encode(&text_of(&value), is_cookie_octet)
                ));
            }
        }
    }
    if !cookies.is_empty() {
        headers.push(("Cookie".into(), cookies.join("; ")));
    }

    let path = expand_path(&op.path, &path_values)?;
    let mut url = join_url(operation.base_url, &path);
    if !query.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&query.join("&"));
    }

    let mut body_text = None;
    let mut body_value = None;
    if let Some(request_body) = body
        && let Some(built) = build_body(op, request_body, scope)?
    {
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".into(), built.content_type));
        }
        body_text = Some(built.text);
        body_value = Some(built.value);
    }

    Ok(BuiltRequest {
        http: HttpRequest {
            method: op.method.clone(),
            url,
            headers,
            body: body_text,
            aws_signing: op.aws_signing.clone(),
        },
        path: path_values,
        body: body_value,
    })
}

/// A value as parameter text: strings as they are, anything else as JSON text.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn header_text(name: &str, value: &Value) -> Result<String, RequestError> {
    let text = match value {
        // OpenAPI style `simple`, the header default: values joined by plain commas.
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
        other => text_of(other),
    };
    if text.contains(['\r', '\n']) {
        return Err(RequestError::Invalid(format!(
            "the value of header '{name}' contains a line break"
        )));
    }
    Ok(text)
}

/// Appends the `name=value` pairs of a query parameter, already percent-encoded: the
/// commas that separate the values of a non-exploded array or object are delimiters and
/// stay literal (RFC 6570 form-style expansion).
fn query_pairs(op: &Operation, name: &str, value: &Value, out: &mut Vec<String>) {
    let declared = op
        .parameters
        .iter()
        .find(|p| p.location == ParameterLocation::Query && p.name == name);
    // OpenAPI: `explode` defaults to true for style form, the query default.
    let explode = declared.and_then(|p| p.explode).unwrap_or_else(|| {
        declared
            .and_then(|p| p.style.as_deref())
            .is_none_or(|s| s == "form")
    });
    let pair = |k: &str, v: &str| format!("{}={}", encode(k, is_unreserved), v);
    let joined = |parts: Vec<String>| parts.join(",");
    match value {
        Value::Array(items) if explode => {
            for item in items {
                out.push(pair(name, &encode(&text_of(item), is_unreserved)));
            }
        }
        Value::Array(items) => out.push(pair(
            name,
            &joined(
                items
                    .iter()
                    .map(|v| encode(&text_of(v), is_unreserved))
                    .collect(),
            ),
        )),
        Value::Object(members) if explode => {
            for (k, v) in members {
                out.push(pair(k, &encode(&text_of(v), is_unreserved)));
            }
        }
        Value::Object(members) => out.push(pair(
            name,
            &joined(
                members
                    .iter()
                    .flat_map(|(k, v)| {
                        [encode(k, is_unreserved), encode(&text_of(v), is_unreserved)]
                    })
                    .collect(),
            ),
        )),
        other => out.push(pair(name, &encode(&text_of(other), is_unreserved))),
    }
}

/// Substitutes `{name}` in an OpenAPI path template (RFC 6570 simple expansion).
fn expand_path(template: &str, values: &Map<String, Value>) -> Result<String, RequestError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return Ok(out);
        };
        let name = &after[..close];
        let Some(value) = values.get(name) else {
            return Err(RequestError::Invalid(format!(
                "path parameter '{name}' of '{template}' has no value"
            )));
        };
        let text = match value {
            Value::Array(items) => items
                .iter()
                .map(|v| encode(&text_of(v), is_unreserved))
                .collect::<Vec<_>>()
                .join(","),
            Value::Object(members) => members
                .iter()
                .flat_map(|(k, v)| [encode(k, is_unreserved), encode(&text_of(v), is_unreserved)])
                .collect::<Vec<_>>()
                .join(","),
            other => encode(&text_of(other), is_unreserved),
        };
        out.push_str(&text);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn join_url(base: &str, path: &str) -> String {
    match (base.ends_with('/'), path.starts_with('/')) {
        (true, true) => format!("{}{}", &base[..base.len() - 1], path),
        (false, false) if !path.is_empty() => format!("{base}/{path}"),
        _ => format!("{base}{path}"),
    }
}

/// RFC 3986 unreserved characters.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 6265 cookie-octet (printable ASCII but space, `"`, `,`, `;` and `\`), keeping
/// `%` out too so that encoded text stays unambiguous.
fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E) && b != b'%'
}

/// Percent-encodes the UTF-8 bytes `keep` does not accept.
fn encode(text: &str, keep: fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `application/x-www-form-urlencoded` (WHATWG URL §5): space as `+`, the rest of what
/// is not `*-._` or alphanumeric percent-encoded.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_') => {
                out.push(b as char)
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

struct Body {
    content_type: String,
    text: String,
    value: Value,
}

/// The payload after rendering: a value, or text written as a template string.
enum Payload {
    Value(Value),
    Text(String),
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Json,
    Form,
    Xml,
    Other,
}

fn kind_of(content_type: &str) -> Kind {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json"
        || essence.ends_with("+json")
        || essence.starts_with("application/x-amz-json")
    {
        Kind::Json
    } else if essence == "application/x-www-form-urlencoded" {
        Kind::Form
    } else if essence.ends_with("/xml") || essence.ends_with("+xml") {
        Kind::Xml
    } else {
        Kind::Other
    }
}

fn build_body(
    op: &Operation,
    body: &RequestBody,
    scope: &Scope<'_>,
) -> Result<Option<Body>, RequestError> {
    let payload = match &body.payload {
        None if body.replacements.is_empty() => return Ok(None),
        None => Payload::Value(Value::Null),
        // A string that is not one whole expression is a template for the body text.
        Some(Value::String(s)) if expression::parse(s).is_err() => {
            match expression::render(&Value::String(s.clone()), scope) {
                Ok(Value::String(text)) => Payload::Text(text),
                Ok(other) => Payload::Value(other),
                Err(e) => return Err(RequestError::Expression(format!("the payload: {e}"))),
            }
        }
        Some(value) => Payload::Value(
            expression::render(value, scope)
                .map_err(|e| RequestError::Expression(format!("the payload: {e}")))?,
        ),
    };
    let content_type = body
        .content_type
        .clone()
        .or_else(|| op.request_content_types.first().cloned())
        .unwrap_or_else(|| match &payload {
            Payload::Text(_) | Payload::Value(Value::String(_)) => "text/plain".into(),
            Payload::Value(_) => "application/json".into(),
        });
    let kind = kind_of(&content_type);
    let payload = apply_replacements(payload, kind, &body.replacements, scope)?;
    let (text, value) = match (kind, payload) {
        (Kind::Json, Payload::Text(text)) => {
            let value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
            (text, value)
        }
        (Kind::Json, Payload::Value(value)) => (value.to_string(), value),
        (Kind::Form, Payload::Value(Value::Object(members))) => {
            let mut pairs = Vec::new();
            for (k, v) in &members {
                match v {
                    Value::Array(items) => {
                        for item in items {
                            pairs.push(format!(
                                "{}={}",
                                form_encode(k),
                                form_encode(&text_of(item))
                            ));
                        }
                    }
                    Value::Null => {}
                    other => pairs.push(format!(
                        "{}={}",
                        form_encode(k),
                        form_encode(&text_of(other))
                    )),
                }
            }
            (pairs.join("&"), Value::Object(members))
        }
        (_, Payload::Text(text)) | (_, Payload::Value(Value::String(text))) => {
            (text.clone(), Value::String(text))
        }
        (Kind::Form, Payload::Value(_)) => {
            return Err(RequestError::Invalid(
                "an application/x-www-form-urlencoded payload must be an object or a string".into(),
            ));
        }
        (_, Payload::Value(value)) => (value.to_string(), value),
    };
    Ok(Some(Body {
        content_type,
        text,
        value,
    }))
}

fn apply_replacements(
    payload: Payload,
    kind: Kind,
    replacements: &[PayloadReplacement],
    scope: &Scope<'_>,
) -> Result<Payload, RequestError> {
    if replacements.is_empty() {
        return Ok(payload);
    }
    let mut rendered = Vec::with_capacity(replacements.len());
    for r in replacements {
        let value = expression::render(&r.value, scope).map_err(|e| {
            RequestError::Expression(format!("the value of replacement '{}': {e}", r.target))
        })?;
        rendered.push((r.target.as_str(), value));
    }
    if kind == Kind::Xml {
        let mut text = match payload {
            Payload::Text(t) | Payload::Value(Value::String(t)) => t,
            Payload::Value(_) => {
                return Err(RequestError::Invalid(
                    "XPath replacements need an XML payload written as a string".into(),
                ));
            }
        };
        for (target, value) in rendered {
            text = replace_xml(&text, target, &text_of(&value))?;
        }
        return Ok(Payload::Text(text));
    }
    let mut value = match payload {
        Payload::Value(v) => v,
        Payload::Text(t) => serde_json::from_str(&t).map_err(|e| {
            RequestError::Invalid(format!(
                "replacements need a JSON payload, but the payload text does not parse: {e}"
            ))
        })?,
    };
    for (target, replacement) in rendered {
        set_pointer(&mut value, target, replacement)?;
    }
    Ok(Payload::Value(value))
}

fn replace_xml(xml: &str, xpath: &str, value: &str) -> Result<String, RequestError> {
    crate::xml::replace(xml, xpath, value)
        .map_err(|e| RequestError::Invalid(format!("replacement '{xpath}': {e}")))
}

/// Sets the value at a JSON Pointer (RFC 6901), creating missing object members on the
/// way; `-` or the length of an array appends to it.
fn set_pointer(root: &mut Value, pointer: &str, value: Value) -> Result<(), RequestError> {
    if pointer.is_empty() {
        *root = value;
        return Ok(());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(RequestError::Invalid(format!(
            "replacement target '{pointer}' is not a JSON Pointer"
        )));
    };
    let tokens: Vec<String> = rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut node = root;
    for (i, token) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        if node.is_null() {
            *node = Value::Object(Map::new());
        }
        node = match node {
            Value::Object(members) => {
                if last {
                    members.insert(token.clone(), value);
                    return Ok(());
                }
                members.entry(token.clone()).or_insert(Value::Null)
            }
            Value::Array(items) => {
                let index = if token == "-" {
                    items.len()
                } else {
                    array_index(token).ok_or_else(|| {
                        RequestError::Invalid(format!(
                            "replacement target '{pointer}': '{token}' is not an array index"
                        ))
                    })?
                };
                if index > items.len() {
                    return Err(RequestError::Invalid(format!(
                        "replacement target '{pointer}': index {index} is past the end of the array"
                    )));
                }
                if index == items.len() {
                    items.push(Value::Null);
                }
                if last {
                    items[index] = value;
                    return Ok(());
                }
                &mut items[index]
            }
            _ => {
                return Err(RequestError::Invalid(format!(
                    "replacement target '{pointer}' goes through a value that is neither an object nor an array"
                )));
            }
        };
    }
    Ok(())
}

/// RFC 6901 array index: `0` or digits without a leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.is_empty()
        || !token.bytes().all(|b| b.is_ascii_digit())
        || (token.len() > 1 && token.starts_with('0'))
    {
        return None;
    }
    token.parse().ok()
}

//! The view of an OpenAPI description (3.0, 3.1, 3.2) that steps need: operations by
//! `operationId` and by JSON Pointer (`/paths/~1pets/get`), their method and path,
//! declared parameters and request content types, the servers, and whether requests
//! must be signed with AWS SigV4.
//!
//! External `$ref`s that cannot be resolved are tolerated: what they point at is simply
//! unknown (a step that needs it fails at run time, not at load time).

use serde_json::{Map, Value};

use crate::document::ParameterLocation;
use crate::exchange::AwsSigning;

mod aws;
mod pointer;

pub(crate) use pointer::{percent_decode, unescape_pointer};

#[derive(Debug, Clone, PartialEq)]
pub struct OpenApi {
    /// The `openapi` version string.
    pub version: String,
    /// Base URLs from `servers`, variables replaced by their defaults. May be relative
    /// (`/api`): the bundle resolves them against the description's own URL.
    pub servers: Vec<String>,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub operation_id: Option<String>,
    /// Upper case: `GET`, `POST`, …
    pub method: String,
    /// The key under `paths` as written (`/pets/{petId}`, `/#ListTasks`).
    pub path_key: String,
    /// The path to request: `path_key` without any `#fragment` (AWS-style descriptions
    /// key several operations on `/` this way).
    pub path: String,
    pub parameters: Vec<OperationParameter>,
    /// Media types of the request body, in document order.
    pub request_content_types: Vec<String>,
    /// Operation- or path-level `servers`, overriding the document's.
    pub servers: Vec<String>,
    /// Set when the operation's security (or the server, an `*.amazonaws.com` host)
    /// calls for AWS SigV4.
    pub aws_signing: Option<AwsSigning>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OperationParameter {
    pub name: String,
    pub location: ParameterLocation,
    pub required: bool,
    /// The `style` (defaults per location as OpenAPI says) and `explode`.
    pub style: Option<String>,
    pub explode: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct OpenApiError(pub String);

/// The methods a Path Item Object has fields for; `query` is new in 3.2.
const METHODS: [&str; 9] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace", "query",
];

/// How many `$ref`s are followed in a row before giving up (a cycle, or a chain no
/// real description has).
const MAX_REF_HOPS: usize = 32;

impl OpenApi {
    /// Reads the view from a parsed description.
    pub fn from_value(document: &Value) -> Result<OpenApi, OpenApiError> {
        let root = document
            .as_object()
            .ok_or_else(|| OpenApiError("an OpenAPI description must be an object".into()))?;
        if root.contains_key("swagger") {
            return Err(OpenApiError(
                "Swagger 2.0 descriptions are not supported; convert it to OpenAPI 3".into(),
            ));
        }
        let version = match root.get("openapi") {
            Some(Value::String(v)) => v.clone(),
            Some(_) => return Err(OpenApiError("`openapi` must be a string".into())),
            None => return Err(OpenApiError("`openapi` (the version) is missing".into())),
        };
        if !version.starts_with("3.") {
            return Err(OpenApiError(format!(
                "OpenAPI {version} is not supported (3.0, 3.1 and 3.2 are)"
            )));
        }
        let reader = Reader { root: document };
        let servers = server_urls(root.get("servers"));
        let mut operations = Vec::new();
        if let Some(paths) = root.get("paths").and_then(Value::as_object) {
            for (key, item) in paths {
                let Some(item) = reader.resolve(item).and_then(Value::as_object) else {
                    continue;
                };
                reader.path_item(key, item, &servers, &mut operations);
            }
        }
        Ok(OpenApi {
            version,
            servers,
            operations,
        })
    }

    pub fn operation_by_id(&self, id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(id))
    }

    /// The operation a JSON Pointer such as `/paths/~1pets~1{id}/get` names.
    pub fn operation_by_pointer(&self, pointer: &str) -> Option<&Operation> {
        let tokens = unescape_pointer(pointer)?;
        let (key, method) = match tokens.as_slice() {
            [paths, key, method] if paths == "paths" && METHODS.contains(&method.as_str()) => {
                (key, method.to_ascii_uppercase())
            }
            [paths, key, extra, method] if paths == "paths" && extra == "additionalOperations" => {
                (key, method.to_ascii_uppercase())
            }
            _ => return None,
        };
        self.operations
            .iter()
            .find(|o| &o.path_key == key && o.method == method)
    }
}

/// Reads parts of one description, resolving its local `$ref`s.
struct Reader<'a> {
    root: &'a Value,
}

impl<'a> Reader<'a> {
    /// Follows local `$ref`s (`#/components/...`); `None` for an external or broken one.
    fn resolve(&self, mut value: &'a Value) -> Option<&'a Value> {
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
                return Some(value);
            };
            let fragment = reference.strip_prefix('#')?;
            value = self
                .root
                .pointer(fragment)
                .or_else(|| self.root.pointer(&percent_decode(fragment)))?;
        }
        None
    }

    fn path_item(
        &self,
        key: &str,
        item: &'a Map<String, Value>,
        document_servers: &[String],
        out: &mut Vec<Operation>,
    ) {
        let item_servers = server_urls(item.get("servers"));
        let item_parameters = item.get("parameters");
        let fixed = METHODS
            .iter()
            .filter_map(|m| item.get(*m).map(|op| (m.to_ascii_uppercase(), op)));
        let additional = item
            .get("additionalOperations")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(m, op)| (m.to_ascii_uppercase(), op));
        for (method, operation) in fixed.chain(additional) {
            let Some(operation) = operation.as_object() else {
                continue;
            };
            let mut servers = server_urls(operation.get("servers"));
            if servers.is_empty() {
                servers = item_servers.clone();
            }
            let effective_server = servers.first().or(document_servers.first());
            let aws_signing = aws::signing(
                self.root,
                operation.get("security"),
                effective_server.map(String::as_str),
            );
            out.push(Operation {
                operation_id: operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                method,
                path_key: key.to_string(),
                path: key.split('#').next().unwrap_or_default().to_string(),
                parameters: self.parameters(item_parameters, operation.get("parameters")),
                request_content_types: self.content_types(operation.get("requestBody")),
                servers,
                aws_signing,
            });
        }
    }

    /// Path-level and operation-level parameters; the operation's win on name + `in`.
    fn parameters(
        &self,
        path_level: Option<&'a Value>,
        operation_level: Option<&'a Value>,
    ) -> Vec<OperationParameter> {
        let mut out: Vec<OperationParameter> = Vec::new();
        for list in [path_level, operation_level].into_iter().flatten() {
            for parameter in list.as_array().into_iter().flatten() {
                let Some(parameter) = self.resolve(parameter).and_then(parameter_of) else {
                    continue;
                };
                match out
                    .iter_mut()
                    .find(|p| p.name == parameter.name && p.location == parameter.location)
                {
                    Some(existing) => *existing = parameter,
                    None => out.push(parameter),
                }
            }
        }
        out
    }

    fn content_types(&self, request_body: Option<&'a Value>) -> Vec<String> {
        request_body
            .and_then(|body| self.resolve(body))
            .and_then(|body| body.get("content"))
            .and_then(Value::as_object)
            .map(|content| content.keys().cloned().collect())
            .unwrap_or_default()
    }
}

fn parameter_of(value: &Value) -> Option<OperationParameter> {
    let name = value.get("name")?.as_str()?;
    let location = match value.get("in")?.as_str()? {
        "path" => ParameterLocation::Path,
        "query" => ParameterLocation::Query,
        "header" => ParameterLocation::Header,
        "cookie" => ParameterLocation::Cookie,
        // 3.2's `querystring` has no Arazzo counterpart.
        _ => return None,
    };
    // OpenAPI: these header parameters "SHALL be ignored"; the media types and security
    // say how those headers are sent.
    if location == ParameterLocation::Header
        && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
    {
        return None;
    }
    let style = value
        .get("style")
        .and_then(Value::as_str)
        .unwrap_or(match location {
            ParameterLocation::Query | ParameterLocation::Cookie => "form",
            ParameterLocation::Path | ParameterLocation::Header => "simple",
        })
        .to_string();
    let explode = value
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    Some(OperationParameter {
        name: name.to_string(),
        location,
        // Path parameters are always required.
        required: location == ParameterLocation::Path
            || value.get("required").and_then(Value::as_bool) == Some(true),
        style: Some(style),
        explode: Some(explode),
    })
}

/// The URLs of a `servers` list, `{variables}` replaced by their defaults.
fn server_urls(servers: Option<&Value>) -> Vec<String> {
    let Some(servers) = servers.and_then(Value::as_array) else {
        return Vec::new();
    };
    servers
        .iter()
        .filter_map(|server| {
            let url = server.get("url")?.as_str()?;
            Some(substitute_variables(url, server.get("variables")))
        })
        .collect()
}

fn substitute_variables(url: &str, variables: Option<&Value>) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        match variables
            .and_then(|v| v.get(name))
            .and_then(|v| v.get("default"))
        {
            Some(Value::String(default)) => out.push_str(default),
            Some(other @ (Value::Number(_) | Value::Bool(_))) => out.push_str(&other.to_string()),
            // No default: keep the template so the problem is visible in the URL.
            _ => out.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;

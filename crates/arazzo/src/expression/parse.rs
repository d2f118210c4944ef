//! Reading one runtime expression (Arazzo 1.0.1 ABNF, with 1.1's JSON Pointer fragments
//! on inputs, outputs, step and workflow outputs).
//!
//! Hand-written: an expression is a fixed keyword, a few names and an optional
//! pointer, so a small scanner is both simpler and faster than a grammar engine.

use super::{Expression, ExpressionError, MessagePart, Root, WorkflowField};

/// The roots an expression starts with (after `$`), longest first where one is a prefix
/// of another. Roots that take a name end with a dot.
const ROOTS: [&str; 11] = [
    "inputs.",
    "outputs.",
    "steps.",
    "workflows.",
    "sourceDescriptions.",
    "components.",
    "request.",
    "response.",
    "url",
    "method",
    "statusCode",
];

/// The length of the root keyword at the start of `rest` (the text after `$`), if it
/// starts with one. `url`, `method` and `statusCode` must end at a word boundary, so
/// `$urlencoded` is no expression.
pub(crate) fn root_len(rest: &str) -> Option<usize> {
    ROOTS.iter().find_map(|root| {
        let after = rest.strip_prefix(root)?;
        let boundary = root.ends_with('.')
            || !after
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        boundary.then_some(root.len())
    })
}

pub(crate) fn parse(text: &str) -> Result<Expression, ExpressionError> {
    let fail = |why: &str| {
        Err(ExpressionError(format!(
            "{why} in runtime expression `{text}`"
        )))
    };
    let Some(rest) = text.strip_prefix('$') else {
        return fail("missing `$`");
    };
    if root_len(rest).is_none() {
        return fail(
            "unknown root (expected $url, $method, $statusCode, $request., $response., $inputs., $outputs., $steps., $workflows., $sourceDescriptions. or $components.)",
        );
    }
    let (root, pointer) = if let Some(name) = rest.strip_prefix("inputs.") {
        let (name, pointer) = split_pointer(name);
        (Root::Inputs(check_name(name, text)?), pointer)
    } else if let Some(name) = rest.strip_prefix("outputs.") {
        let (name, pointer) = split_pointer(name);
        (Root::Outputs(check_name(name, text)?), pointer)
    } else if let Some(after) = rest.strip_prefix("steps.") {
        let (after, pointer) = split_pointer(after);
        // 1.1: step-id = identifier-strict (no dots), so the id ends at the first dot.
        let Some((step, field)) = after.split_once('.') else {
            return fail("expected `$steps.<stepId>.outputs.<name>`");
        };
        let output = match field.strip_prefix("outputs") {
            Some("") => None,
            Some(name) if name.starts_with('.') => Some(check_name(&name[1..], text)?),
            _ => return fail("expected `$steps.<stepId>.outputs.<name>`"),
        };
        let step = check_id(step, text)?;
        (Root::Steps { step, output }, pointer)
    } else if let Some(after) = rest.strip_prefix("workflows.") {
        let (after, pointer) = split_pointer(after);
        let parts = after.split_once('.').and_then(|(id, rest)| {
            let (field, name) = rest.split_once('.')?;
            let field = match field {
                "inputs" => WorkflowField::Inputs,
                "outputs" => WorkflowField::Outputs,
                _ => return None,
            };
            Some((id, field, name))
        });
        let Some((workflow, field, name)) = parts else {
            return fail("expected `$workflows.<workflowId>.inputs.<name>` or `.outputs.<name>`");
        };
        let root = Root::Workflows {
            workflow: check_id(workflow, text)?,
            field,
            name: check_name(name, text)?,
        };
        (root, pointer)
    } else if let Some(after) = rest.strip_prefix("sourceDescriptions.") {
        // The reference (an operationId, a workflowId or a field name) may hold anything.
        let Some((source, field)) = after.split_once('.') else {
            return fail("expected `$sourceDescriptions.<name>.<reference>`");
        };
        let source = check_id(source, text)?;
        let field = check_name(field, text)?;
        (Root::SourceDescriptions { source, field }, None)
    } else if let Some(after) = rest.strip_prefix("components.") {
        let Some((kind, name)) = after.split_once('.') else {
            return fail("expected `$components.<kind>.<name>`");
        };
        let root = Root::Components {
            kind: check_id(kind, text)?,
            name: check_name(name, text)?,
        };
        (root, None)
    } else if let Some(source) = rest.strip_prefix("request.") {
        let (part, pointer) = message_part(source, text)?;
        (Root::Request(part), pointer)
    } else if let Some(source) = rest.strip_prefix("response.") {
        let (part, pointer) = message_part(source, text)?;
        (Root::Response(part), pointer)
    } else {
        match rest {
            "url" => (Root::Url, None),
            "method" => (Root::Method, None),
            "statusCode" => (Root::StatusCode, None),
            _ => return fail("unexpected text after the root"),
        }
    };
    let pointer = match pointer {
        Some(pointer) => Some(check_pointer(pointer, text)?),
        None => None,
    };
    Ok(Expression {
        text: text.to_string(),
        root,
        pointer,
    })
}

/// `header.X`, `query.X`, `path.X`, `body`, `body#/ptr`, or (leniently, as 1.1's own
/// examples write `$response.body.status`) `body.a.b`.
fn message_part<'t>(
    source: &'t str,
    text: &str,
) -> Result<(MessagePart, Option<&'t str>), ExpressionError> {
    if let Some(token) = source.strip_prefix("header.") {
        let valid = !token.is_empty() && token.bytes().all(is_tchar);
        if !valid {
            return Err(ExpressionError(format!(
                "invalid header name in runtime expression `{text}`"
            )));
        }
        return Ok((MessagePart::Header(token.to_string()), None));
    }
    if let Some(name) = source.strip_prefix("query.") {
        return Ok((MessagePart::Query(check_name(name, text)?), None));
    }
    if let Some(name) = source.strip_prefix("path.") {
        return Ok((MessagePart::Path(check_name(name, text)?), None));
    }
    if let Some(after) = source.strip_prefix("body") {
        let (after, pointer) = split_pointer(after);
        let path = match after {
            "" => Vec::new(),
            dotted if dotted.starts_with('.') => dotted[1..]
                .split('.')
                .map(|segment| check_name(segment, text))
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(ExpressionError(format!(
                    "expected `body`, `body#/pointer` or `body.name` in runtime expression `{text}`"
                )));
            }
        };
        return Ok((MessagePart::Body(path), pointer));
    }
    Err(ExpressionError(format!(
        "expected header., query., path. or body in runtime expression `{text}`"
    )))
}

fn split_pointer(text: &str) -> (&str, Option<&str>) {
    match text.split_once('#') {
        Some((name, pointer)) => (name, Some(pointer)),
        None => (text, None),
    }
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Names are `*CHAR` in 1.0.1, which allows nearly anything; we ask for at least one
/// character and none that would make the end of an embedded expression ambiguous
/// (whitespace, and `{`/`}`, which 1.1 excludes).
fn check_name(name: &str, text: &str) -> Result<String, ExpressionError> {
    if name.is_empty() {
        return Err(ExpressionError(format!(
            "empty name in runtime expression `{text}`"
        )));
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c == '{' || c == '}')
    {
        return Err(ExpressionError(format!(
            "whitespace or brace in a name in runtime expression `{text}`"
        )));
    }
    Ok(name.to_string())
}

/// Step ids, workflow ids, source names, component kinds: 1.1's `identifier-strict`
/// (`[A-Za-z0-9_-]+`).
fn check_id(id: &str, text: &str) -> Result<String, ExpressionError> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(id.to_string())
    } else {
        Err(ExpressionError(format!(
            "invalid identifier `{id}` in runtime expression `{text}`"
        )))
    }
}

/// RFC 6901: empty, or `/`-separated tokens where `~` is only `~0` or `~1`.
fn check_pointer(pointer: &str, text: &str) -> Result<String, ExpressionError> {
    let bad = |why: &str| {
        Err(ExpressionError(format!(
            "{why} in the JSON Pointer of runtime expression `{text}`"
        )))
    };
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return bad("missing leading `/`");
    }
    let mut bytes = pointer.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'~' if !matches!(bytes.next(), Some(b'0' | b'1')) => {
                return bad("`~` not followed by 0 or 1");
            }
            b'{' | b'}' => return bad("brace"),
            _ => {}
        }
    }
    Ok(pointer.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Expression {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_form_of_the_abnf_and_the_example_table() {
        let cases: &[(&str, Root, Option<&str>)] = &[
            ("$url", Root::Url, None),
            ("$method", Root::Method, None),
            ("$statusCode", Root::StatusCode, None),
            (
                "$request.header.accept",
                Root::Request(MessagePart::Header("accept".into())),
                None,
            ),
            (
                "$request.path.id",
                Root::Request(MessagePart::Path("id".into())),
                None,
            ),
            (
                "$request.query.page",
                Root::Request(MessagePart::Query("page".into())),
                None,
            ),
            (
                "$request.body#/user/uuid",
                Root::Request(MessagePart::Body(vec![])),
                Some("/user/uuid"),
            ),
            (
                "$response.body#/status",
                Root::Response(MessagePart::Body(vec![])),
                Some("/status"),
            ),
            (
                "$response.body",
                Root::Response(MessagePart::Body(vec![])),
                None,
            ),
            (
                "$response.header.Server",
                Root::Response(MessagePart::Header("Server".into())),
                None,
            ),
            ("$inputs.username", Root::Inputs("username".into()), None),
            (
                "$workflows.foo.inputs.username",
                Root::Workflows {
                    workflow: "foo".into(),
                    field: WorkflowField::Inputs,
                    name: "username".into(),
                },
                None,
            ),
            (
                "$steps.someStepId.outputs.pets",
                Root::Steps {
                    step: "someStepId".into(),
                    output: Some("pets".into()),
                },
                None,
            ),
            (
                "$steps.someStepId.outputs.pets#/0/id",
                Root::Steps {
                    step: "someStepId".into(),
                    output: Some("pets".into()),
                },
                Some("/0/id"),
            ),
            ("$outputs.bar", Root::Outputs("bar".into()), None),
            (
                "$workflows.foo.outputs.mappedResponse#/name",
                Root::Workflows {
                    workflow: "foo".into(),
                    field: WorkflowField::Outputs,
                    name: "mappedResponse".into(),
                },
                Some("/name"),
            ),
            (
                "$components.parameters.foo",
                Root::Components {
                    kind: "parameters".into(),
                    name: "foo".into(),
                },
                None,
            ),
            (
                "$components.successActions.bar",
                Root::Components {
                    kind: "successActions".into(),
                    name: "bar".into(),
                },
                None,
            ),
            (
                "$sourceDescriptions.petstore.url",
                Root::SourceDescriptions {
                    source: "petstore".into(),
                    field: "url".into(),
                },
                None,
            ),
            // 1.1: `inputs-reference = input-name [ "#" json-pointer ]`.
            (
                "$inputs.order#/items/0",
                Root::Inputs("order".into()),
                Some("/items/0"),
            ),
            // Names with dots stay whole; evaluation decides how to read them.
            ("$inputs.a.b", Root::Inputs("a.b".into()), None),
            ("$inputs.x-api-key", Root::Inputs("x-api-key".into()), None),
            (
                "$steps.browser-authorize.outputs.code",
                Root::Steps {
                    step: "browser-authorize".into(),
                    output: Some("code".into()),
                },
                None,
            ),
            (
                "$response.body.count",
                Root::Response(MessagePart::Body(vec!["count".into()])),
                None,
            ),
            (
                "$steps.s.outputs",
                Root::Steps {
                    step: "s".into(),
                    output: None,
                },
                None,
            ),
            (
                "$response.body#",
                Root::Response(MessagePart::Body(vec![])),
                Some(""),
            ),
        ];
        for (text, root, pointer) in cases {
            let expression = ok(text);
            assert_eq!(&expression.root, root, "{text}");
            assert_eq!(expression.pointer.as_deref(), *pointer, "{text}");
            assert_eq!(expression.text, *text);
        }
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for text in [
            "",
            "$",
            "inputs.x",
            "$input.x",
            "$inputs.",
            "$inputs",
            "$inputs.a b",
            "$inputs.a{b}",
            "$statusCodes",
            "$url.x",
            "$steps.s",
            "$steps.s.output.x",
            "$steps..outputs.x",
            "$steps.a.b.outputs.x",
            "$workflows.w.x",
            "$workflows.w.params.x",
            "$request.header.",
            "$request.header.a b",
            "$request.header.a\"b",
            "$request.cookie.x",
            "$request.bodyx",
            "$response.body#a",
            "$response.body#/a~2",
            "$response.body#/a~",
            "$components.parameters",
            "$sourceDescriptions.x",
            "$.foo",
            "$5",
        ] {
            assert!(parse(text).is_err(), "{text:?} should not parse");
        }
    }

    #[test]
    fn roots_end_at_a_word_boundary() {
        assert_eq!(root_len("url"), Some(3));
        assert_eq!(root_len("url/x"), Some(3));
        assert_eq!(root_len("urls"), None);
        assert_eq!(root_len("statusCode == 200"), Some(10));
        assert_eq!(root_len("inputs.x"), Some(7));
        assert_eq!(root_len("inputs"), None);
        assert_eq!(root_len(".foo"), None);
    }
}

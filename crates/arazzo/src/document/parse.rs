//! Reading an Arazzo document from YAML or JSON text.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::model::{Document, FailureAction, Parameter, SuccessAction};

/// The largest text read as a document (Arazzo or OpenAPI), in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// How deeply YAML collections may nest. The YAML deserializer recurses once per
/// level with large frames (a 2 MiB thread stack overflows near 120 levels in debug
/// builds); 64 is saphyr's own default and far above what descriptions use (the
/// 800 KB Windmill description nests about 25 deep). JSON stops at serde_json's 128.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// The text is neither JSON nor YAML.
    #[error("{0}")]
    Syntax(String),
    /// The text parses but is not an Arazzo document; the message names the field.
    #[error("{0}")]
    Shape(String),
}

/// Parses YAML 1.2 or JSON text into a JSON value (only `true`/`false` are booleans).
///
/// Text that starts like JSON (`{"`, `{}` or `[`) is JSON; anything else is YAML,
/// including a YAML flow mapping such as `{name: a}`. Errors carry the line and column.
pub fn parse_value(text: &str) -> Result<Value, ParseError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ParseError::Syntax(format!(
            "the document is {} bytes long; the maximum is {MAX_TEXT_BYTES} bytes",
            text.len()
        )));
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(ParseError::Syntax("the document is empty".to_string()));
    }
    if looks_like_json(trimmed) {
        // serde_json's message ends with the line and column.
        return serde_json::from_str(trimmed)
            .map_err(|e| ParseError::Syntax(format!("invalid JSON: {e}")));
    }
    parse_yaml(text)
}

fn looks_like_json(text: &str) -> bool {
    if text.starts_with('[') {
        return true;
    }
    // JSON object keys are quoted; YAML flow mapping keys usually are not.
    text.strip_prefix('{')
        .map(str::trim_start)
        .is_some_and(|rest| rest.starts_with('"') || rest.starts_with('}'))
}

/// How many parser events a YAML text may produce per byte of it. Without aliases a
/// text produces fewer events than it has bytes; an alias replays its anchor's events,
/// so this is how far aliases may expand a document (a few hundred bytes of nested
/// anchors can otherwise expand to millions of nodes).
const YAML_EVENTS_PER_BYTE: usize = 4;

/// Events every text may produce, however short.
const YAML_MIN_EVENTS: usize = 4096;

fn parse_yaml(text: &str) -> Result<Value, ParseError> {
    // The size cap above bounds the work; the node and event budgets grow with the
    // text, so that a large OpenAPI description parses and aliases cannot expand a
    // small text far beyond its size.
    let events = text
        .len()
        .saturating_mul(YAML_EVENTS_PER_BYTE)
        .saturating_add(YAML_MIN_EVENTS);
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: events,
            max_events: events,
            max_recorded_anchor_events: events,
            max_total_scalar_bytes: MAX_TEXT_BYTES,
        },
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let message = e.to_string();
        let position = match e.location() {
            Some(l) if !message.contains("line ") => {
                format!(" at line {}, column {}", l.line(), l.column())
            }
            _ => String::new(),
        };
        ParseError::Syntax(format!("invalid YAML: {message}{position}"))
    })
}

/// Parses an Arazzo document.
pub fn parse(text: &str) -> Result<Document, ParseError> {
    let value = parse_value(text)?;
    from_value(&value)
}

/// Reads an Arazzo document from a parsed value. Shape errors name the field by its
/// JSON Pointer (`/workflows/0/steps/1/stepId: missing field ...`).
pub fn from_value(value: &Value) -> Result<Document, ParseError> {
    deserialize::<Document>(value, "").map_err(ParseError::Shape)
}

fn deserialize<T: DeserializeOwned>(value: &Value, base: &str) -> Result<T, String> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let pointer = format!("{base}{}", pointer_of(e.path()));
        let inner = e.into_inner().to_string();
        if inner.contains("untagged enum")
            && let Some(message) = explain_untagged(value, base, &pointer)
        {
            return message;
        }
        let at = if pointer.is_empty() { "/" } else { &pointer };
        format!("{at}: {inner}")
    })
}

/// Untagged enums (Reusable Objects, criterion types) only say that nothing matched;
/// this reads the value again as the inline object it most likely meant, so the
/// message names the field that is wrong.
fn explain_untagged(root: &Value, base: &str, pointer: &str) -> Option<String> {
    let relative = pointer.strip_prefix(base)?;
    let value = root.pointer(relative)?;
    let object = value.as_object()?;
    if object.contains_key("reference") {
        return Some(format!(
            "{pointer}: a Reusable Object needs `reference` to be a string"
        ));
    }
    let parent = pointer.rsplit('/').nth(1).unwrap_or_default();
    let inner = match parent {
        "parameters" => deserialize::<Parameter>(value, pointer).err(),
        "onSuccess" | "successActions" => deserialize::<SuccessAction>(value, pointer).err(),
        "onFailure" | "failureActions" => deserialize::<FailureAction>(value, pointer).err(),
        _ => None,
    };
    if let Some(message) = inner {
        return Some(message);
    }
    if pointer.ends_with("/type") {
        return Some(format!(
            "{pointer}: expected a type name or a Criterion Expression Type Object \
             with string `type` and `version`"
        ));
    }
    None
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                out.push('/');
                out.push_str(&index.to_string());
            }
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&escape_pointer(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// Escapes one JSON Pointer reference token (RFC 6901 §3).
pub(crate) fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "\
arazzo: 1.0.1
info: {title: t, version: '1'}
sourceDescriptions:
- {name: api, url: ./api.yaml, type: openapi}
workflows:
- workflowId: w
  steps:
  - stepId: s
    operationId: op
";

    #[test]
    fn yaml_and_json_give_the_same_document() {
        let yaml = parse(MINIMAL).unwrap();
        let json_text = serde_json::to_string(&parse_value(MINIMAL).unwrap()).unwrap();
        assert_eq!(parse(&json_text).unwrap(), yaml);
        assert_eq!(
            yaml.workflows[0].steps[0].operation_id.as_deref(),
            Some("op")
        );
    }

    #[test]
    fn yaml_is_1_2_only_true_and_false_are_booleans() {
        let value = parse_value("a: yes\nb: on\nc: true\nd: 1.0.1\ne: '1'\n").unwrap();
        assert_eq!(
            value,
            serde_json::json!({"a": "yes", "b": "on", "c": true, "d": "1.0.1", "e": "1"})
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let Err(ParseError::Syntax(message)) = parse_value("a: 1\nb: [1, 2\nc: 3\n") else {
            panic!("expected a syntax error");
        };
        assert!(message.contains("line"), "{message}");
        let Err(ParseError::Syntax(message)) = parse_value("{\"a\": 1,\n \"b\": }") else {
            panic!("expected a syntax error");
        };
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn a_yaml_flow_mapping_is_yaml() {
        assert_eq!(
            parse_value("{name: a, in: query}").unwrap(),
            serde_json::json!({"name": "a", "in": "query"})
        );
        assert_eq!(
            parse_value(" {\"a\": [1]}").unwrap(),
            serde_json::json!({"a": [1]})
        );
    }

    #[test]
    fn empty_and_oversized_texts_are_refused() {
        assert!(matches!(parse_value("  \n"), Err(ParseError::Syntax(_))));
        let big = "a".repeat(MAX_TEXT_BYTES + 1);
        assert!(matches!(parse_value(&big), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let flow = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse_value(&flow).is_err());
        let block = |depth: usize| -> String {
            (0..depth)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect()
        };
        assert!(parse_value(&block(60)).is_ok());
        assert!(parse_value(&block(65)).is_err());
        assert!(parse_value(&block(500)).is_err());
        let json = "[".repeat(129) + &"]".repeat(129);
        assert!(parse_value(&json).is_err());
    }

    /// Nine levels of nine aliases: under 500 bytes that expand to 387 million nodes.
    /// Aliases may expand a text only to a few times its size, so this is refused at
    /// once (it took seconds of CPU before), while ordinary anchors still work.
    #[test]
    fn alias_expansion_is_bounded_by_the_text() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..9 {
            let aliases = vec![format!("*a{}", level - 1); 9].join(", ");
            bomb.push_str(&format!("a{level}: &a{level} [{aliases}]\n"));
        }
        assert!(bomb.len() < 500);
        let error = parse_value(&bomb).unwrap_err().to_string();
        assert!(error.contains("budget breached"), "{error}");
        let anchors = "defaults: &d {retries: 1, delay: 5}\na: *d\nb: *d\n";
        assert_eq!(
            parse_value(anchors).unwrap(),
            serde_json::json!({
                "defaults": {"retries": 1, "delay": 5},
                "a": {"retries": 1, "delay": 5},
                "b": {"retries": 1, "delay": 5}
            })
        );
    }

    #[test]
    fn shape_errors_name_the_field() {
        let text = MINIMAL.replace("stepId: s", "id: s");
        let Err(ParseError::Shape(message)) = parse(&text) else {
            panic!("expected a shape error");
        };
        assert!(message.starts_with("/workflows/0/steps/0"), "{message}");
        assert!(message.contains("stepId"), "{message}");
    }

    #[test]
    fn a_wrong_parameter_is_explained_not_just_untagged() {
        let text = MINIMAL.replace(
            "    operationId: op\n",
            "    operationId: op\n    parameters:\n    - {name: a, in: body, value: 1}\n",
        );
        let Err(ParseError::Shape(message)) = parse(&text) else {
            panic!("expected a shape error");
        };
        assert!(
            message.starts_with("/workflows/0/steps/0/parameters/0/in"),
            "{message}"
        );
        assert!(message.contains("body"), "{message}");
    }

    #[test]
    fn a_document_that_is_not_an_object_is_a_shape_error() {
        assert!(matches!(parse("- 1\n- 2\n"), Err(ParseError::Shape(_))));
    }
}

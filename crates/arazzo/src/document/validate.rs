//! Checks on an Arazzo document beyond its shape.
//!
//! Every Arazzo document of a bundle is checked; findings in the root document are
//! located by a JSON Pointer (`/workflows/0/steps/2`), findings in documents it loads
//! by `<url>#<pointer>`. Errors are what Arazzo 1.0.1 says MUST (or its JSON Schema
//! enforces); warnings are SHOULDs and things weft reads leniently.

use serde::Serialize;

use crate::bundle::Bundle;
use crate::document::Document;

mod order;
mod references;
mod values;
mod workflows;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, located by a JSON Pointer into the document (`/workflows/0/steps/2`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    pub location: String,
}

/// The codes diagnostics carry; stable, so tools and tests can match on them.
pub mod codes {
    /// `arazzo` is not a 1.0.x version (error), or is 1.1.x (warning).
    pub const VERSION: &str = "version";
    pub const NEWER_VERSION: &str = "newer-version";
    /// A list the specification requires to have entries is empty.
    pub const EMPTY_LIST: &str = "empty-list";
    pub const DUPLICATE_SOURCE_NAME: &str = "duplicate-source-name";
    pub const DUPLICATE_WORKFLOW_ID: &str = "duplicate-workflow-id";
    pub const DUPLICATE_STEP_ID: &str = "duplicate-step-id";
    pub const DUPLICATE_PARAMETER: &str = "duplicate-parameter";
    pub const DUPLICATE_ACTION: &str = "duplicate-action";
    /// A name or id does not follow `[A-Za-z0-9_\-]+` (a SHOULD).
    pub const NAME_PATTERN: &str = "name-pattern";
    /// An output name does not match `^[a-zA-Z0-9\.\-_]+$` (a MUST).
    pub const OUTPUT_NAME: &str = "output-name";
    /// A components key does not match `^[a-zA-Z0-9\.\-_]+$`.
    pub const COMPONENT_KEY: &str = "component-key";
    /// Not exactly one of operationId, operationPath and workflowId.
    pub const STEP_TARGET: &str = "step-target";
    pub const OPERATION_NOT_FOUND: &str = "operation-not-found";
    /// A plain operationId with several OpenAPI sources (1.0.1: MUST be qualified).
    pub const UNQUALIFIED_OPERATION_ID: &str = "unqualified-operation-id";
    pub const WORKFLOW_NOT_FOUND: &str = "workflow-not-found";
    pub const STEP_NOT_FOUND: &str = "step-not-found";
    /// A goto with both or neither of stepId and workflowId; a retry with both.
    pub const ACTION_TARGET: &str = "action-target";
    /// stepId/workflowId on an `end` action, retry fields on a non-retry action.
    pub const IGNORED_FIELD: &str = "ignored-field";
    pub const RETRY_AFTER: &str = "retry-after";
    pub const DEPENDENCY_CYCLE: &str = "dependency-cycle";
    pub const REQUEST_BODY_ON_WORKFLOW_STEP: &str = "request-body-on-workflow-step";
    /// A parameter of an operation step without `in`.
    pub const PARAMETER_IN: &str = "parameter-in";
    /// A criterion with `type` but no `context`.
    pub const CRITERION_CONTEXT: &str = "criterion-context";
    /// An unknown criterion type, or a Criterion Expression Type Object version.
    pub const CRITERION_TYPE: &str = "criterion-type";
    /// A condition that does not parse.
    pub const CRITERION_CONDITION: &str = "criterion-condition";
    /// A Reusable Object whose reference is malformed, of the wrong kind, or missing.
    pub const REFERENCE: &str = "reference";
    /// `value` on a Reusable Object that does not reference a parameter.
    pub const REFERENCE_VALUE: &str = "reference-value";
    /// A runtime expression that does not parse.
    pub const EXPRESSION: &str = "expression";
    /// `$inputs.x` inside a longer string, where 1.0.1 wants `{$inputs.x}`.
    pub const BARE_EXPRESSION: &str = "bare-expression";
    /// A step's request reads the outputs of a step that cannot have run before it.
    pub const STEP_ORDER: &str = "step-order";
    /// An output value that holds no runtime expression.
    pub const OUTPUT_LITERAL: &str = "output-literal";
    /// An expression naming a step, workflow, source or component that does not exist.
    pub const UNKNOWN_REFERENCE: &str = "unknown-reference";
    /// A field the specification does not define (extensions start with `x-`).
    pub const UNKNOWN_FIELD: &str = "unknown-field";
}

/// Validates a loaded bundle: ids, references, targets, expressions and criteria.
pub fn validate(bundle: &Bundle) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (index, loaded) in bundle.documents.iter().enumerate() {
        let prefix = if index == 0 {
            String::new()
        } else {
            format!("{}#", loaded.url)
        };
        let mut checker = Checker {
            bundle,
            index,
            document: &loaded.document,
            prefix,
            out: &mut out,
            next_steps: Vec::new(),
            request_of: None,
        };
        checker.document();
    }
    out
}

/// Checks one document of the bundle.
pub(super) struct Checker<'a> {
    bundle: &'a Bundle,
    /// The document's index in the bundle.
    index: usize,
    document: &'a Document,
    /// Put before every location: empty for the root document.
    prefix: String,
    out: &'a mut Vec<Diagnostic>,
    /// For each step of the workflow being checked, the steps that can run next.
    next_steps: Vec<Vec<usize>>,
    /// Set while a step's request (parameters, body) is checked: that step's index.
    request_of: Option<usize>,
}

impl Checker<'_> {
    fn error(&mut self, code: &str, location: &str, message: String) {
        self.push(Severity::Error, code, location, message);
    }

    fn warning(&mut self, code: &str, location: &str, message: String) {
        self.push(Severity::Warning, code, location, message);
    }

    fn push(&mut self, severity: Severity, code: &str, location: &str, message: String) {
        let location = if location.is_empty() { "/" } else { location };
        self.out.push(Diagnostic {
            severity,
            code: code.to_string(),
            message,
            location: format!("{}{location}", self.prefix),
        });
    }

    fn document(&mut self) {
        let document = self.document;
        self.version(&document.arazzo);
        self.unknown_fields(&document.extensions, "");
        self.unknown_fields(&document.info.extensions, "/info");
        if document.source_descriptions.is_empty() {
            self.error(
                codes::EMPTY_LIST,
                "/sourceDescriptions",
                "`sourceDescriptions` must have at least one entry".into(),
            );
        }
        let mut names = Vec::new();
        for (i, source) in document.source_descriptions.iter().enumerate() {
            let at = format!("/sourceDescriptions/{i}");
            self.unknown_fields(&source.extensions, &at);
            if names.contains(&source.name.as_str()) {
                self.error(
                    codes::DUPLICATE_SOURCE_NAME,
                    &format!("{at}/name"),
                    format!("source description `{}` is defined twice", source.name),
                );
            }
            names.push(&source.name);
            self.name_pattern(
                &source.name,
                "source description name",
                &format!("{at}/name"),
            );
        }
        if document.workflows.is_empty() {
            self.error(
                codes::EMPTY_LIST,
                "/workflows",
                "`workflows` must have at least one entry".into(),
            );
        }
        let mut ids = Vec::new();
        for (i, workflow) in document.workflows.iter().enumerate() {
            if ids.contains(&workflow.workflow_id.as_str()) {
                self.error(
                    codes::DUPLICATE_WORKFLOW_ID,
                    &format!("/workflows/{i}/workflowId"),
                    format!("workflowId `{}` is used twice", workflow.workflow_id),
                );
            }
            ids.push(&workflow.workflow_id);
            self.workflow(i, workflow);
        }
        self.components();
    }

    /// 1.0.1: "The patch version SHOULD NOT be considered by tooling"; the schema's
    /// pattern is `^1\.0\.\d+(-.+)?$`.
    fn version(&mut self, version: &str) {
        match minor_version(version) {
            Some(0) => {}
            Some(1) => self.warning(
                codes::NEWER_VERSION,
                "/arazzo",
                format!(
                    "Arazzo {version} is read as 1.0: what 1.1 adds is ignored or reported \
                     as unknown"
                ),
            ),
            _ => self.error(
                codes::VERSION,
                "/arazzo",
                format!("`arazzo` must be a 1.0.x version (like 1.0.1), not `{version}`"),
            ),
        }
    }

    fn is_1_0(&self) -> bool {
        minor_version(&self.document.arazzo) == Some(0)
    }

    /// Ids and names SHOULD conform to `[A-Za-z0-9_\-]+`.
    fn name_pattern(&mut self, name: &str, what: &str, at: &str) {
        let fits = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !fits {
            self.warning(
                codes::NAME_PATTERN,
                at,
                format!("{what} `{name}` should use only letters, digits, `_` and `-`"),
            );
        }
    }

    /// Fields outside the specification (extensions start with `x-`) are ignored.
    fn unknown_fields(
        &mut self,
        extensions: &serde_json::Map<String, serde_json::Value>,
        at: &str,
    ) {
        for key in extensions.keys().filter(|k| !k.starts_with("x-")) {
            self.warning(
                codes::UNKNOWN_FIELD,
                &format!("{at}/{}", super::parse::escape_pointer(key)),
                format!("`{key}` is not a field of this object and is ignored"),
            );
        }
    }
}

/// The minor version of a `1.x.y` (optionally `-suffix`) version string.
fn minor_version(version: &str) -> Option<u32> {
    let rest = version.strip_prefix("1.")?;
    let (minor, patch) = rest.split_once('.')?;
    let patch = patch
        .split_once('-')
        .map_or(patch, |(p, suffix)| if suffix.is_empty() { "" } else { p });
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(minor) && digits(patch)).then(|| minor.parse().ok())?
}

/// Output and component keys MUST match `^[a-zA-Z0-9\.\-_]+$`.
fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

#[cfg(test)]
mod tests;

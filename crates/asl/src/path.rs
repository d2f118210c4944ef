//! Paths: the JSONPath dialect of ASL.
//!
//! * A [`Path`] selects data for `InputPath`, `OutputPath`, `ItemsPath`, `…Path` fields,
//!   `.$` template values and Choice `Variable`s. It is rooted at the state input (`$`),
//!   the context object (`$$`) or a variable (`$name`). Definite paths (only field names
//!   and indexes) select one value; indefinite ones (wildcards, filters, slices,
//!   descendants, unions) select the list of matches, as Jayway JSONPath does.
//! * A [`ReferencePath`] is the definite subset rooted at `$` that `ResultPath` uses to
//!   write a value into a document.

use std::borrow::Cow;

use serde_json::Value;

/// What a path is evaluated against.
pub struct Scope<'a> {
    /// The effective input of the state (`$`).
    pub input: &'a Value,
    /// The context object (`$$`).
    pub context: &'a Value,
    /// Variables visible to the state (`$name`).
    pub variables: &'a dyn Variables,
}

/// Read access to the variables in scope.
pub trait Variables {
    fn get(&self, name: &str) -> Option<&Value>;
}

/// No variables at all.
pub struct NoVariables;

impl Variables for NoVariables {
    fn get(&self, _name: &str) -> Option<&Value> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PathError {
    pub message: String,
}

/// The document a path starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    Input,
    Context,
    Variable(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Field(String),
    Index(usize),
}

#[derive(Debug, Clone)]
pub struct Path {
    text: String,
    root: Root,
    // Implementation detail: definite paths as segments, the rest as a compiled
    // RFC 9535 query.
}

impl Path {
    /// Parses a path such as `$`, `$.a.b[0]`, `$['a b']`, `$..x`, `$.items[?(@.n > 1)]`,
    /// `$$.Execution.Id` or `$var.field`.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let _ = text;
        todo!()
    }

    /// The path as written in the definition (used in error messages).
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn root(&self) -> &Root {
        &self.root
    }

    /// True when the path can select at most one value.
    pub fn is_definite(&self) -> bool {
        todo!()
    }

    /// Selects from the scope. A definite path gives `None` when nothing is there; an
    /// indefinite path always gives `Some(array of matches)`, possibly empty.
    pub fn select<'a>(&self, scope: &Scope<'a>) -> Option<Cow<'a, Value>> {
        let _ = scope;
        todo!()
    }
}

/// A definite path rooted at `$`, for `ResultPath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePath {
    text: String,
    segments: Vec<Segment>,
}

/// Why a value could not be written at a reference path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WriteError {
    pub message: String,
}

impl ReferencePath {
    pub fn parse(text: &str) -> Result<ReferencePath, PathError> {
        let _ = text;
        todo!()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Writes `value` into `target` at this path, creating missing objects on the way.
    /// `$` replaces the whole document.
    pub fn write(&self, target: Value, value: Value) -> Result<Value, WriteError> {
        let _ = (target, value);
        todo!()
    }
}

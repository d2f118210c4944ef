//! Paths: the JSONPath dialect of ASL.
//!
//! * A [`Path`] selects data for `InputPath`, `OutputPath`, `ItemsPath`, `…Path` fields,
//!   `.$` template values and Choice `Variable`s. It is rooted at the state input (`$`),
//!   the context object (`$$`) or a variable (`$name`). Definite paths (only field names
//!   and indexes) select one value; indefinite ones (wildcards, filters, slices,
//!   descendants, unions) select the list of matches, as Jayway JSONPath does.
//!   Definite paths are walked directly; indefinite ones are rewritten to RFC 9535 and
//!   compiled once. Jayway rules kept: negative indexes count from the end, several
//!   names at the end of a definite path (`$.a['b','c']`) merge into one object, and a
//!   missing field before the first indefinite step means "not found".
//!   One Jayway behaviour RFC 9535 cannot express is not reproduced: a filter applied to
//!   an object tests the object itself in Jayway, but its member values here.
//! * A [`ReferencePath`] is the definite subset rooted at `$` that `ResultPath` uses to
//!   write a value into a document.

mod filter;
mod syntax;

use std::borrow::Cow;

use serde_json::Value;
use serde_json_path::JsonPath;

use syntax::{Cursor, Mode, ParsedRoot, Step, parse_root, parse_steps, render_steps};

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
    // Boxed to keep `Path` small: definitions hold many of them.
    selection: Box<Selection>,
}

/// How a parsed path selects.
#[derive(Debug, Clone)]
enum Selection {
    /// Field names and indexes only: walked directly, without copying.
    Definite(Vec<Hop>),
    /// Several names at the end of an otherwise definite path (`$.a['b','c']`): Jayway
    /// merges the fields found into one object rather than listing them.
    Merge { hops: Vec<Hop>, names: Vec<String> },
    /// Anything else, compiled to RFC 9535. `prefix` is the definite part before the
    /// first indefinite step: Jayway fails the path when that part is missing rather
    /// than returning an empty list.
    Query { prefix: Vec<Hop>, query: JsonPath },
}

/// One step of a definite path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Hop {
    Field(String),
    Index(usize),
    /// `[-n]`: the n-th element from the end (n ≥ 1).
    FromEnd(usize),
}

impl Path {
    /// Parses a path such as `$`, `$.a.b[0]`, `$['a b']`, `$..x`, `$.items[?(@.n > 1)]`,
    /// `$$.Execution.Id` or `$var.field`.
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let invalid = |reason: String| PathError {
            message: format!("Invalid path '{text}': {reason}"),
        };
        let (root, steps) = parse_parts(text).map_err(invalid)?;
        let selection = select_strategy(&steps).map_err(invalid)?;
        Ok(Path {
            text: text.to_string(),
            root,
            selection: Box::new(selection),
        })
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
        !matches!(*self.selection, Selection::Query { .. })
    }

    /// Selects from the scope. A definite path gives `None` when nothing is there; an
    /// indefinite path gives `Some(array of matches)`, possibly empty, unless the
    /// definite part before its first wildcard, filter, slice, union or `..` is
    /// missing, which Jayway (and so Step Functions) treats as not found.
    pub fn select<'a>(&self, scope: &Scope<'a>) -> Option<Cow<'a, Value>> {
        let root: &'a Value = match &self.root {
            Root::Input => scope.input,
            Root::Context => scope.context,
            Root::Variable(name) => scope.variables.get(name)?,
        };
        match &*self.selection {
            Selection::Definite(hops) => walk(root, hops).map(Cow::Borrowed),
            Selection::Merge { hops, names } => {
                let Value::Object(fields) = walk(root, hops)? else {
                    return None;
                };
                let merged: serde_json::Map<String, Value> = names
                    .iter()
                    .filter_map(|name| fields.get(name).map(|v| (name.clone(), v.clone())))
                    .collect();
                Some(Cow::Owned(Value::Object(merged)))
            }
            Selection::Query { prefix, query } => {
                walk(root, prefix)?;
                let matches = query.query(root).into_iter().cloned().collect();
                Some(Cow::Owned(Value::Array(matches)))
            }
        }
    }
}

/// Splits a path into its root and steps, rejecting anything that is not a path.
fn parse_parts(text: &str) -> Result<(Root, Vec<Step>), String> {
    if text.is_empty() {
        return Err("a path must not be empty".to_string());
    }
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return Err("a path must not start or end with blank characters".to_string());
    }
    let mut cursor = Cursor::new(text, 0);
    let root = match parse_root(&mut cursor)? {
        ParsedRoot::Input => Root::Input,
        ParsedRoot::Context => Root::Context,
        ParsedRoot::Variable(name) => Root::Variable(name),
    };
    let steps = parse_steps(&mut cursor, Mode::Top, 0)?;
    if !cursor.at_end() {
        return Err(cursor.unexpected("the end of the path"));
    }
    Ok((root, steps))
}

fn select_strategy(steps: &[Step]) -> Result<Selection, String> {
    let definite_len = steps
        .iter()
        .take_while(|step| matches!(step, Step::Name(_) | Step::Index(_)))
        .count();
    let prefix: Vec<Hop> = steps
        .iter()
        .take(definite_len)
        .filter_map(|step| match step {
            Step::Name(name) => Some(Hop::Field(name.clone())),
            Step::Index(index) => Some(hop_for_index(*index)),
            _ => None,
        })
        .collect();
    match steps.get(definite_len..) {
        None | Some([]) => Ok(Selection::Definite(prefix)),
        Some([Step::Names(names)]) => Ok(Selection::Merge {
            hops: prefix,
            names: names.clone(),
        }),
        Some(_) => {
            within_budget(steps)?;
            let mut rfc = String::from("$");
            render_steps(steps, &mut rfc);
            let query = JsonPath::parse(&rfc).map_err(|error| error.to_string())?;
            Ok(Selection::Query { prefix, query })
        }
    }
}

/// How many descendant steps (`..`) a path may have: each one can multiply the nodes
/// visited by the depth of the document.
const MAX_DESCENDANTS: usize = 2;

/// The most copies of a node the unions of a path can select: `$[0,0][0,0]…` selects
/// 2ⁿ (a query's matches keep duplicates).
const MAX_UNION_PRODUCT: usize = 1024;

/// Refuses a query whose evaluation could grow exponentially with its length.
fn within_budget(steps: &[Step]) -> Result<(), String> {
    let mut descendants = 0;
    let mut product = 1usize;
    for step in steps {
        let step = match step {
            Step::Descendant(inner) => {
                descendants += 1;
                inner.as_ref()
            }
            other => other,
        };
        let selectors = match step {
            Step::Names(names) => names.len(),
            Step::Indexes(indexes) => indexes.len(),
            _ => 1,
        };
        product = product.saturating_mul(selectors);
    }
    if descendants > MAX_DESCENDANTS {
        return Err(format!(
            "more than {MAX_DESCENDANTS} descendant steps ('..') is over weft's budget"
        ));
    }
    if product > MAX_UNION_PRODUCT {
        return Err(format!(
            "its unions select more than {MAX_UNION_PRODUCT} copies of a node, over weft's \
             budget"
        ));
    }
    Ok(())
}

fn hop_for_index(index: i64) -> Hop {
    if index < 0 {
        Hop::FromEnd(usize::try_from(index.unsigned_abs()).unwrap_or(usize::MAX))
    } else {
        Hop::Index(usize::try_from(index).unwrap_or(usize::MAX))
    }
}

fn walk<'a>(root: &'a Value, hops: &[Hop]) -> Option<&'a Value> {
    let mut current = root;
    for hop in hops {
        current = match (hop, current) {
            (Hop::Field(name), Value::Object(fields)) => fields.get(name)?,
            (Hop::Index(index), Value::Array(items)) => items.get(*index)?,
            (Hop::FromEnd(back), Value::Array(items)) => {
                items.get(items.len().checked_sub(*back)?)?
            }
            _ => return None,
        };
    }
    Some(current)
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
        let invalid = |reason: String| PathError {
            message: format!("Invalid reference path '{text}': {reason}"),
        };
        let (root, steps) = parse_parts(text).map_err(invalid)?;
        match root {
            Root::Input => {}
            Root::Context => {
                return Err(invalid(
                    "a reference path must be rooted at '$', not the context object '$$'"
                        .to_string(),
                ));
            }
            Root::Variable(name) => {
                return Err(invalid(format!(
                    "a reference path must be rooted at '$', not the variable '${name}'"
                )));
            }
        }
        let segments = steps
            .into_iter()
            .map(|step| match step {
                Step::Name(name) => Ok(Segment::Field(name)),
                Step::Index(index) => usize::try_from(index).map(Segment::Index).map_err(|_| {
                    invalid(format!(
                        "the negative index [{index}] is not allowed in a reference path"
                    ))
                }),
                _ => Err(invalid(
                    "a reference path may only contain field names and array indexes \
                     (no wildcards, filters, slices, unions or '..')"
                        .to_string(),
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReferencePath {
            text: text.to_string(),
            segments,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Writes `value` into `target` at this path, creating missing objects on the way.
    /// `$` replaces the whole document. A field of something that is not an object, or
    /// an index that is not an element of an existing array, cannot be written.
    pub fn write(&self, mut target: Value, value: Value) -> Result<Value, WriteError> {
        // Checked before changing anything so that the error quotes the input as given.
        if !self.can_write(&target) {
            return Err(self.write_error(&target));
        }
        let Some((last, parents)) = self.segments.split_last() else {
            return Ok(value);
        };
        let mut current = &mut target;
        for segment in parents {
            current = match (segment, current) {
                (Segment::Field(name), Value::Object(fields)) => fields
                    .entry(name.clone())
                    .or_insert_with(|| Value::Object(serde_json::Map::new())),
                (Segment::Index(index), Value::Array(items)) => match items.get_mut(*index) {
                    Some(item) => item,
                    None => return Err(self.write_error(&target)),
                },
                _ => return Err(self.write_error(&target)),
            };
        }
        match (last, current) {
            (Segment::Field(name), Value::Object(fields)) => {
                fields.insert(name.clone(), value);
            }
            (Segment::Index(index), Value::Array(items)) => match items.get_mut(*index) {
                Some(item) => *item = value,
                None => return Err(self.write_error(&target)),
            },
            _ => return Err(self.write_error(&target)),
        }
        Ok(target)
    }

    /// Whether every step finds the container it needs. Below a field that does not
    /// exist yet only fields can follow, since that field will be a new empty object.
    fn can_write(&self, target: &Value) -> bool {
        let mut current = Some(target);
        for segment in &self.segments {
            current = match (segment, current) {
                (Segment::Field(_), None) => None,
                (Segment::Field(name), Some(Value::Object(fields))) => fields.get(name),
                (Segment::Index(index), Some(Value::Array(items))) => match items.get(*index) {
                    Some(item) => Some(item),
                    None => return false,
                },
                _ => return false,
            };
        }
        true
    }

    /// Step Functions' cause for `States.ResultPathMatchFailure`.
    fn write_error(&self, input: &Value) -> WriteError {
        WriteError {
            message: format!(
                "Unable to apply ReferencePath {} to input {}",
                self.text, input
            ),
        }
    }
}

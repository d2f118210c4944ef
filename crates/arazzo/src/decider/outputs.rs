//! Step and workflow `outputs`: each entry rendered in the scope of its step or
//! workflow; an entry whose expression refers to nothing is left out.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::expression::{self, ExpressionError, Scope};

/// Renders an `outputs` map. With `own_outputs`, `$outputs.<name>` reads the entries
/// rendered so far (a workflow's outputs); otherwise it keeps the scope's meaning (a
/// workflow step's outputs read the called workflow's). `Err` names the entry.
pub(super) fn render(
    definitions: &IndexMap<String, Value>,
    scope: &Scope<'_>,
    own_outputs: bool,
) -> Result<Map<String, Value>, (String, ExpressionError)> {
    let mut rendered = Map::new();
    for (name, definition) in definitions {
        let value = {
            let scope = if own_outputs {
                Scope {
                    outputs: &rendered,
                    ..*scope
                }
            } else {
                *scope
            };
            value(definition, &scope).map_err(|e| (name.clone(), e))?
        };
        if let Some(value) = value {
            rendered.insert(name.clone(), value);
        }
    }
    Ok(rendered)
}

/// One value: a string that is a whole runtime expression is evaluated (`None` when it
/// refers to nothing); anything else is rendered.
pub(super) fn value(
    definition: &Value,
    scope: &Scope<'_>,
) -> Result<Option<Value>, ExpressionError> {
    if let Value::String(text) = definition
        && let Ok(parsed) = expression::parse(text)
    {
        return expression::evaluate(&parsed, scope);
    }
    expression::render(definition, scope).map(Some)
}

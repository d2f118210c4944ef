//! The rules for workflow variable names and scopes ("Passing data between states with
//! variables", AWS Step Functions Developer Guide):
//!
//! * "Variable names follow the rules for Unicode Identifiers as described in Unicode®
//!   Standard Annex #31. The first character of a variable name must be a Unicode
//!   ID_Start character, and the second and subsequent characters must be Unicode
//!   ID_Continue characters. The maximum length of a variable name is 80."
//! * `states` is reserved (`$states` in JSONata states).
//! * "A variable assigned in an inner scope cannot have the same name as one assigned in
//!   an outer scope": Parallel branches and Map iterations may read outer variables but
//!   not assign them. A variable exists in a scope when any state of the scope assigns
//!   it; a catcher's `Assign` belongs to the scope of its state.
//!
//! AWS's diagnostic texts for these are not recorded; the wording here is weft's.

use std::collections::BTreeSet;

use serde_json::Value;

use super::diagnostic::{Diagnostics, child, element};
use crate::jsonata;
use crate::model::{Graph, Payload, StateKind};
use crate::template::Template;

/// The longest variable name.
const MAX_NAME: usize = 80;

/// Why `name` cannot be a variable's name, if it cannot.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let valid = match chars.next() {
        None => false,
        Some(first) => {
            unicode_ident::is_xid_start(first) && chars.all(unicode_ident::is_xid_continue)
        }
    };
    if !valid || name.chars().count() > MAX_NAME {
        return Some(format!(
            "The variable name '{name}' is not valid: a name starts with a letter, continues with letters, digits or '_' (Unicode identifier characters), and has at most {MAX_NAME} characters"
        ));
    }
    if name == "states" {
        return Some("The variable name 'states' is reserved for $states".to_string());
    }
    None
}

/// The names an `Assign` block assigns.
pub(crate) fn assigned_names(assign: &Payload) -> Vec<&str> {
    match assign {
        Payload::JsonPath(Template::Object(fields)) => {
            fields.iter().map(|(key, _)| key.as_str()).collect()
        }
        Payload::Jsonata(jsonata::Template::Object(fields)) => {
            fields.iter().map(|(key, _)| key.as_str()).collect()
        }
        Payload::JsonPath(Template::Literal(Value::Object(map)))
        | Payload::Jsonata(jsonata::Template::Literal(Value::Object(map))) => {
            map.keys().map(String::as_str).collect()
        }
        _ => Vec::new(),
    }
}

/// Reports every inner-scope assignment of a name an enclosing scope assigns.
pub(crate) fn check_scopes(graph: &Graph, diags: &mut Diagnostics) {
    walk(graph, "", &BTreeSet::new(), diags);
}

/// Every `Assign` of a state: its own, its choice rules' and its catchers'.
fn assigns(kind: &StateKind) -> Vec<&Payload> {
    let mut all = Vec::new();
    let own = match kind {
        StateKind::Pass(s) => s.assign.as_ref(),
        StateKind::Task(s) => s.assign.as_ref(),
        StateKind::Choice(s) => s.assign.as_ref(),
        StateKind::Wait(s) => s.assign.as_ref(),
        StateKind::Parallel(s) => s.assign.as_ref(),
        StateKind::Map(s) => s.assign.as_ref(),
        StateKind::Succeed(_) | StateKind::Fail(_) => None,
    };
    all.extend(own);
    if let StateKind::Choice(choice) = kind {
        all.extend(
            choice
                .choices
                .iter()
                .filter_map(|rule| rule.assign.as_ref()),
        );
    }
    if let Some(handling) = kind.result_handling() {
        all.extend(handling.catch.iter().filter_map(|c| c.assign.as_ref()));
    }
    all
}

fn walk(graph: &Graph, loc: &str, outer: &BTreeSet<&str>, diags: &mut Diagnostics) {
    let states_loc = child(loc, "States");
    if !outer.is_empty() {
        for (name, state) in &graph.states {
            for assign in assigns(&state.kind) {
                for variable in assigned_names(assign) {
                    if outer.contains(variable) {
                        diags.schema(
                            format!(
                                "The variable '{variable}' is assigned in an outer scope; a Parallel branch or Map iteration cannot assign it"
                            ),
                            child(&states_loc, name),
                        );
                    }
                }
            }
        }
    }
    let mut enclosing = outer.clone();
    for state in graph.states.values() {
        for assign in assigns(&state.kind) {
            enclosing.extend(assigned_names(assign));
        }
    }
    for (name, state) in &graph.states {
        let state_loc = child(&states_loc, name);
        match &state.kind {
            StateKind::Parallel(parallel) => {
                for (i, branch) in parallel.branches.iter().enumerate() {
                    walk(
                        branch,
                        &element(&child(&state_loc, "Branches"), i),
                        &enclosing,
                        diags,
                    );
                }
            }
            StateKind::Map(map) => {
                walk(
                    &map.processor,
                    &child(&state_loc, "ItemProcessor"),
                    &enclosing,
                    diags,
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unicode_identifiers_of_at_most_80_characters() {
        for name in ["x", "productName", "María", "x1", "a_b", "変数"] {
            assert_eq!(name_problem(name), None, "{name}");
        }
        let longest = "a".repeat(80);
        assert_eq!(name_problem(&longest), None);
        for name in ["", "1x", "_x", "x.y", "x[2]", "a-b", "a b", "$x"] {
            assert!(name_problem(name).is_some(), "{name}");
        }
        assert!(name_problem(&"a".repeat(81)).is_some());
        assert!(name_problem("states").is_some());
    }
}

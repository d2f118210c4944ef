//! Checks on the transitions of one graph (the machine, a Parallel branch or a Map
//! item processor): every target exists in the same graph, every state is reachable,
//! and the machine can end.

use std::collections::HashSet;

use super::diagnostic::{self, Diagnostics, MISSING_END_STATE, MISSING_TRANSITION_TARGET};

/// What the graph checks need to know about one graph.
#[derive(Debug, Default)]
pub(crate) struct GraphOutline {
    /// `StartAt` and where it is written; `None` when it is missing or not a string
    /// (already reported).
    pub start_at: Option<(String, String)>,
    pub states: Vec<StateOutline>,
}

/// What the graph checks need to know about one state.
#[derive(Debug, Default)]
pub(crate) struct StateOutline {
    pub name: String,
    pub location: String,
    /// Every state name the state may go to (`Next`, a Choice rule's `Next`, `Default`,
    /// a catcher's `Next`), with the location of the field naming it.
    pub transitions: Vec<(String, String)>,
    /// `End: true`, Succeed or Fail.
    pub terminal: bool,
}

/// Reports missing targets and unreachable states. On the top-level graph also reports
/// a machine without any terminal state; as in Step Functions, that check applies only
/// to the machine itself, and when it fails the reachability report is left out.
pub(crate) fn check(graph: &GraphOutline, top_level: bool, diags: &mut Diagnostics) {
    let names: HashSet<&str> = graph.states.iter().map(|s| s.name.as_str()).collect();

    if let Some((start_at, location)) = &graph.start_at
        && !names.contains(start_at.as_str())
    {
        diags.error(
            MISSING_TRANSITION_TARGET,
            diagnostic::missing_target(start_at),
            location.clone(),
        );
    }
    for state in &graph.states {
        for (target, location) in &state.transitions {
            if !names.contains(target.as_str()) {
                diags.error(
                    MISSING_TRANSITION_TARGET,
                    diagnostic::missing_target(target),
                    location.clone(),
                );
            }
        }
    }

    if top_level && !graph.states.iter().any(|s| s.terminal) {
        // Step Functions gives this diagnostic no location.
        diags.error(MISSING_END_STATE, "Workflow has no terminal state", "");
        return;
    }

    // Step Functions calls a state unreachable when nothing names it: neither `StartAt`
    // nor a transition of another state.
    let Some((start_at, _)) = &graph.start_at else {
        return;
    };
    let mut targeted: HashSet<&str> = HashSet::new();
    targeted.insert(start_at.as_str());
    for state in &graph.states {
        for (target, _) in &state.transitions {
            if *target != state.name {
                targeted.insert(target.as_str());
            }
        }
    }
    for state in &graph.states {
        if !targeted.contains(state.name.as_str()) {
            diags.error(
                MISSING_TRANSITION_TARGET,
                diagnostic::unreachable(&state.name),
                state.location.clone(),
            );
        }
    }
}

//! Which steps of a workflow can run before which: a step's request can only read the
//! outputs of steps that may have run before it.

use crate::document::{
    Components, FailureAction, FailureActionType, Reusable, SuccessAction, Workflow,
};

/// For each step, the steps that can run right after it: the next one in order (the
/// default when no action applies), every step a goto or retry action of the step or of
/// the workflow names, and the step itself when a retry action can apply to it.
pub(super) fn successors(workflow: &Workflow, components: Option<&Components>) -> Vec<Vec<usize>> {
    let index = |id: Option<&str>| id.and_then(|id| workflow.step_index(id));
    let success = |action: &Reusable<SuccessAction>| -> Option<usize> {
        let action = match action {
            Reusable::Inline(action) => action,
            Reusable::Reference(r) => components?
                .success_actions
                .get(component_name(&r.reference, "successActions")?)?,
        };
        index(action.step_id.as_deref())
    };
    // (the step it names, whether it retries the current step)
    let failure = |action: &Reusable<FailureAction>| -> Option<(Option<usize>, bool)> {
        let action = match action {
            Reusable::Inline(action) => action,
            Reusable::Reference(r) => components?
                .failure_actions
                .get(component_name(&r.reference, "failureActions")?)?,
        };
        Some((
            index(action.step_id.as_deref()),
            action.kind == FailureActionType::Retry,
        ))
    };
    let shared_success: Vec<usize> = workflow
        .success_actions
        .iter()
        .filter_map(success)
        .collect();
    let shared_failure: Vec<(Option<usize>, bool)> = workflow
        .failure_actions
        .iter()
        .filter_map(failure)
        .collect();
    workflow
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let mut next: Vec<usize> = (i + 1 < workflow.steps.len())
                .then_some(i + 1)
                .into_iter()
                .collect();
            next.extend(step.on_success.iter().filter_map(success));
            next.extend(&shared_success);
            let failures = step.on_failure.iter().filter_map(failure);
            for (target, retry) in failures.chain(shared_failure.iter().copied()) {
                next.extend(target);
                if retry {
                    next.push(i);
                }
            }
            next
        })
        .collect()
}

fn component_name<'r>(reference: &'r str, kind: &str) -> Option<&'r str> {
    reference
        .strip_prefix("$components.")?
        .strip_prefix(kind)?
        .strip_prefix('.')
}

/// Whether `to` can run after `from` (by one or more moves).
pub(super) fn reaches(next: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; next.len()];
    let mut stack: Vec<usize> = next.get(from).cloned().unwrap_or_default();
    while let Some(step) = stack.pop() {
        if step == to {
            return true;
        }
        if let Some(visited) = seen.get_mut(step)
            && !*visited
        {
            *visited = true;
            stack.extend(&next[step]);
        }
    }
    false
}

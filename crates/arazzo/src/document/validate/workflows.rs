//! Workflows, steps, their targets, parameters and actions, and components.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::super::parse::escape_pointer;
use super::{Checker, codes, is_key};
use crate::document::{
    Criterion, FailureAction, FailureActionType, Parameter, Reusable, Step, StepTarget,
    SuccessAction, SuccessActionType, Workflow,
};

/// A success or failure action, seen the same way.
struct Action<'a> {
    name: &'a str,
    kind: &'static str,
    workflow_id: Option<&'a str>,
    step_id: Option<&'a str>,
    retry_after: Option<f64>,
    retry_limit: Option<u64>,
    criteria: &'a [Criterion],
    extensions: &'a Map<String, Value>,
}

impl<'a> From<&'a SuccessAction> for Action<'a> {
    fn from(a: &'a SuccessAction) -> Self {
        Action {
            name: &a.name,
            kind: match a.kind {
                SuccessActionType::End => "end",
                SuccessActionType::Goto => "goto",
            },
            workflow_id: a.workflow_id.as_deref(),
            step_id: a.step_id.as_deref(),
            retry_after: None,
            retry_limit: None,
            criteria: &a.criteria,
            extensions: &a.extensions,
        }
    }
}

impl<'a> From<&'a FailureAction> for Action<'a> {
    fn from(a: &'a FailureAction) -> Self {
        Action {
            name: &a.name,
            kind: match a.kind {
                FailureActionType::End => "end",
                FailureActionType::Goto => "goto",
                FailureActionType::Retry => "retry",
            },
            workflow_id: a.workflow_id.as_deref(),
            step_id: a.step_id.as_deref(),
            retry_after: a.retry_after,
            retry_limit: a.retry_limit,
            criteria: &a.criteria,
            extensions: &a.extensions,
        }
    }
}

impl<'a> Checker<'a> {
    pub(super) fn workflow(&mut self, i: usize, workflow: &'a Workflow) {
        let at = format!("/workflows/{i}");
        self.unknown_fields(&workflow.extensions, &at);
        self.name_pattern(
            &workflow.workflow_id,
            "workflowId",
            &format!("{at}/workflowId"),
        );
        if let Some(inputs) = &workflow.inputs {
            self.input_refs(inputs, &format!("{at}/inputs"));
        }
        for (j, dependency) in workflow.depends_on.iter().enumerate() {
            self.workflow_reference(dependency, &format!("{at}/dependsOn/{j}"));
        }
        if let Some(cycle) = self.dependency_cycle(workflow) {
            self.error(
                codes::DEPENDENCY_CYCLE,
                &format!("{at}/dependsOn"),
                format!("workflow dependencies form a cycle: {}", cycle.join(" → ")),
            );
        }
        if workflow.steps.is_empty() {
            self.error(
                codes::EMPTY_LIST,
                &format!("{at}/steps"),
                "`steps` must have at least one entry".into(),
            );
        }
        self.next_steps = super::order::successors(workflow, self.document.components.as_ref());
        let mut ids = Vec::new();
        for (j, step) in workflow.steps.iter().enumerate() {
            if ids.contains(&step.step_id.as_str()) {
                self.error(
                    codes::DUPLICATE_STEP_ID,
                    &format!("{at}/steps/{j}/stepId"),
                    format!("stepId `{}` is used twice in this workflow", step.step_id),
                );
            }
            ids.push(&step.step_id);
            self.step(&format!("{at}/steps/{j}"), j, step, workflow);
        }
        // Workflow parameters apply to every step, so operation steps need their `in`.
        let operations = workflow.steps.iter().any(|s| {
            matches!(
                s.target(),
                Some(StepTarget::OperationId(_) | StepTarget::OperationPath(_))
            )
        });
        self.parameters(
            &workflow.parameters,
            &format!("{at}/parameters"),
            operations,
            Some(workflow),
        );
        self.success_actions(
            &workflow.success_actions,
            &format!("{at}/successActions"),
            Some(workflow),
        );
        self.failure_actions(
            &workflow.failure_actions,
            &format!("{at}/failureActions"),
            Some(workflow),
        );
        self.outputs(&workflow.outputs, &format!("{at}/outputs"), Some(workflow));
    }

    fn step(&mut self, at: &str, index: usize, step: &'a Step, workflow: &'a Workflow) {
        self.unknown_fields(&step.extensions, at);
        self.name_pattern(&step.step_id, "stepId", &format!("{at}/stepId"));
        let operation = match step.target() {
            None => {
                self.error(
                    codes::STEP_TARGET,
                    at,
                    format!(
                        "step `{}` must have exactly one of operationId, operationPath and \
                         workflowId",
                        step.step_id
                    ),
                );
                false
            }
            Some(StepTarget::WorkflowId(id)) => {
                self.workflow_reference(id, &format!("{at}/workflowId"));
                if step.request_body.is_some() {
                    self.error(
                        codes::REQUEST_BODY_ON_WORKFLOW_STEP,
                        &format!("{at}/requestBody"),
                        "a step that calls a workflow has no request body; pass values as \
                         parameters"
                            .into(),
                    );
                }
                false
            }
            Some(target) => {
                let field = match target {
                    StepTarget::OperationId(_) => "operationId",
                    _ => "operationPath",
                };
                self.operation_target(step, target, &format!("{at}/{field}"));
                true
            }
        };
        self.request_of = Some(index);
        self.parameters(
            &step.parameters,
            &format!("{at}/parameters"),
            operation,
            Some(workflow),
        );
        if let Some(body) = &step.request_body {
            let body_at = format!("{at}/requestBody");
            self.unknown_fields(&body.extensions, &body_at);
            if let Some(payload) = &body.payload {
                self.value(payload, &format!("{body_at}/payload"), Some(workflow));
            }
            for (k, replacement) in body.replacements.iter().enumerate() {
                let r_at = format!("{body_at}/replacements/{k}");
                self.unknown_fields(&replacement.extensions, &r_at);
                self.value(&replacement.value, &format!("{r_at}/value"), Some(workflow));
            }
        }
        self.request_of = None;
        for (k, criterion) in step.success_criteria.iter().enumerate() {
            self.criterion(
                criterion,
                &format!("{at}/successCriteria/{k}"),
                Some(workflow),
            );
        }
        self.success_actions(&step.on_success, &format!("{at}/onSuccess"), Some(workflow));
        self.failure_actions(&step.on_failure, &format!("{at}/onFailure"), Some(workflow));
        self.outputs(&step.outputs, &format!("{at}/outputs"), Some(workflow));
    }

    fn operation_target(&mut self, step: &Step, target: StepTarget, at: &str) {
        if let Err(e) = self.bundle.find_operation(self.index, step) {
            self.error(codes::OPERATION_NOT_FOUND, at, e.0);
            return;
        }
        if let StepTarget::OperationId(id) = target {
            let sources = self.bundle.openapi_sources(self.index).count();
            if sources > 1
                && !id
                    .trim_start_matches('{')
                    .starts_with("$sourceDescriptions.")
            {
                self.warning(
                    codes::UNQUALIFIED_OPERATION_ID,
                    at,
                    format!(
                        "with several OpenAPI sources, Arazzo 1.0.1 wants operationId \
                         written `$sourceDescriptions.<name>.{id}`"
                    ),
                );
            }
        }
    }

    /// A path of workflow ids from `workflow` back to itself through `dependsOn`.
    fn dependency_cycle(&self, workflow: &'a Workflow) -> Option<Vec<String>> {
        let start = (self.index, workflow.workflow_id.as_str());
        let mut stack = vec![(self.index, workflow, vec![workflow.workflow_id.clone()])];
        let mut seen: HashSet<(usize, &str)> = HashSet::new();
        while let Some((document, current, path)) = stack.pop() {
            for dependency in &current.depends_on {
                let Some(found) = self.bundle.workflow(document, dependency) else {
                    continue;
                };
                let id = found.workflow.workflow_id.as_str();
                if (found.document, id) == start {
                    let mut cycle = path.clone();
                    cycle.push(id.to_string());
                    return Some(cycle);
                }
                if seen.insert((found.document, id)) {
                    let mut next = path.clone();
                    next.push(id.to_string());
                    stack.push((found.document, found.workflow, next));
                }
            }
        }
        None
    }

    /// A list of parameters: references resolve, no name + `in` twice, `in` given
    /// where an operation takes the parameter, values hold valid expressions.
    pub(super) fn parameters(
        &mut self,
        list: &'a [Reusable<Parameter>],
        at: &str,
        needs_in: bool,
        workflow: Option<&'a Workflow>,
    ) {
        let mut seen = Vec::new();
        for (k, item) in list.iter().enumerate() {
            let p_at = format!("{at}/{k}");
            let parameter = match item {
                Reusable::Inline(parameter) => {
                    self.parameter_fields(parameter, &p_at, workflow);
                    parameter
                }
                Reusable::Reference(reference) => {
                    let Some(parameter) =
                        self.component(reference, &p_at, "parameters", |c| &c.parameters)
                    else {
                        continue;
                    };
                    if let Some(value) = &reference.value {
                        self.value(value, &format!("{p_at}/value"), workflow);
                    }
                    parameter
                }
            };
            if needs_in && parameter.location.is_none() {
                self.error(
                    codes::PARAMETER_IN,
                    &p_at,
                    format!(
                        "parameter `{}` needs `in` (path, query, header or cookie) for an \
                         operation step",
                        parameter.name
                    ),
                );
            }
            let identity = (parameter.name.as_str(), parameter.location);
            if seen.contains(&identity) {
                self.error(
                    codes::DUPLICATE_PARAMETER,
                    &p_at,
                    format!("parameter `{}` is in this list twice", parameter.name),
                );
            }
            seen.push(identity);
        }
    }

    fn parameter_fields(
        &mut self,
        parameter: &Parameter,
        at: &str,
        workflow: Option<&'a Workflow>,
    ) {
        self.unknown_fields(&parameter.extensions, at);
        self.value(&parameter.value, &format!("{at}/value"), workflow);
    }

    pub(super) fn success_actions(
        &mut self,
        list: &'a [Reusable<SuccessAction>],
        at: &str,
        workflow: Option<&'a Workflow>,
    ) {
        self.actions(list, at, workflow, "successActions", |c| &c.success_actions);
    }

    pub(super) fn failure_actions(
        &mut self,
        list: &'a [Reusable<FailureAction>],
        at: &str,
        workflow: Option<&'a Workflow>,
    ) {
        self.actions(list, at, workflow, "failureActions", |c| &c.failure_actions);
    }

    /// A list of success or failure actions, inline or `$components.<kind>.<name>`.
    fn actions<A>(
        &mut self,
        list: &'a [Reusable<A>],
        at: &str,
        workflow: Option<&'a Workflow>,
        kind: &str,
        components: impl Fn(&'a crate::document::Components) -> &'a IndexMap<String, A>,
    ) where
        &'a A: Into<Action<'a>>,
    {
        let mut names = Vec::new();
        for (k, item) in list.iter().enumerate() {
            let a_at = format!("{at}/{k}");
            let action: Action<'a> = match item {
                Reusable::Inline(action) => {
                    let action = action.into();
                    self.action_fields(&action, &a_at, workflow);
                    action
                }
                Reusable::Reference(reference) => {
                    let Some(action) = self.component(reference, &a_at, kind, &components) else {
                        continue;
                    };
                    action.into()
                }
            };
            self.action_targets(&action, &a_at, workflow);
            self.duplicate_action(&mut names, action.name, &a_at);
        }
    }

    /// "The list MUST NOT include duplicate success actions" (and failure actions);
    /// actions are told apart by name.
    fn duplicate_action(&mut self, names: &mut Vec<&'a str>, name: &'a str, at: &str) {
        if names.contains(&name) {
            self.error(
                codes::DUPLICATE_ACTION,
                at,
                format!("action `{name}` is in this list twice"),
            );
        }
        names.push(name);
    }

    /// What an action says by itself (checked where it is written).
    fn action_fields(&mut self, action: &Action<'a>, at: &str, workflow: Option<&'a Workflow>) {
        self.unknown_fields(action.extensions, at);
        match (action.kind, action.step_id, action.workflow_id) {
            ("goto", Some(_), Some(_)) | ("retry", Some(_), Some(_)) => self.error(
                codes::ACTION_TARGET,
                at,
                format!(
                    "action `{}` has both stepId and workflowId; they are mutually exclusive",
                    action.name
                ),
            ),
            ("goto", None, None) => self.error(
                codes::ACTION_TARGET,
                at,
                format!(
                    "goto action `{}` needs a stepId or a workflowId",
                    action.name
                ),
            ),
            ("end", Some(_), _) | ("end", _, Some(_)) => self.warning(
                codes::IGNORED_FIELD,
                at,
                format!(
                    "stepId and workflowId apply only to goto and retry; end action `{}` \
                     ignores them",
                    action.name
                ),
            ),
            _ => {}
        }
        if action.kind != "retry" && (action.retry_after.is_some() || action.retry_limit.is_some())
        {
            self.warning(
                codes::IGNORED_FIELD,
                at,
                format!(
                    "retryAfter and retryLimit apply only to retry; {} action `{}` ignores them",
                    action.kind, action.name
                ),
            );
        }
        if let Some(after) = action.retry_after
            && !(after.is_finite() && after >= 0.0)
        {
            self.error(
                codes::RETRY_AFTER,
                &format!("{at}/retryAfter"),
                format!("retryAfter must be a non-negative number of seconds, not {after}"),
            );
        }
        for (k, criterion) in action.criteria.iter().enumerate() {
            self.criterion(criterion, &format!("{at}/criteria/{k}"), workflow);
        }
    }

    /// Where an action goes, in the workflow it is used in (a referenced component
    /// action names steps of each workflow that uses it).
    fn action_targets(&mut self, action: &Action<'a>, at: &str, workflow: Option<&'a Workflow>) {
        if action.kind == "end" {
            return;
        }
        if let Some(step_id) = action.step_id
            && let Some(workflow) = workflow
            && workflow.step(step_id).is_none()
        {
            self.error(
                codes::STEP_NOT_FOUND,
                &format!("{at}/stepId"),
                format!(
                    "action `{}` goes to step `{step_id}`, which is not in workflow `{}`",
                    action.name, workflow.workflow_id
                ),
            );
        }
        if let Some(id) = action.workflow_id {
            self.workflow_reference(id, &format!("{at}/workflowId"));
        }
    }

    pub(super) fn components(&mut self) {
        let Some(components) = &self.document.components else {
            return;
        };
        self.unknown_fields(&components.extensions, "/components");
        let keys = [
            ("inputs", components.inputs.keys().collect::<Vec<_>>()),
            ("parameters", components.parameters.keys().collect()),
            (
                "successActions",
                components.success_actions.keys().collect(),
            ),
            (
                "failureActions",
                components.failure_actions.keys().collect(),
            ),
        ];
        for (kind, names) in keys {
            for name in names.into_iter().filter(|n| !is_key(n)) {
                self.error(
                    codes::COMPONENT_KEY,
                    &format!("/components/{kind}/{}", escape_pointer(name)),
                    format!("component key `{name}` must match ^[a-zA-Z0-9.\\-_]+$"),
                );
            }
        }
        for (name, parameter) in &components.parameters {
            let at = format!("/components/parameters/{}", escape_pointer(name));
            self.parameter_fields(parameter, &at, None);
        }
        for (name, action) in &components.success_actions {
            let at = format!("/components/successActions/{}", escape_pointer(name));
            self.action_fields(&action.into(), &at, None);
            self.action_targets(&action.into(), &at, None);
        }
        for (name, action) in &components.failure_actions {
            let at = format!("/components/failureActions/{}", escape_pointer(name));
            self.action_fields(&action.into(), &at, None);
            self.action_targets(&action.into(), &at, None);
        }
    }

    /// `$ref: '#/components/inputs/<name>'` in workflow inputs names an existing input.
    fn input_refs(&mut self, schema: &Value, at: &str) {
        match schema {
            Value::Object(members) => {
                for (key, member) in members {
                    let m_at = format!("{at}/{}", escape_pointer(key));
                    if key == "$ref"
                        && let Some(name) = member
                            .as_str()
                            .and_then(|r| r.strip_prefix("#/components/inputs/"))
                    {
                        let name = crate::openapi::unescape_pointer(&format!("/{name}"))
                            .and_then(|t| t.into_iter().next())
                            .unwrap_or_default();
                        let found = self
                            .document
                            .components
                            .as_ref()
                            .is_some_and(|c| c.inputs.contains_key(&name));
                        if !found {
                            self.error(
                                codes::REFERENCE,
                                &m_at,
                                format!("there is no components.inputs.{name}"),
                            );
                        }
                    } else {
                        self.input_refs(member, &m_at);
                    }
                }
            }
            Value::Array(items) => {
                for (k, item) in items.iter().enumerate() {
                    self.input_refs(item, &format!("{at}/{k}"));
                }
            }
            _ => {}
        }
    }
}

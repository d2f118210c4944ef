//! What a run did, step by step, and the `--output json` object built from it.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Map, Value, json};
use weft_arazzo::decider::{Event, RequestId, Status};
use weft_engine::arazzo::transport::Exchange;

use weft_arazzo::mask::Masker;

/// One run of a step (a retry is a run of its own).
#[derive(Debug, Clone, Default)]
pub struct StepRun {
    pub workflow_id: String,
    pub step_id: String,
    pub attempt: u32,
    /// Method and URL of the request, when the step made one.
    pub request: Option<(String, String)>,
    pub status: Option<u16>,
    /// How long the request took.
    pub time: Option<Duration>,
    pub outcome: Option<Outcome>,
    /// Error name and cause of a failed run.
    pub failure: Option<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed,
    Aborted,
}

impl Outcome {
    /// The words of the execution statuses.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Succeeded => "SUCCEEDED",
            Outcome::Failed => "FAILED",
            Outcome::Aborted => "ABORTED",
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub steps: Vec<StepRun>,
    /// The step run each request belongs to.
    requests: HashMap<RequestId, usize>,
    /// The run in progress of each step, by (workflow, step).
    current: HashMap<(String, String), usize>,
}

impl Report {
    /// Records an event; returns the index of the step run it concerns, if any.
    pub fn event(&mut self, event: &Event) -> Option<usize> {
        match event {
            Event::StepStarted {
                workflow_id,
                step_id,
                attempt,
            } => {
                self.steps.push(StepRun {
                    workflow_id: workflow_id.clone(),
                    step_id: step_id.clone(),
                    attempt: *attempt,
                    ..StepRun::default()
                });
                let index = self.steps.len() - 1;
                self.current
                    .insert((workflow_id.clone(), step_id.clone()), index);
                Some(index)
            }
            Event::RequestSent {
                workflow_id,
                step_id,
                request,
                http,
            } => {
                let index = self.run_of(workflow_id, step_id)?;
                self.steps[index].request = Some((http.method.clone(), http.url.clone()));
                self.requests.insert(*request, index);
                Some(index)
            }
            Event::StepSucceeded {
                workflow_id,
                step_id,
                status,
                ..
            } => {
                let index = self.run_of(workflow_id, step_id)?;
                let run = &mut self.steps[index];
                run.status = run.status.or(*status);
                run.outcome = Some(Outcome::Succeeded);
                Some(index)
            }
            Event::StepFailed {
                workflow_id,
                step_id,
                status,
                error,
                cause,
            } => {
                let index = self.run_of(workflow_id, step_id)?;
                let run = &mut self.steps[index];
                run.status = run.status.or(*status);
                run.outcome = Some(Outcome::Failed);
                run.failure = Some((error.clone(), cause.clone()));
                Some(index)
            }
            Event::StepRetryScheduled {
                workflow_id,
                step_id,
                ..
            } => self.run_of(workflow_id, step_id),
            Event::ExecutionAborted { .. } => {
                for run in &mut self.steps {
                    if run.outcome.is_none() {
                        run.outcome = Some(Outcome::Aborted);
                    }
                }
                None
            }
            Event::WorkflowStarted { .. }
            | Event::WorkflowSucceeded { .. }
            | Event::WorkflowFailed { .. } => None,
        }
    }

    /// Records what came of a request; returns the index of its step run.
    pub fn exchange(&mut self, request: RequestId, exchange: &Exchange) -> Option<usize> {
        let index = *self.requests.get(&request)?;
        let run = &mut self.steps[index];
        // The URL as sent: signing does not change it, but it is what happened.
        run.request = Some((
            exchange.request.method.clone(),
            exchange.request.url.clone(),
        ));
        run.status = exchange.outcome.as_ref().ok().map(|r| r.status);
        run.time = Some(exchange.timings.total());
        Some(index)
    }

    fn run_of(&self, workflow_id: &str, step_id: &str) -> Option<usize> {
        self.current
            .get(&(workflow_id.to_string(), step_id.to_string()))
            .copied()
    }

    /// The `--output json` object: `status`, `output` (succeeded runs), `error` and
    /// `cause` (when there are any), and `steps`.
    pub fn json(&self, status: &Status, masker: &Masker) -> Value {
        let mut out = Map::new();
        out.insert("status".into(), Value::from(status_name(status)));
        let (error, cause) = match status {
            Status::Succeeded { outputs } => {
                out.insert(
                    "output".into(),
                    masker.value(&Value::Object(outputs.clone())),
                );
                (None, None)
            }
            Status::Failed { error, cause } => (Some(error.as_str()), Some(cause.as_str())),
            Status::Aborted { error, cause } => (error.as_deref(), cause.as_deref()),
            Status::Pending | Status::Running => (None, None),
        };
        for (key, value) in [("error", error), ("cause", cause)] {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                out.insert(key.into(), Value::from(masker.text(v)));
            }
        }
        let steps = self
            .steps
            .iter()
            .map(|run| step_json(run, masker))
            .collect();
        out.insert("steps".into(), Value::Array(steps));
        Value::Object(out)
    }
}

fn step_json(run: &StepRun, masker: &Masker) -> Value {
    let mut step = Map::new();
    step.insert("workflowId".into(), Value::from(run.workflow_id.clone()));
    step.insert("stepId".into(), Value::from(run.step_id.clone()));
    step.insert(
        "request".into(),
        run.request.as_ref().map_or(
            Value::Null,
            |(method, url)| json!({"method": method, "url": masker.text(url)}),
        ),
    );
    step.insert(
        "response".into(),
        run.status
            .map_or(Value::Null, |status| json!({"status": status})),
    );
    step.insert(
        "outcome".into(),
        run.outcome.map_or(Value::Null, |o| Value::from(o.name())),
    );
    if let Some((error, cause)) = &run.failure {
        step.insert("error".into(), Value::from(error.clone()));
        step.insert("cause".into(), Value::from(masker.text(cause)));
    }
    Value::Object(step)
}

/// The status words of `weft run` for state machines: `SUCCEEDED`, `FAILED`,
/// `ABORTED` (and `RUNNING` for a run that could not finish).
pub fn status_name(status: &Status) -> &'static str {
    match status {
        Status::Pending | Status::Running => "RUNNING",
        Status::Succeeded { .. } => "SUCCEEDED",
        Status::Failed { .. } => "FAILED",
        Status::Aborted { .. } => "ABORTED",
    }
}

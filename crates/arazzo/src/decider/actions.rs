//! Success and failure actions: which one runs after a step, and running it (`end`,
//! `goto`, `retry` with its limit and delay).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde_json::Map;

use super::errors::{self, Failure};
use super::frame::{Resume, Role, find_workflow, workflow};
use super::step::{StepResult, all_pass};
use super::{Command, Decider, Event, TimerId, Waiting, Work};
use crate::document::{
    Components, FailureAction, FailureActionType, Reusable, SuccessAction, SuccessActionType,
};
use crate::exchange::HttpResponse;

/// What a chosen action asks for.
enum Next {
    /// The step after this one, or the workflow's successful end after the last.
    Continue,
    End,
    GotoStep(String),
    GotoWorkflow(String),
    /// Retry the failed step (the action is the chosen retry action).
    Retry(FailureAction),
    /// The workflow fails with this.
    Fail(Failure),
}

/// The actions that apply to a step: its own, then the workflow's whose names it does
/// not override; Reusable Objects resolved against the document's components.
fn effective<T: Clone>(
    step: &[Reusable<T>],
    workflow: &[Reusable<T>],
    name: fn(&T) -> &str,
    lookup: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, String> {
    let resolve = |r: &Reusable<T>| match r {
        Reusable::Inline(a) => Ok(a.clone()),
        Reusable::Reference(r) => lookup(&r.reference).ok_or_else(|| {
            format!(
                "the action reference '{}' names nothing in the document's components",
                r.reference
            )
        }),
    };
    let mut list: Vec<T> = step.iter().map(resolve).collect::<Result<_, _>>()?;
    let own = list.len();
    for action in workflow {
        let action = resolve(action)?;
        if !list[..own].iter().any(|a| name(a) == name(&action)) {
            list.push(action);
        }
    }
    Ok(list)
}

fn success_component(components: Option<&Components>, reference: &str) -> Option<SuccessAction> {
    let name = reference.strip_prefix("$components.successActions.")?;
    components?.success_actions.get(name).cloned()
}

fn failure_component(components: Option<&Components>, reference: &str) -> Option<FailureAction> {
    let name = reference.strip_prefix("$components.failureActions.")?;
    components?.failure_actions.get(name).cloned()
}

/// `goto`'s target: exactly one of `stepId` and `workflowId`.
fn goto(
    step_id: &Option<String>,
    workflow_id: &Option<String>,
    action: &str,
) -> Result<Next, String> {
    match (step_id, workflow_id) {
        (Some(step), None) => Ok(Next::GotoStep(step.clone())),
        (None, Some(workflow)) => Ok(Next::GotoWorkflow(workflow.clone())),
        _ => Err(format!(
            "goto action '{action}' must name exactly one of stepId and workflowId"
        )),
    }
}

impl Decider {
    pub(super) fn success_actions(&mut self, step: usize, result: &StepResult) {
        let next = self.choose_success(step, result);
        self.run_next(step, next, result);
    }

    pub(super) fn failure_actions(&mut self, step: usize, result: &StepResult, failure: Failure) {
        let next = self.choose_failure(step, result, failure);
        self.run_next(step, next, result);
    }

    fn choose_success(&self, step: usize, result: &StepResult) -> Next {
        let Some(frame) = self.frames.last() else {
            return Next::End;
        };
        let wf = workflow(&self.bundle, frame.key);
        let definition = &wf.steps[step];
        let components = self.bundle.documents[frame.key.document]
            .document
            .components
            .as_ref();
        let actions = match effective(
            &definition.on_success,
            &wf.success_actions,
            |a: &SuccessAction| &a.name,
            |r| success_component(components, r),
        ) {
            Ok(actions) => actions,
            Err(what) => return Next::Fail(self.step_failure(errors::COMPONENT_NOT_FOUND, what)),
        };
        let empty = Map::new();
        let outputs = result.child_outputs.as_ref().unwrap_or(&empty);
        let scope = self.scope(frame, outputs, result.exchange.as_ref());
        let Some(action) = actions.iter().find(|a| all_pass(&a.criteria, &scope)) else {
            return Next::Continue;
        };
        match action.kind {
            SuccessActionType::End => Next::End,
            SuccessActionType::Goto => goto(&action.step_id, &action.workflow_id, &action.name)
                .unwrap_or_else(|what| Next::Fail(self.step_failure(errors::INVALID_ACTION, what))),
        }
    }

    fn choose_failure(&self, step: usize, result: &StepResult, failure: Failure) -> Next {
        let Some(frame) = self.frames.last() else {
            return Next::Fail(failure);
        };
        let wf = workflow(&self.bundle, frame.key);
        let definition = &wf.steps[step];
        let components = self.bundle.documents[frame.key.document]
            .document
            .components
            .as_ref();
        let actions = match effective(
            &definition.on_failure,
            &wf.failure_actions,
            |a: &FailureAction| &a.name,
            |r| failure_component(components, r),
        ) {
            Ok(actions) => actions,
            Err(what) => return Next::Fail(self.step_failure(errors::COMPONENT_NOT_FOUND, what)),
        };
        let empty = Map::new();
        let outputs = result.child_outputs.as_ref().unwrap_or(&empty);
        let scope = self.scope(frame, outputs, result.exchange.as_ref());
        for action in &actions {
            if !all_pass(&action.criteria, &scope) {
                continue;
            }
            return match action.kind {
                FailureActionType::End => Next::Fail(failure),
                FailureActionType::Goto => goto(&action.step_id, &action.workflow_id, &action.name)
                    .unwrap_or_else(|what| {
                        Next::Fail(self.step_failure(errors::INVALID_ACTION, what))
                    }),
                FailureActionType::Retry => {
                    let limit = action.retry_limit.unwrap_or(1);
                    let made = frame
                        .retries
                        .get(&(step, action.name.clone()))
                        .copied()
                        .unwrap_or(0);
                    if made >= limit {
                        // Exhausted: the next matching action gets its turn.
                        continue;
                    }
                    Next::Retry(action.clone())
                }
            };
        }
        Next::Fail(failure)
    }

    fn run_next(&mut self, step: usize, next: Next, result: &StepResult) {
        let bundle = self.bundle.clone();
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let wf = workflow(&bundle, frame.key);
        match next {
            Next::Continue if step + 1 < wf.steps.len() => self.queue.push_back(Work::EnterStep {
                step: step + 1,
                retry: false,
                subroutine: false,
            }),
            Next::Continue | Next::End => self.queue.push_back(Work::EndFrame(Ok(()))),
            Next::Fail(failure) => self.queue.push_back(Work::EndFrame(Err(failure))),
            Next::GotoStep(target) => {
                match wf.step_index(&target) {
                    Some(index) => self.queue.push_back(Work::EnterStep {
                        step: index,
                        retry: false,
                        subroutine: false,
                    }),
                    None => {
                        let failure = self.step_failure(
                        errors::STEP_NOT_FOUND,
                        format_args!("its action goes to step '{target}', which this workflow does not have"),
                    );
                        self.queue.push_back(Work::EndFrame(Err(failure)));
                    }
                }
            }
            Next::GotoWorkflow(target) => self.hand_over(&target, Role::Goto),
            Next::Retry(action) => {
                let retries = frame
                    .retries
                    .entry((step, action.name.clone()))
                    .or_insert(0);
                *retries += 1;
                let response = result
                    .exchange
                    .as_ref()
                    .and_then(|e| e.response.as_ref())
                    .map(|(r, _)| r);
                let delay = retry_delay(response, action.retry_after, self.now);
                let fire_at = self
                    .now
                    .checked_add_signed(delay)
                    .unwrap_or(DateTime::<Utc>::MAX_UTC);
                let (workflow_id, step_id) = (frame.id.clone(), wf.steps[step].step_id.clone());
                self.out.events.push(Event::StepRetryScheduled {
                    workflow_id,
                    step_id,
                    delay_ms: u64::try_from(delay.num_milliseconds()).unwrap_or(0),
                });
                let resume = Resume { step, fire_at };
                match (&action.step_id, &action.workflow_id) {
                    (Some(target), _) => match wf.step_index(target) {
                        Some(index) => {
                            frame.resume = Some(resume);
                            self.queue.push_back(Work::EnterStep {
                                step: index,
                                retry: false,
                                subroutine: true,
                            });
                        }
                        None => {
                            let failure = self.step_failure(
                                errors::STEP_NOT_FOUND,
                                format_args!("its retry action runs step '{target}' first, which this workflow does not have"),
                            );
                            self.queue.push_back(Work::EndFrame(Err(failure)));
                        }
                    },
                    (None, Some(target)) => {
                        frame.resume = Some(resume);
                        self.hand_over(target, Role::RetryTarget);
                    }
                    (None, None) => self.schedule_retry(resume),
                }
            }
        }
    }

    /// Runs workflow `reference` on top of the current frame, for a `goto` or a retry.
    /// It gets the current workflow's inputs.
    fn hand_over(&mut self, reference: &str, role: Role) {
        let Some(frame) = self.frames.last() else {
            return;
        };
        let inputs = frame.inputs.clone();
        let outcome = match find_workflow(&self.bundle, frame.key.document, reference) {
            Some(key) => self.push_frame(key, role, inputs),
            None => Err(self.step_failure(
                errors::WORKFLOW_NOT_FOUND,
                format_args!("its action runs workflow '{reference}', which does not exist"),
            )),
        };
        if let Err(failure) = outcome {
            self.queue.push_back(Work::EndFrame(Err(failure)));
        }
    }

    /// A retry's target finished: the retry runs once its delay has passed.
    pub(super) fn resume_retry(&mut self) {
        let Some(resume) = self.frames.last_mut().and_then(|f| f.resume.take()) else {
            return;
        };
        self.schedule_retry(resume);
    }

    fn schedule_retry(&mut self, resume: Resume) {
        if resume.fire_at <= self.now {
            self.queue.push_back(Work::EnterStep {
                step: resume.step,
                retry: true,
                subroutine: false,
            });
            return;
        }
        let id = TimerId(self.fresh_id());
        self.out.commands.push(Command::StartTimer {
            timer: id,
            fire_at: resume.fire_at,
        });
        self.waiting = Some(Waiting::Timer {
            id,
            step: resume.step,
        });
    }
}

/// How long to wait before a retry: the response's `Retry-After` (delta-seconds or an
/// HTTP-date, RFC 9110 §10.2.3) when it has a usable one, else `retryAfter` seconds,
/// else nothing.
pub(super) fn retry_delay(
    response: Option<&HttpResponse>,
    retry_after: Option<f64>,
    now: DateTime<Utc>,
) -> Duration {
    if let Some(delay) = response
        .and_then(|r| r.header("retry-after"))
        .and_then(|v| parse_retry_after(v, now))
    {
        return delay;
    }
    match retry_after {
        Some(seconds) if seconds.is_finite() && seconds > 0.0 => {
            // Capped at a year: a longer wait is a mistake, not a plan.
            let millis = (seconds * 1000.0).round().min(365.0 * 86_400_000.0);
            Duration::milliseconds(millis as i64)
        }
        _ => Duration::zero(),
    }
}

fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: i64 = value.parse().unwrap_or(i64::MAX).min(365 * 86_400);
        return Some(Duration::seconds(seconds));
    }
    let date = http_date(value)?;
    Some((date - now).max(Duration::zero()))
}

/// RFC 9110 §5.6.7 HTTP-date: IMF-fixdate, or the obsolete RFC 850 and asctime forms.
fn http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        return Some(date.with_timezone(&Utc));
    }
    let formats = ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"];
    formats
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        "1994-11-06T08:49:00Z".parse().expect("a time")
    }

    fn response(retry_after: &str) -> HttpResponse {
        HttpResponse {
            status: 503,
            headers: vec![("Retry-After".into(), retry_after.into())],
            body: String::new(),
        }
    }

    #[test]
    fn retry_after_header_takes_precedence_in_every_rfc_9110_form() {
        let now = t0();
        for (header, seconds) in [
            ("120", 120),
            ("Sun, 06 Nov 1994 08:49:37 GMT", 37),
            ("Sunday, 06-Nov-94 08:49:37 GMT", 37),
            ("Sun Nov  6 08:49:37 1994", 37),
            // A date in the past means no wait.
            ("Sun, 06 Nov 1994 08:00:00 GMT", 0),
        ] {
            assert_eq!(
                retry_delay(Some(&response(header)), Some(5.0), now),
                Duration::seconds(seconds),
                "{header}"
            );
        }
    }

    #[test]
    fn retry_after_field_applies_without_a_usable_header() {
        let now = t0();
        assert_eq!(
            retry_delay(Some(&response("soon")), Some(1.5), now),
            Duration::milliseconds(1500)
        );
        assert_eq!(retry_delay(None, Some(2.0), now), Duration::seconds(2));
        assert_eq!(retry_delay(None, None, now), Duration::zero());
        assert_eq!(retry_delay(None, Some(-3.0), now), Duration::zero());
    }
}

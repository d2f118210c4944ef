//! Step-by-step progress of an Arazzo run on stderr, in the style of the state
//! machine's: a live line with the running step on a terminal, plain lines otherwise.
//! Every line goes through the masker.

use indicatif::ProgressBar;
use weft_arazzo::decider::Event;

use super::report::StepRun;
use crate::progress::{live_line, print_line};
use weft_arazzo::mask::Masker;

pub struct StepProgress {
    live: Option<ProgressBar>,
    masker: Masker,
}

impl StepProgress {
    pub fn new(masker: Masker) -> StepProgress {
        StepProgress {
            live: live_line(),
            masker,
        }
    }

    /// Shows an event; `run` is the step run it concerns, as the report has it now.
    pub fn event(&self, event: &Event, run: Option<&StepRun>) {
        if let Some(line) = self.line_for(event, run) {
            print_line(self.live.as_ref(), &self.masker.text(&line));
        }
    }

    fn line_for(&self, event: &Event, run: Option<&StepRun>) -> Option<String> {
        let plain = self.live.is_none();
        match event {
            Event::WorkflowStarted { workflow_id, .. } => {
                plain.then(|| format!("→ workflow {workflow_id}"))
            }
            Event::StepStarted { step_id, .. } => {
                if let Some(bar) = &self.live {
                    bar.set_message(self.masker.text(&format!("running: {step_id}")));
                }
                None
            }
            Event::RequestSent { step_id, http, .. } => {
                plain.then(|| format!("→ {step_id} {} {}", http.method, http.url))
            }
            Event::StepSucceeded { step_id, .. } => {
                Some(format!("✓ {step_id}{}", exchange_text(run)))
            }
            Event::StepFailed { step_id, cause, .. } => {
                Some(format!("✗ {step_id}{}: {cause}", exchange_text(run)))
            }
            Event::StepRetryScheduled {
                step_id, delay_ms, ..
            } => Some(format!(
                "↻ {step_id} again in {} s",
                *delay_ms as f64 / 1000.0
            )),
            Event::WorkflowSucceeded { workflow_id, .. } => {
                Some(format!("workflow {workflow_id} succeeded"))
            }
            Event::WorkflowFailed {
                workflow_id,
                error,
                cause,
            } => Some(format!("workflow {workflow_id} failed: {error} {cause}")),
            Event::ExecutionAborted { .. } => Some("execution aborted".into()),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.live {
            bar.finish_and_clear();
        }
    }
}

/// ` POST https://… → 201 in 12 ms` for a step that made a request (with the attempt
/// when it is a retry).
fn exchange_text(run: Option<&StepRun>) -> String {
    let Some(run) = run else {
        return String::new();
    };
    let Some((method, url)) = &run.request else {
        return String::new();
    };
    let mut text = String::new();
    if run.attempt > 1 {
        text.push_str(&format!(" (attempt {})", run.attempt));
    }
    text.push_str(&format!(" {method} {url}"));
    if let Some(status) = run.status {
        text.push_str(&format!(" → {status}"));
    }
    if let Some(time) = run.time {
        text.push_str(&format!(" in {} ms", time.as_millis()));
    }
    text
}

//! State-by-state progress of `weft run` on stderr: a live line with the running
//! states on a terminal, plain lines otherwise.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use weft_asl::decider::{EventType, HistoryEvent};

pub struct Progress {
    live: Option<ProgressBar>,
    running: BTreeSet<String>,
}

/// A spinner with the elapsed time and a message, when stderr is a terminal.
pub fn live_line() -> Option<ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    })
}

/// Prints a line of progress above the live line, or on its own.
pub fn print_line(live: Option<&ProgressBar>, line: &str) {
    match live {
        Some(bar) => bar.println(line),
        None => eprintln!("{line}"),
    }
}

impl Progress {
    pub fn new() -> Progress {
        Progress {
            live: live_line(),
            running: BTreeSet::new(),
        }
    }

    pub fn record(&mut self, events: &[HistoryEvent]) {
        for event in events {
            if let Some(line) = self.line_for(event) {
                print_line(self.live.as_ref(), &line);
            }
        }
        if let Some(bar) = &self.live {
            let names: Vec<&str> = self.running.iter().map(String::as_str).collect();
            bar.set_message(format!("running: {}", names.join(", ")));
        }
    }

    fn line_for(&mut self, event: &HistoryEvent) -> Option<String> {
        let name = event.details.get("name").and_then(|v| v.as_str());
        let kind = event.event_type.name();
        let detail = |key: &str| {
            event
                .details
                .get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        if let Some(state_type) = kind.strip_suffix("StateEntered") {
            let name = name?.to_string();
            self.running.insert(name.clone());
            // On a terminal the live line shows entered states; plain output lists them.
            return self
                .live
                .is_none()
                .then(|| format!("→ {name} ({state_type})"));
        }
        if kind.ends_with("StateExited") {
            let name = name?;
            self.running.remove(name);
            return Some(format!("✓ {name}"));
        }
        match event.event_type {
            EventType::TaskFailed
            | EventType::LambdaFunctionFailed
            | EventType::ActivityFailed
            | EventType::TaskTimedOut => Some(format!(
                "✗ task failed: {} {}",
                detail("error"),
                detail("cause")
            )),
            EventType::ExecutionSucceeded => Some("execution succeeded".into()),
            EventType::ExecutionFailed => Some(format!(
                "execution failed: {} {}",
                detail("error"),
                detail("cause")
            )),
            EventType::ExecutionTimedOut => Some("execution timed out".into()),
            EventType::ExecutionAborted => Some("execution aborted".into()),
            _ => None,
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.live {
            bar.finish_and_clear();
        }
    }
}

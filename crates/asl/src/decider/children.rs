//! Parallel and Map states: child runs, their results, and aborting them.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::evaluate::Sources;
use super::states::Phase;
use super::{ChildOf, Command, Decider, EventType, GraphStep, RunId, Work, context, io};
use crate::error::{StatesError, names};
use crate::model::{Map as MapState, NumberOrPath, Parallel};

#[derive(Debug)]
pub(super) struct ParallelProgress {
    children: Vec<Option<RunId>>,
    results: Vec<Value>,
    pending: usize,
}

#[derive(Debug)]
pub(super) struct MapProgress {
    /// The state's effective input, which `ItemSelector` reads.
    effective: Value,
    items: Vec<Value>,
    results: Vec<Value>,
    children: Vec<Option<RunId>>,
    next: usize,
    running: usize,
    done: usize,
    failures: u64,
    /// At most this many iterations at once.
    limit: usize,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
    /// A distributed Map reports any failure beyond its threshold (0 by default) as
    /// `States.ExceedToleratedFailureThreshold`; an inline one passes on the error.
    distributed: bool,
}

impl MapProgress {
    fn tolerance_configured(&self) -> bool {
        self.tolerated_count.is_some() || self.tolerated_percentage.is_some()
    }

    fn tolerance_exceeded(&self) -> bool {
        if !self.tolerance_configured() {
            return self.failures > 0;
        }
        let total = self.items.len().max(1) as f64;
        let over_count = self.tolerated_count.is_some_and(|c| self.failures > c);
        let over_percentage = self
            .tolerated_percentage
            .is_some_and(|p| self.failures as f64 * 100.0 / total > p);
        match (self.tolerated_count, self.tolerated_percentage) {
            (Some(_), Some(_)) => over_count && over_percentage,
            _ => over_count || over_percentage,
        }
    }
}

impl Decider {
    fn child_graph(&self, run: RunId, state: &str, branch: usize) -> Arc<[GraphStep]> {
        let mut steps: Vec<GraphStep> = self.run(run).map(|r| r.graph.to_vec()).unwrap_or_default();
        steps.push(GraphStep {
            state: state.to_string(),
            branch,
        });
        Arc::from(steps)
    }

    pub(super) fn start_parallel(
        &mut self,
        run: RunId,
        name: &str,
        p: &Parallel,
    ) -> Result<(), StatesError> {
        let effective = self.with_state_input(run, |s, _| io::select_io(&p.input_path, s))?;
        let effective = match &p.parameters {
            Some(params) => {
                self.eval_payload(run, "Arguments", params, &Sources::input(&effective))?
            }
            None => effective,
        };
        let started = self.emit(run, EventType::ParallelStateStarted, Map::new());
        let mut children = Vec::with_capacity(p.branches.len());
        for (i, branch) in p.branches.iter().enumerate() {
            let graph = self.child_graph(run, name, i);
            let child = self.new_run(graph, Some(ChildOf { run, slot: i }), started);
            children.push(Some(child));
            self.queue.push_back(Work::Enter {
                run: child,
                state: branch.start_at.clone(),
                input: effective.clone(),
                text: None,
            });
        }
        if let Some(active) = self.active_mut(run) {
            active.phase = Phase::Parallel(ParallelProgress {
                results: vec![Value::Null; children.len()],
                pending: children.len(),
                children,
            });
        }
        Ok(())
    }

    pub(super) fn start_map(
        &mut self,
        run: RunId,
        name: &str,
        m: &MapState,
    ) -> Result<(), StatesError> {
        let effective = self.with_state_input(run, |s, _| io::select_io(&m.input_path, s))?;
        let items = match (&m.items_path, &m.items) {
            (Some(path), _) => {
                self.with_scope(run, &effective, |s, _| io::select_required(path, s))?
            }
            (None, Some(items)) => {
                self.eval_jsonata(run, "Items", items, &Sources::input(&effective))?
            }
            (None, None) => effective.clone(),
        };
        let Value::Array(items) = items else {
            return Err(StatesError::runtime(format!(
                "Items of the Map state '{name}' must be a JSON array, but the input was {}",
                io::to_text(&items)
            )));
        };
        let limit = match self.whole_number(
            run,
            &effective,
            Some(&m.max_concurrency),
            "MaxConcurrencyPath",
            0,
        )? {
            Some(0) | None => usize::MAX,
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let tolerated_count = self.whole_number(
            run,
            &effective,
            m.tolerated_failure_count.as_ref(),
            "ToleratedFailureCountPath",
            0,
        )?;
        let tolerated_percentage = match &m.tolerated_failure_percentage {
            None => None,
            Some(NumberOrPath::Value(p)) => Some(*p),
            Some(percentage) => {
                let value = match percentage {
                    NumberOrPath::Expression(e) => self.eval_expression(
                        run,
                        "ToleratedFailurePercentage",
                        e,
                        &Sources::input(&effective),
                    )?,
                    NumberOrPath::Path(path) => {
                        self.with_scope(run, &effective, |s, _| io::select_required(path, s))?
                    }
                    NumberOrPath::Value(p) => Value::from(*p),
                };
                match value.as_f64() {
                    Some(p) if (0.0..=100.0).contains(&p) => Some(p),
                    _ => {
                        return Err(StatesError::runtime(format!(
                            "The value for the field 'ToleratedFailurePercentagePath' must be a number between 0 and 100, but was {}",
                            io::to_text(&value)
                        )));
                    }
                }
            }
        };

        let mut details = Map::new();
        details.insert("length".into(), Value::from(items.len()));
        self.emit(run, EventType::MapStateStarted, details);
        let count = items.len();
        if let Some(active) = self.active_mut(run) {
            active.phase = Phase::Map(MapProgress {
                effective,
                results: vec![Value::Null; count],
                children: vec![None; count],
                items,
                next: 0,
                running: 0,
                done: 0,
                failures: 0,
                limit,
                tolerated_count,
                tolerated_percentage,
                distributed: m.mode == crate::model::ProcessorMode::Distributed,
            });
        }
        if count == 0 {
            self.emit(run, EventType::MapStateSucceeded, Map::new());
            self.queue.push_back(Work::Result {
                run,
                result: Value::Array(Vec::new()),
            });
            return Ok(());
        }
        self.launch_iterations(run, name, m)
    }

    /// Starts iterations until the concurrency limit is reached or none are left.
    fn launch_iterations(
        &mut self,
        run: RunId,
        name: &str,
        m: &MapState,
    ) -> Result<(), StatesError> {
        loop {
            let Some(Phase::Map(progress)) = self.active(run).map(|a| &a.phase) else {
                return Ok(());
            };
            if progress.running >= progress.limit || progress.next >= progress.items.len() {
                return Ok(());
            }
            let index = progress.next;
            let item = progress.items[index].clone();
            let input = match &m.item_selector {
                Some(selector) => {
                    let mut map_item = Map::new();
                    map_item.insert("Index".into(), Value::from(index));
                    map_item.insert("Value".into(), item);
                    // Inline items always come from the state's input.
                    map_item.insert("Source".into(), Value::from("STATE_DATA"));
                    let mut member = Map::new();
                    member.insert("Item".into(), Value::Object(map_item));
                    context::set_member(&mut self.context, "Map", Some(Value::Object(member)));
                    let selected = self.with_state_map_effective(run, |decider, effective| {
                        decider.eval_payload(
                            run,
                            "ItemSelector",
                            selector,
                            &Sources::input(effective),
                        )
                    });
                    context::set_member(&mut self.context, "Map", None);
                    selected?
                }
                None => item,
            };
            let mut details = Map::new();
            details.insert("name".into(), Value::from(name));
            details.insert("index".into(), Value::from(index));
            let started = self.emit(run, EventType::MapIterationStarted, details);
            let graph = self.child_graph(run, name, 0);
            let child = self.new_run(graph, Some(ChildOf { run, slot: index }), started);
            if let Some(Phase::Map(progress)) = self.active_mut(run).map(|a| &mut a.phase) {
                progress.next += 1;
                progress.running += 1;
                progress.children[index] = Some(child);
            }
            self.queue.push_back(Work::Enter {
                run: child,
                state: m.processor.start_at.clone(),
                input,
                text: None,
            });
        }
    }

    /// Runs `f` with the Map state's effective input (moved out and back to avoid
    /// cloning it for every item).
    fn with_state_map_effective<T>(
        &mut self,
        run: RunId,
        f: impl FnOnce(&mut Self, &Value) -> T,
    ) -> T {
        let effective = match self.active_mut(run).map(|a| &mut a.phase) {
            Some(Phase::Map(progress)) => std::mem::take(&mut progress.effective),
            _ => Value::Null,
        };
        let result = f(self, &effective);
        if let Some(Phase::Map(progress)) = self.active_mut(run).map(|a| &mut a.phase) {
            progress.effective = effective;
        }
        result
    }

    /// A Parallel branch or Map iteration ended.
    pub(super) fn child_ended(
        &mut self,
        parent: ChildOf,
        child_last_event: u64,
        outcome: Result<Value, StatesError>,
    ) {
        let Some(active) = self.active_mut(parent.run) else {
            return;
        };
        match &mut active.phase {
            Phase::Parallel(progress) => {
                if let Some(slot) = progress.children.get_mut(parent.slot) {
                    *slot = None;
                }
                match outcome {
                    Ok(value) => {
                        if let Some(r) = progress.results.get_mut(parent.slot) {
                            *r = value;
                        }
                        progress.pending = progress.pending.saturating_sub(1);
                        if progress.pending == 0 {
                            let results = std::mem::take(&mut progress.results);
                            self.emit(parent.run, EventType::ParallelStateSucceeded, Map::new());
                            self.queue.push_back(Work::Result {
                                run: parent.run,
                                result: Value::Array(results),
                            });
                        }
                    }
                    Err(error) => {
                        let others: Vec<RunId> = progress
                            .children
                            .iter_mut()
                            .filter_map(Option::take)
                            .collect();
                        for child in others {
                            self.abort_run(child);
                        }
                        self.emit(parent.run, EventType::ParallelStateFailed, Map::new());
                        self.queue.push_back(Work::Error {
                            run: parent.run,
                            error,
                        });
                    }
                }
            }
            Phase::Map(progress) => {
                let index = parent.slot;
                if let Some(slot) = progress.children.get_mut(index) {
                    *slot = None;
                }
                progress.running = progress.running.saturating_sub(1);
                progress.done += 1;
                let name = active.name.clone();
                let mut details = Map::new();
                details.insert("name".into(), Value::from(name.clone()));
                details.insert("index".into(), Value::from(index));
                match outcome {
                    Ok(value) => {
                        if let Some(r) = progress.results.get_mut(index) {
                            *r = value;
                        }
                        self.emit_raw(child_last_event, EventType::MapIterationSucceeded, details);
                    }
                    Err(error) => {
                        progress.failures += 1;
                        let exceeded = progress.tolerance_exceeded();
                        let threshold_error =
                            progress.distributed || progress.tolerance_configured();
                        let mut error_output = Map::new();
                        error_output.insert("Error".into(), Value::from(error.error.clone()));
                        error_output.insert("Cause".into(), Value::from(error.cause.clone()));
                        if let Some(r) = progress.results.get_mut(index) {
                            *r = Value::Object(error_output);
                        }
                        self.emit_raw(child_last_event, EventType::MapIterationFailed, details);
                        if exceeded {
                            self.fail_map(parent.run, &name, threshold_error, error);
                            return;
                        }
                    }
                }
                self.map_progressed(parent.run, &name);
            }
            _ => {}
        }
    }

    fn fail_map(&mut self, run: RunId, name: &str, threshold_error: bool, error: StatesError) {
        let others: Vec<(usize, RunId)> = match self.active_mut(run).map(|a| &mut a.phase) {
            Some(Phase::Map(progress)) => progress
                .children
                .iter_mut()
                .enumerate()
                .filter_map(|(i, c)| c.take().map(|c| (i, c)))
                .collect(),
            _ => Vec::new(),
        };
        for (index, child) in others {
            let last = self.run(child).map(|r| r.last_event).unwrap_or(0);
            self.abort_run(child);
            let mut details = Map::new();
            details.insert("name".into(), Value::from(name));
            details.insert("index".into(), Value::from(index));
            self.emit_raw(last, EventType::MapIterationAborted, details);
        }
        self.emit(run, EventType::MapStateFailed, Map::new());
        let error = if threshold_error {
            StatesError::new(
                names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            )
        } else {
            error
        };
        self.queue.push_back(Work::Error { run, error });
    }

    /// After an iteration ended: start more, or finish the Map state.
    fn map_progressed(&mut self, run: RunId, name: &str) {
        let machine = self.machine.clone();
        let Some(crate::model::StateKind::Map(m)) =
            self.lookup(&machine, run, name).map(|s| &s.kind)
        else {
            return;
        };
        if let Err(e) = self.launch_iterations(run, name, m) {
            self.field_failure(run, e);
            return;
        }
        let finished = match self.active_mut(run).map(|a| &mut a.phase) {
            Some(Phase::Map(progress)) if progress.done == progress.items.len() => {
                Some(std::mem::take(&mut progress.results))
            }
            _ => None,
        };
        if let Some(results) = finished {
            self.emit(run, EventType::MapStateSucceeded, Map::new());
            self.queue.push_back(Work::Result {
                run,
                result: Value::Array(results),
            });
        }
    }

    /// Stops a run and everything under it: tasks and timers are cancelled and the
    /// states that were running record that they were aborted.
    pub(super) fn abort_run(&mut self, run: RunId) {
        let mut stack = vec![run];
        while let Some(id) = stack.pop() {
            let Some(taken) = self.take_run(id) else {
                continue;
            };
            let Some(active) = taken.active else {
                continue;
            };
            let aborted = match active.phase {
                Phase::Running => None,
                Phase::Task(task) => {
                    self.tasks.remove(&task.task);
                    self.out
                        .commands
                        .push(Command::CancelTask { task: task.task });
                    if let Some(t) = task.timeout {
                        self.cancel_timer(t);
                    }
                    if let Some((t, _)) = task.heartbeat {
                        self.cancel_timer(t);
                    }
                    Some(EventType::TaskStateAborted)
                }
                Phase::RetryDelay(timer) => {
                    self.cancel_timer(timer);
                    None
                }
                Phase::Wait { timer, .. } => {
                    self.cancel_timer(timer);
                    Some(EventType::WaitStateAborted)
                }
                Phase::Parallel(progress) => {
                    stack.extend(progress.children.into_iter().flatten());
                    Some(EventType::ParallelStateAborted)
                }
                Phase::Map(progress) => {
                    stack.extend(progress.children.into_iter().flatten());
                    Some(EventType::MapStateAborted)
                }
            };
            if let Some(event) = aborted {
                self.emit_raw(taken.last_event, event, Map::new());
            }
        }
    }
}

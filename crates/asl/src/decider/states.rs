//! Entering, finishing and failing states.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::children::{MapProgress, ParallelProgress};
use super::evaluate::Sources;
use super::task::TaskPhase;
use super::{Decider, EventType, RunId, TimerId, TimerPurpose, Work, context, graph_of, io};
use crate::entropy::{Entropy, SplitMix64};
use crate::error::{StatesError, names};
use crate::model::{
    Catcher, IoPath, NumberOrPath, QueryLanguage, ResultPathSpec, State, StateKind, StringOrPath,
    WaitFor,
};
use crate::path::{Scope, Variables};

use super::retry::{RetryDecision, decide_retry, find_catcher};

/// The most all the variables of one execution may hold, as JSON text.
const MAX_VARIABLES_BYTES: usize = 10 * 1024 * 1024;

/// The state a run is executing.
#[derive(Debug)]
pub(super) struct Active {
    pub name: String,
    /// The raw input the state was entered with.
    pub input: Value,
    pub entered_time: String,
    pub entered_event: u64,
    /// Attempts made so far, per retrier.
    pub retry_attempts: Vec<u64>,
    /// Retries so far, for `$$.State.RetryCount`.
    pub retry_count: u64,
    pub phase: Phase,
}

#[derive(Debug)]
pub(super) enum Phase {
    /// Being processed synchronously.
    Running,
    Task(TaskPhase),
    RetryDelay(TimerId),
    Wait {
        timer: TimerId,
        effective: Value,
    },
    Parallel(ParallelProgress),
    Map(MapProgress),
}

/// Variables visible from a run: its own, then its ancestors'.
pub(super) struct VarView<'a> {
    pub runs: &'a [Option<super::Run>],
    pub run: RunId,
}

impl Variables for VarView<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        let mut current = Some(self.run);
        while let Some(id) = current {
            let run = self.runs.get(id)?.as_ref()?;
            if let Some(v) = run.vars.get(name) {
                return Some(v);
            }
            current = run.parent.map(|p| p.run);
        }
        None
    }
}

impl Decider {
    /// Evaluates something against a scope whose `$` is `input`.
    pub(super) fn with_scope<T>(
        &mut self,
        run: RunId,
        input: &Value,
        f: impl FnOnce(&Scope<'_>, &mut SplitMix64) -> T,
    ) -> T {
        let vars = VarView {
            runs: &self.runs,
            run,
        };
        let scope = Scope {
            input,
            context: &self.context,
            variables: &vars,
        };
        f(&scope, &mut self.rng)
    }

    /// Like [`Decider::with_scope`], with `$` bound to the active state's raw input.
    pub(super) fn with_state_input<T>(
        &mut self,
        run: RunId,
        f: impl FnOnce(&Scope<'_>, &mut SplitMix64) -> Result<T, StatesError>,
    ) -> Result<T, StatesError> {
        let runs = &self.runs;
        let Some(active) = runs
            .get(run)
            .and_then(|r| r.as_ref())
            .and_then(|r| r.active.as_ref())
        else {
            return Err(StatesError::runtime("The state is no longer running."));
        };
        let vars = VarView { runs, run };
        let scope = Scope {
            input: &active.input,
            context: &self.context,
            variables: &vars,
        };
        f(&scope, &mut self.rng)
    }

    pub(super) fn active(&self, run: RunId) -> Option<&Active> {
        self.run(run)?.active.as_ref()
    }

    pub(super) fn active_mut(&mut self, run: RunId) -> Option<&mut Active> {
        self.run_mut(run)?.active.as_mut()
    }

    /// The definition of the state a run is in.
    pub(super) fn state_def(
        &self,
        run: RunId,
    ) -> Option<(std::sync::Arc<crate::model::StateMachine>, String)> {
        let name = self.active(run)?.name.clone();
        Some((self.machine.clone(), name))
    }
    pub(super) fn enter(&mut self, run: RunId, name: &str, input: Value, text: Option<String>) {
        let machine = self.machine.clone();
        let Some(steps) = self.run(run).map(|r| r.graph.clone()) else {
            return;
        };
        let Some(state) = graph_of(&machine, &steps).and_then(|g| g.state(name)) else {
            let error = StatesError::runtime(format!("The state '{name}' does not exist."));
            self.queue.push_back(Work::Ended {
                run,
                outcome: Err(error),
            });
            return;
        };
        let mut details = Map::new();
        details.insert("name".into(), Value::from(name));
        let text = text.unwrap_or_else(|| io::to_text(&input));
        details.insert("input".into(), Value::from(text));
        details.insert("inputDetails".into(), io::not_truncated());
        let entered_event = self.emit(run, EventType::entered(state.kind.type_name()), details);
        let entered_time = context::timestamp(self.now);
        let retryable = state.kind.result_handling().is_some();
        context::set_state(
            &mut self.context,
            name,
            &entered_time,
            retryable.then_some(0),
        );
        if let Some(r) = self.run_mut(run) {
            r.active = Some(Active {
                name: name.to_string(),
                input,
                entered_time,
                entered_event,
                retry_attempts: vec![0; state.kind.result_handling().map_or(0, |h| h.retry.len())],
                retry_count: 0,
                phase: Phase::Running,
            });
        }
        self.act(run, state);
    }

    /// Does what the state does, from its raw input. Also used to retry.
    pub(super) fn act(&mut self, run: RunId, state: &State) {
        let outcome = match &state.kind {
            StateKind::Pass(p) if state.query_language == QueryLanguage::Jsonata => {
                self.act_jsonata_pass(run, p)
            }
            StateKind::Pass(p) => self.act_pass(run, p),
            StateKind::Choice(c) if state.query_language == QueryLanguage::Jsonata => {
                self.act_jsonata_choice(run, c)
            }
            StateKind::Choice(c) => self.act_choice(run, c),
            StateKind::Wait(w) => self.act_wait(run, w),
            StateKind::Succeed(s) => self.act_succeed(run, s),
            StateKind::Fail(f) => {
                let error = self.fail_error(run, f);
                match error {
                    Ok(error) => {
                        self.queue.push_back(Work::Ended {
                            run,
                            outcome: Err(error),
                        });
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            StateKind::Task(t) => self.start_task(run, &state.name, t),
            StateKind::Parallel(p) => self.start_parallel(run, &state.name, p),
            StateKind::Map(m) => self.start_map(run, &state.name, m),
        };
        if let Err(e) = outcome {
            self.field_failure(run, e);
        }
    }
    fn act_pass(&mut self, run: RunId, p: &crate::model::Pass) -> Result<(), StatesError> {
        let result = self.with_state_input(run, |s, rng| {
            let effective = io::select_io_cow(&p.input_path, s)?;
            match (&p.result, &p.parameters) {
                (Some(r), _) => Ok(r.clone()),
                (None, Some(params)) => {
                    let scope = Scope {
                        input: &effective,
                        context: s.context,
                        variables: s.variables,
                    };
                    params.evaluate(&scope, rng)
                }
                (None, None) => Ok(effective.into_owned()),
            }
        })?;
        let assigned = self.eval_assign(run, p.assign.as_ref(), &Sources::input(&result))?;
        let input = self.take_input(run);
        let after = io::apply_result_path(&p.result_path, input, result)?;
        let output = self.output_of(run, &p.output_path, after)?;
        self.exit(run, output, assigned, next_of(&p.transition));
        Ok(())
    }

    /// A JSONata Pass state: `Output` (the input by default) and `Assign`, both from
    /// the values before the state.
    fn act_jsonata_pass(&mut self, run: RunId, p: &crate::model::Pass) -> Result<(), StatesError> {
        let input = self.take_input(run);
        let (output, assigned) = self.outcome(
            run,
            p.output.as_ref(),
            p.assign.as_ref(),
            &Sources::input(&input),
        )?;
        self.exit(
            run,
            output.unwrap_or(input),
            assigned,
            next_of(&p.transition),
        );
        Ok(())
    }

    /// A JSONata Choice state: the first rule whose `Condition` is true; that rule's
    /// `Output` (else the state's, else the input) and `Assign` (over the state's).
    fn act_jsonata_choice(
        &mut self,
        run: RunId,
        c: &crate::model::Choice,
    ) -> Result<(), StatesError> {
        let input = self.take_input(run);
        let sources = Sources::input(&input);
        let mut matched = None;
        for rule in &c.choices {
            let crate::model::Condition::Jsonata(condition) = &rule.condition else {
                continue;
            };
            match self.eval_jsonata(run, "Condition", condition, &sources)? {
                Value::Bool(true) => {
                    matched = Some(rule);
                    break;
                }
                Value::Bool(false) => {}
                other => {
                    return Err(StatesError::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "The Condition of a choice rule must evaluate to a boolean, but was {}",
                            io::to_text(&other)
                        ),
                    ));
                }
            }
        }
        let (next, rule_output, rule_assign) = match matched {
            Some(rule) => (
                rule.next.clone(),
                rule.output.as_ref(),
                rule.assign.as_ref(),
            ),
            None => match &c.default {
                Some(d) => (d.clone(), None, None),
                None => {
                    return Err(StatesError::new(names::NO_CHOICE_MATCHED, "No Matches!"));
                }
            },
        };
        let mut assigned = self.eval_assign(run, c.assign.as_ref(), &sources)?;
        if let Some(rule) = self.eval_assign(run, rule_assign, &sources)? {
            assigned.get_or_insert_with(Map::new).extend(rule);
        }
        let output = match rule_output.or(c.output.as_ref()) {
            Some(template) => self.eval_jsonata(run, "Output", template, &sources)?,
            None => input,
        };
        self.exit(run, output, assigned, Some(&next));
        Ok(())
    }

    /// A whole number given in the definition or read with its `…Path` field from
    /// `input`; a path must select an integer of at least `minimum`.
    pub(super) fn whole_number(
        &mut self,
        run: RunId,
        input: &Value,
        field: Option<&NumberOrPath<u64>>,
        name: &str,
        minimum: u64,
    ) -> Result<Option<u64>, StatesError> {
        match field {
            None => Ok(None),
            Some(NumberOrPath::Value(v)) => Ok(Some(*v)),
            Some(NumberOrPath::Expression(e)) => {
                let field = name.strip_suffix("Path").unwrap_or(name);
                self.whole_number_expression(run, field, e, &Sources::input(input), minimum)
                    .map(Some)
            }
            Some(NumberOrPath::Path(path)) => {
                let value = self.with_scope(run, input, |s, _| io::select_required(path, s))?;
                match value.as_u64() {
                    Some(n) if n >= minimum => Ok(Some(n)),
                    _ => Err(StatesError::runtime(format!(
                        "The value for the field '{name}' must be an integer of at least {minimum}, but was {}",
                        io::to_text(&value)
                    ))),
                }
            }
        }
    }

    /// Takes the active state's raw input, for states that no longer need it.
    fn take_input(&mut self, run: RunId) -> Value {
        self.active_mut(run)
            .map(|a| std::mem::take(&mut a.input))
            .unwrap_or(Value::Null)
    }

    /// The effective input (after `InputPath`) of a state that does not need its raw
    /// input again.
    fn effective_input(&mut self, run: RunId, path: &IoPath) -> Result<Value, StatesError> {
        match path {
            IoPath::Whole => Ok(self.take_input(run)),
            _ => self.with_state_input(run, |s, _| io::select_io(path, s)),
        }
    }

    /// Applies `OutputPath` to a document the state is done with.
    pub(super) fn output_of(
        &mut self,
        run: RunId,
        path: &IoPath,
        document: Value,
    ) -> Result<Value, StatesError> {
        match path {
            IoPath::Whole => Ok(document),
            _ => self.with_scope(run, &document, |s, _| io::select_io(path, s)),
        }
    }

    fn act_choice(&mut self, run: RunId, c: &crate::model::Choice) -> Result<(), StatesError> {
        let effective = self.effective_input(run, &c.input_path)?;
        let matched = self.with_scope(run, &effective, |s, _| {
            super::choice::first_match(&c.choices, s)
        })?;
        let (next, rule_assign) = match matched {
            Some(i) => (c.choices[i].next.clone(), c.choices[i].assign.as_ref()),
            None => match &c.default {
                Some(d) => (d.clone(), None),
                None => {
                    return Err(StatesError::new(names::NO_CHOICE_MATCHED, "No Matches!"));
                }
            },
        };
        let sources = Sources::input(&effective);
        let mut assigned = self.eval_assign(run, c.assign.as_ref(), &sources)?;
        if let Some(rule) = self.eval_assign(run, rule_assign, &sources)? {
            assigned.get_or_insert_with(Map::new).extend(rule);
        }
        let output = self.output_of(run, &c.output_path, effective)?;
        self.exit(run, output, assigned, Some(&next));
        Ok(())
    }

    fn act_wait(&mut self, run: RunId, w: &crate::model::Wait) -> Result<(), StatesError> {
        let effective = self.effective_input(run, &w.input_path)?;
        let now = self.now;
        let fire_at = match &w.wait_for {
            WaitFor::SecondsExpression(e) => {
                let seconds = self.whole_number_expression(
                    run,
                    "Seconds",
                    e,
                    &Sources::input(&effective),
                    0,
                )?;
                let wait_for = WaitFor::Seconds(seconds);
                self.with_scope(run, &effective, |s, _| wait_until(&wait_for, s, now))?
            }
            WaitFor::TimestampExpression(e) => {
                match self.eval_expression(run, "Timestamp", e, &Sources::input(&effective))? {
                    Value::String(t) => {
                        let wait_for = WaitFor::Timestamp(t);
                        self.with_scope(run, &effective, |s, _| wait_until(&wait_for, s, now))?
                    }
                    other => {
                        return Err(StatesError::new(
                            names::QUERY_EVALUATION_ERROR,
                            format!(
                                "The value of the field 'Timestamp' must be a timestamp string, but was {}",
                                io::to_text(&other)
                            ),
                        ));
                    }
                }
            }
            wait_for => self.with_scope(run, &effective, |s, _| wait_until(wait_for, s, now))?,
        };
        if fire_at <= self.now {
            return self.finish_wait(run, w, effective);
        }
        let timer = self.start_timer_at(TimerPurpose::Wait(run), fire_at);
        if let Some(active) = self.active_mut(run) {
            active.phase = Phase::Wait { timer, effective };
        }
        Ok(())
    }

    fn finish_wait(
        &mut self,
        run: RunId,
        w: &crate::model::Wait,
        effective: Value,
    ) -> Result<(), StatesError> {
        let (output, assigned) = self.outcome(
            run,
            w.output.as_ref(),
            w.assign.as_ref(),
            &Sources::input(&effective),
        )?;
        let output = match output {
            Some(output) => output,
            None => self.output_of(run, &w.output_path, effective)?,
        };
        self.exit(run, output, assigned, next_of(&w.transition));
        Ok(())
    }

    pub(super) fn wait_elapsed(&mut self, run: RunId) {
        let Some(active) = self.active_mut(run) else {
            return;
        };
        let Phase::Wait { effective, .. } = std::mem::replace(&mut active.phase, Phase::Running)
        else {
            return;
        };
        let Some((machine, name)) = self.state_def(run) else {
            return;
        };
        let Some(StateKind::Wait(w)) = self.lookup(&machine, run, &name).map(|s| &s.kind) else {
            return;
        };
        if let Err(e) = self.finish_wait(run, w, effective) {
            self.field_failure(run, e);
        }
        self.drain();
    }

    fn act_succeed(&mut self, run: RunId, s: &crate::model::Succeed) -> Result<(), StatesError> {
        let effective = self.effective_input(run, &s.input_path)?;
        let output = match &s.output {
            Some(template) => {
                self.eval_jsonata(run, "Output", template, &Sources::input(&effective))?
            }
            None => self.output_of(run, &s.output_path, effective)?,
        };
        self.exit(run, output, None, None);
        Ok(())
    }

    fn fail_error(
        &mut self,
        run: RunId,
        f: &crate::model::Fail,
    ) -> Result<StatesError, StatesError> {
        let error = self.fail_field(run, f.error.as_ref(), "ErrorPath", "Error")?;
        let cause = self.fail_field(run, f.cause.as_ref(), "CausePath", "Cause")?;
        Ok(StatesError::new(error, cause))
    }

    fn fail_field(
        &mut self,
        run: RunId,
        field: Option<&StringOrPath>,
        name: &str,
        jsonata_name: &str,
    ) -> Result<String, StatesError> {
        match field {
            None => Ok(String::new()),
            Some(StringOrPath::Value(s)) => Ok(s.clone()),
            Some(StringOrPath::Expression(e)) => {
                let input = self
                    .active(run)
                    .map(|a| a.input.clone())
                    .unwrap_or_default();
                match self.eval_expression(run, jsonata_name, e, &Sources::input(&input))? {
                    Value::String(s) => Ok(s),
                    other => Err(StatesError::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "The value of the field '{jsonata_name}' must be a string, but was {}",
                            io::to_text(&other)
                        ),
                    )),
                }
            }
            Some(StringOrPath::Path(t)) => {
                match self.with_state_input(run, |s, rng| t.evaluate_field(name, s, rng))? {
                    Value::String(s) => Ok(s),
                    other => Err(StatesError::runtime(format!(
                        "The value for the field '{name}' must be a STRING, but was {}",
                        io::to_text(&other)
                    ))),
                }
            }
        }
    }

    /// Processes the raw result of a Task, Parallel or Map state.
    pub(super) fn state_result(&mut self, run: RunId, result: Value) {
        let Some((machine, name)) = self.state_def(run) else {
            return;
        };
        let Some(state) = self.lookup(&machine, run, &name) else {
            return;
        };
        let Some(handling) = state.kind.result_handling() else {
            return;
        };
        if state.query_language == QueryLanguage::Jsonata {
            let input = self.take_input(run);
            let sources = Sources {
                document: &result,
                input: &input,
                result: Some(&result),
                error_output: None,
            };
            let processed = self.outcome(run, handling.output, handling.assign, &sources);
            match processed {
                Ok((output, assigned)) => self.exit(
                    run,
                    output.unwrap_or(result),
                    assigned,
                    next_of(handling.transition),
                ),
                Err(e) => {
                    // A catcher's `$states.input` is still the state's input.
                    if let Some(active) = self.active_mut(run) {
                        active.input = input;
                    }
                    self.field_failure(run, e)
                }
            }
            return;
        }
        let processed = (|| {
            let selected = match handling.result_selector {
                Some(sel) => self.eval_template(run, sel, &result)?,
                None => result,
            };
            let assigned = self.eval_assign(run, handling.assign, &Sources::input(&selected))?;
            // The raw input stays with the state until this succeeds: a failing
            // ResultPath may still be caught, and the catcher writes into that input.
            let input = match handling.result_path {
                ResultPathSpec::Replace => Value::Null,
                _ => self
                    .active(run)
                    .map(|a| a.input.clone())
                    .unwrap_or(Value::Null),
            };
            let after = io::apply_result_path(handling.result_path, input, selected)?;
            let output = self.output_of(run, handling.output_path, after)?;
            Ok::<_, StatesError>((output, assigned))
        })();
        match processed {
            Ok((output, assigned)) => {
                self.exit(run, output, assigned, next_of(handling.transition))
            }
            Err(e) => self.field_failure(run, e),
        }
    }

    /// An error raised while processing a state's own fields. Runtime errors name the
    /// state and where it was entered, as Step Functions does.
    pub(super) fn field_failure(&mut self, run: RunId, mut error: StatesError) {
        if (error.error == names::RUNTIME || error.error == names::QUERY_EVALUATION_ERROR)
            && let Some(active) = self.active(run)
        {
            error.cause = format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {}",
                active.name, active.entered_event, error.cause
            );
        }
        self.state_error(run, error);
    }

    /// The active state raised an error: retry it, catch it, or fail the run.
    pub(super) fn state_error(&mut self, run: RunId, error: StatesError) {
        let Some((machine, name)) = self.state_def(run) else {
            return;
        };
        let Some(state) = self.lookup(&machine, run, &name) else {
            return;
        };
        let (retriers, catchers) = state
            .kind
            .result_handling()
            .map_or((&[][..], &[][..]), |h| (h.retry, h.catch));
        let jitter = self.rng.next_f64();
        let attempts = self
            .active(run)
            .map(|a| a.retry_attempts.clone())
            .unwrap_or_default();
        if let RetryDecision::Retry {
            index,
            delay_seconds,
        } = decide_retry(retriers, &attempts, &error.error, jitter)
        {
            let timer = self.start_timer(TimerPurpose::Retry(run), delay_seconds);
            if let Some(active) = self.active_mut(run) {
                if let Some(a) = active.retry_attempts.get_mut(index) {
                    *a += 1;
                }
                active.retry_count += 1;
                active.phase = Phase::RetryDelay(timer);
            }
            return;
        }
        if let Some(catcher) = find_catcher(catchers, &error.error) {
            match self.catch(run, catcher, &error) {
                Ok(()) => return,
                Err(e) => {
                    self.queue.push_back(Work::Ended {
                        run,
                        outcome: Err(e),
                    });
                    return;
                }
            }
        }
        self.queue.push_back(Work::Ended {
            run,
            outcome: Err(error),
        });
    }

    fn catch(
        &mut self,
        run: RunId,
        catcher: &Catcher,
        error: &StatesError,
    ) -> Result<(), StatesError> {
        let mut error_output = Map::new();
        error_output.insert("Error".into(), Value::from(error.error.clone()));
        error_output.insert("Cause".into(), Value::from(error.cause.clone()));
        let error_output = Value::Object(error_output);
        let input = self.take_input(run);
        let sources = Sources {
            document: &error_output,
            input: &input,
            result: None,
            error_output: Some(&error_output),
        };
        let (output, assigned) = self.outcome(
            run,
            catcher.output.as_ref(),
            catcher.assign.as_ref(),
            &sources,
        )?;
        let output = match output {
            Some(output) => output,
            None => io::apply_result_path(&catcher.result_path, input, error_output)?,
        };
        self.exit(run, output, assigned, Some(&catcher.next));
        Ok(())
    }

    pub(super) fn retry_elapsed(&mut self, run: RunId) {
        let Some((machine, name)) = self.state_def(run) else {
            return;
        };
        let Some(state) = self.lookup(&machine, run, &name) else {
            return;
        };
        if let Some(active) = self.active_mut(run) {
            active.phase = Phase::Running;
            let (name, entered, count) = (
                active.name.clone(),
                active.entered_time.clone(),
                active.retry_count,
            );
            context::set_state(&mut self.context, &name, &entered, Some(count));
        }
        self.act(run, state);
        self.drain();
    }

    /// Leaves the active state with `output`, going to `next` or ending the run.
    pub(super) fn exit(
        &mut self,
        run: RunId,
        output: Value,
        assigned: Option<Map<String, Value>>,
        next: Option<&str>,
    ) {
        let Some(active) = self.active(run) else {
            return;
        };
        let name = active.name.clone();
        let text = io::to_text(&output);
        if let Err(e) = io::check_size(&text, &name) {
            self.state_error(run, e);
            return;
        }
        let machine = self.machine.clone();
        let type_name = self
            .lookup(&machine, run, &name)
            .map(|s| s.kind.type_name())
            .unwrap_or("Pass");
        let mut details = Map::new();
        details.insert("name".into(), Value::from(name)); // The next state's entered event carries the same text.
        let text_for_next = text.clone();
        details.insert("output".into(), Value::from(text));
        details.insert("outputDetails".into(), io::not_truncated());
        let mut vars_bytes = None;
        if let Some(vars) = &assigned {
            let texts: Map<String, Value> = vars
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(io::to_text(v))))
                .collect();
            match self.variables_bytes_after(run, &texts) {
                Ok(bytes) => vars_bytes = Some(bytes),
                Err(e) => {
                    self.state_error(run, e);
                    return;
                }
            }
            details.insert("assignedVariables".into(), Value::Object(texts));
            details.insert("assignedVariablesDetails".into(), io::not_truncated());
        }
        self.emit(run, EventType::exited(type_name), details);
        if let Some(r) = self.run_mut(run) {
            r.active = None;
            if let Some(vars) = assigned {
                r.vars.extend(vars);
            }
            if let Some(bytes) = vars_bytes {
                r.vars_bytes = bytes;
            }
        }
        match next {
            Some(next) => self.queue.push_back(Work::Enter {
                run,
                state: next.to_string(),
                input: output,
                text: Some(text_for_next),
            }),
            None => self.queue.push_back(Work::Ended {
                run,
                outcome: Ok(output),
            }),
        }
    }

    /// The size of `run`'s variables once `assigned` (name → JSON text) is stored, or
    /// the error of a limit it breaks. "The maximum size of a single variable is 256Kib
    /// … The maximum combined size for all variables in a single Assign field is also
    /// 256Kib … The total size of all stored variables cannot exceed 10MiB per
    /// execution" (Developer Guide, "Passing data between states with variables"; the
    /// error AWS raises is not documented: weft raises States.DataLimitExceeded).
    fn variables_bytes_after(
        &self,
        run: RunId,
        assigned: &Map<String, Value>,
    ) -> Result<usize, StatesError> {
        let size = |text: &Value| text.as_str().map_or(0, str::len);
        let limit = |what: String| {
            StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!("{what} exceeds the maximum number of bytes service limit."),
            )
        };
        if let Some((name, _)) = assigned
            .iter()
            .find(|(_, t)| size(t) > super::MAX_PAYLOAD_BYTES)
        {
            return Err(limit(format!("The value of the variable '{name}'")));
        }
        let combined: usize = assigned.values().map(size).sum();
        if combined > super::MAX_PAYLOAD_BYTES {
            return Err(limit(
                "The combined size of the variables of one Assign".into(),
            ));
        }
        let Some(current) = self.run(run) else {
            return Ok(0);
        };
        let replaced: usize = assigned
            .keys()
            .filter_map(|name| current.vars.get(name))
            .map(|value| io::to_text(value).len())
            .sum();
        let own = current.vars_bytes + combined - replaced.min(current.vars_bytes);
        let others: usize = self
            .runs
            .iter()
            .enumerate()
            .filter(|(id, _)| *id != run)
            .filter_map(|(_, r)| r.as_ref())
            .map(|r| r.vars_bytes)
            .sum();
        if own + others > MAX_VARIABLES_BYTES {
            return Err(limit("The total size of the execution's variables".into()));
        }
        Ok(own)
    }

    pub(super) fn lookup<'m>(
        &self,
        machine: &'m crate::model::StateMachine,
        run: RunId,
        name: &str,
    ) -> Option<&'m State> {
        let steps = &self.run(run)?.graph;
        graph_of(machine, steps)?.state(name)
    }
}

fn next_of(transition: &crate::model::Transition) -> Option<&str> {
    match transition {
        crate::model::Transition::Next(n) => Some(n),
        crate::model::Transition::End => None,
    }
}

/// When a Wait state ends.
fn wait_until(
    wait: &WaitFor,
    scope: &Scope<'_>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, StatesError> {
    let after_seconds = |seconds: u64| {
        let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
        chrono::Duration::try_seconds(seconds)
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    let parse = |text: &str| super::choice::parse_timestamp(text).map(|t| t.with_timezone(&Utc));
    match wait {
        WaitFor::Seconds(s) => Ok(after_seconds(*s)),
        WaitFor::Timestamp(t) => parse(t).ok_or_else(|| {
            StatesError::runtime(format!(
                "The value '{t}' of the field 'Timestamp' is not a valid timestamp."
            ))
        }),
        WaitFor::SecondsPath(p) => {
            let value = io::select_required(p, scope)?;
            match value.as_u64() {
                Some(s) => Ok(after_seconds(s)),
                None => Err(StatesError::runtime(format!(
                    "The SecondsPath parameter does not reference a valid integer value: {}",
                    io::to_text(&value)
                ))),
            }
        }
        // Evaluated by the caller, which has the JSONata bindings.
        WaitFor::SecondsExpression(_) | WaitFor::TimestampExpression(_) => Err(
            StatesError::runtime("The wait time of a JSONata state is evaluated beforehand."),
        ),
        WaitFor::TimestampPath(p) => {
            let value = io::select_required(p, scope)?;
            value.as_str().and_then(parse).ok_or_else(|| {
                StatesError::runtime(format!(
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {}",
                    io::to_text(&value)
                ))
            })
        }
    }
}

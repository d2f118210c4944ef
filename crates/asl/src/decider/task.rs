//! Task states: scheduling the work, and its result, failure, heartbeats and time-outs.

use serde_json::{Map, Value};

use super::states::Phase;
use super::{
    Command, Decider, EventType, RunId, TaskId, TaskRequest, TimerId, TimerPurpose, Work, context,
    io,
};
use crate::entropy::Entropy;
use crate::error::StatesError;
use crate::model::Task;

/// What kind of work a `Resource` names; it decides which history events are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskFamily {
    /// An optimized or SDK integration, `arn:aws:states:::<type>:<resource>`.
    Service {
        resource_type: String,
        resource: String,
    },
    /// A Lambda function ARN used directly as the resource.
    Lambda,
    /// An activity ARN.
    Activity,
}

impl TaskFamily {
    pub fn of(resource: &str) -> TaskFamily {
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, "states", "", "", rest] => {
                let (resource_type, name) = match rest.strip_prefix("aws-sdk:") {
                    Some(sdk) => match sdk.split_once(':') {
                        Some((service, action)) => {
                            (format!("aws-sdk:{service}"), action.to_string())
                        }
                        None => ("aws-sdk".to_string(), sdk.to_string()),
                    },
                    None => match rest.split_once(':') {
                        Some((t, r)) => (t.to_string(), r.to_string()),
                        None => (rest.to_string(), String::new()),
                    },
                };
                TaskFamily::Service {
                    resource_type,
                    resource: name,
                }
            }
            ["arn", _, "states", _, _, rest] if rest.starts_with("activity:") => {
                TaskFamily::Activity
            }
            ["arn", _, "lambda", ..] => TaskFamily::Lambda,
            _ => TaskFamily::Service {
                resource_type: "unknown".into(),
                resource: resource.to_string(),
            },
        }
    }

    fn scheduled(&self) -> EventType {
        match self {
            TaskFamily::Service { .. } => EventType::TaskScheduled,
            TaskFamily::Lambda => EventType::LambdaFunctionScheduled,
            TaskFamily::Activity => EventType::ActivityScheduled,
        }
    }

    fn succeeded(&self) -> EventType {
        match self {
            TaskFamily::Service { .. } => EventType::TaskSucceeded,
            TaskFamily::Lambda => EventType::LambdaFunctionSucceeded,
            TaskFamily::Activity => EventType::ActivitySucceeded,
        }
    }

    fn failed(&self) -> EventType {
        match self {
            TaskFamily::Service { .. } => EventType::TaskFailed,
            TaskFamily::Lambda => EventType::LambdaFunctionFailed,
            TaskFamily::Activity => EventType::ActivityFailed,
        }
    }

    fn timed_out(&self) -> EventType {
        match self {
            TaskFamily::Service { .. } => EventType::TaskTimedOut,
            TaskFamily::Lambda => EventType::LambdaFunctionTimedOut,
            TaskFamily::Activity => EventType::ActivityTimedOut,
        }
    }

    /// Details every event of a service task starts with.
    fn base_details(&self) -> Map<String, Value> {
        let mut details = Map::new();
        if let TaskFamily::Service {
            resource_type,
            resource,
        } = self
        {
            details.insert("resourceType".into(), Value::from(resource_type.clone()));
            details.insert("resource".into(), Value::from(resource.clone()));
        }
        details
    }
}

/// A Task state waiting for its work.
#[derive(Debug)]
pub(super) struct TaskPhase {
    pub task: TaskId,
    pub family: TaskFamily,
    pub timeout: Option<TimerId>,
    pub heartbeat: Option<(TimerId, u64)>,
}

impl Decider {
    pub(super) fn start_task(
        &mut self,
        run: RunId,
        name: &str,
        t: &Task,
    ) -> Result<(), StatesError> {
        let effective = self.with_state_input(run, |s, _| io::select_io(&t.input_path, s))?;
        let timeout_seconds = self.whole_number(
            run,
            &effective,
            t.timeout_seconds.as_ref(),
            "TimeoutSecondsPath",
            1,
        )?;
        let heartbeat_seconds = self.whole_number(
            run,
            &effective,
            t.heartbeat_seconds.as_ref(),
            "HeartbeatSecondsPath",
            1,
        )?;
        let task_token = t
            .resource
            .ends_with(".waitForTaskToken")
            .then(|| self.rng.uuid_v4());
        let token_member = task_token.as_ref().map(|token| {
            let mut task = Map::new();
            task.insert("Token".into(), Value::from(token.clone()));
            Value::Object(task)
        });
        context::set_member(&mut self.context, "Task", token_member);
        let field = match t.parameters {
            Some(crate::model::Payload::Jsonata(_)) => "Arguments",
            _ => "Parameters",
        };
        let parameters = match &t.parameters {
            Some(p) => {
                self.eval_payload(run, field, p, &super::evaluate::Sources::input(&effective))
            }
            None => Ok(effective),
        };
        context::set_member(&mut self.context, "Task", None);
        let parameters = parameters?;
        let parameters_text = io::to_text(&parameters);
        io::check_size(&parameters_text, name)?;

        let invocation = {
            let counter = self.invocations.entry(name.to_string()).or_insert(0);
            let n = *counter;
            *counter += 1;
            n
        };
        let task = TaskId(self.fresh_id());
        self.tasks.insert(task, run);
        let family = TaskFamily::of(&t.resource);

        let mut details = family.base_details();
        match family {
            TaskFamily::Service { .. } => {
                details.insert("region".into(), Value::from(self.meta.region.clone()));
                details.insert("parameters".into(), Value::from(parameters_text));
            }
            TaskFamily::Lambda | TaskFamily::Activity => {
                details.insert("resource".into(), Value::from(t.resource.clone()));
                details.insert("input".into(), Value::from(parameters_text));
                details.insert("inputDetails".into(), io::not_truncated());
            }
        }
        if let Some(s) = timeout_seconds {
            details.insert("timeoutInSeconds".into(), Value::from(s));
        }
        if let Some(s) = heartbeat_seconds {
            details.insert("heartbeatInSeconds".into(), Value::from(s));
        }
        self.emit(run, family.scheduled(), details);
        match family {
            TaskFamily::Service { .. } => {
                self.emit(run, EventType::TaskStarted, family.base_details());
            }
            TaskFamily::Lambda => {
                self.emit(run, EventType::LambdaFunctionStarted, Map::new());
            }
            // An activity starts when a worker takes it.
            TaskFamily::Activity => {}
        }

        self.out.commands.push(Command::RunTask(TaskRequest {
            task,
            state_name: name.to_string(),
            resource: t.resource.clone(),
            parameters,
            invocation,
            task_token,
            timeout_seconds,
            heartbeat_seconds,
        }));
        let timeout =
            timeout_seconds.map(|s| self.start_timer(TimerPurpose::TaskTimeout(task), s as f64));
        let heartbeat = heartbeat_seconds
            .map(|s| (self.start_timer(TimerPurpose::Heartbeat(task), s as f64), s));
        if let Some(active) = self.active_mut(run) {
            active.phase = Phase::Task(TaskPhase {
                task,
                family,
                timeout,
                heartbeat,
            });
        }
        Ok(())
    }

    /// Removes the task from the run's active state if that state still waits for it.
    fn claim_task(&mut self, task: TaskId) -> Option<(RunId, TaskPhase)> {
        let run = self.tasks.remove(&task)?;
        let active = self.active_mut(run)?;
        match &active.phase {
            Phase::Task(p) if p.task == task => {}
            _ => return None,
        }
        let Phase::Task(phase) = std::mem::replace(&mut active.phase, Phase::Running) else {
            return None;
        };
        if let Some(timer) = phase.timeout {
            self.cancel_timer(timer);
        }
        if let Some((timer, _)) = phase.heartbeat {
            self.cancel_timer(timer);
        }
        Some((run, phase))
    }

    pub(super) fn task_succeeded(&mut self, task: TaskId, output: Value) {
        let Some((run, phase)) = self.claim_task(task) else {
            return;
        };
        let text = io::to_text(&output);
        let mut details = phase.family.base_details();
        details.insert("output".into(), Value::from(text.clone()));
        details.insert("outputDetails".into(), io::not_truncated());
        self.emit(run, phase.family.succeeded(), details);
        let name = self.active(run).map(|a| a.name.clone()).unwrap_or_default();
        match io::check_size(&text, &name) {
            Ok(()) => self.queue.push_back(Work::Result {
                run,
                result: output,
            }),
            Err(e) => self.queue.push_back(Work::Error { run, error: e }),
        }
    }

    pub(super) fn task_failed(&mut self, task: TaskId, error: StatesError) {
        let Some((run, phase)) = self.claim_task(task) else {
            return;
        };
        let mut details = phase.family.base_details();
        details.insert("error".into(), Value::from(error.error.clone()));
        details.insert("cause".into(), Value::from(error.cause.clone()));
        self.emit(run, phase.family.failed(), details);
        self.queue.push_back(Work::Error { run, error });
    }

    pub(super) fn task_heartbeat(&mut self, task: TaskId) {
        let Some(&run) = self.tasks.get(&task) else {
            return;
        };
        let Some(Phase::Task(phase)) = self.active(run).map(|a| &a.phase) else {
            return;
        };
        let Some((old, seconds)) = phase.heartbeat else {
            return;
        };
        self.cancel_timer(old);
        let timer = self.start_timer(TimerPurpose::Heartbeat(task), seconds as f64);
        if let Some(active) = self.active_mut(run)
            && let Phase::Task(phase) = &mut active.phase
        {
            phase.heartbeat = Some((timer, seconds));
        }
    }
    pub(super) fn task_timed_out(&mut self, task: TaskId, error_name: &str) {
        // The timer that fired is already forgotten; claiming cancels the other one.
        let Some((run, phase)) = self.claim_task(task) else {
            return;
        };
        self.out.commands.push(Command::CancelTask { task });
        let cause = if error_name == crate::error::names::HEARTBEAT_TIMEOUT {
            "The task did not send a heartbeat within its HeartbeatSeconds."
        } else {
            "The task did not finish within its TimeoutSeconds."
        };
        let mut details = phase.family.base_details();
        details.insert("error".into(), Value::from(error_name));
        details.insert("cause".into(), Value::from(cause));
        self.emit(run, phase.family.timed_out(), details);
        self.queue.push_back(Work::Error {
            run,
            error: StatesError::new(error_name, cause),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_classified() {
        assert_eq!(
            TaskFamily::of("arn:aws:states:::lambda:invoke"),
            TaskFamily::Service {
                resource_type: "lambda".into(),
                resource: "invoke".into()
            }
        );
        assert_eq!(
            TaskFamily::of("arn:aws:states:::aws-sdk:s3:getObject"),
            TaskFamily::Service {
                resource_type: "aws-sdk:s3".into(),
                resource: "getObject".into()
            }
        );
        assert_eq!(
            TaskFamily::of("arn:aws:states:::states:startExecution.sync:2"),
            TaskFamily::Service {
                resource_type: "states".into(),
                resource: "startExecution.sync:2".into()
            }
        );
        assert_eq!(
            TaskFamily::of("arn:aws:lambda:us-east-1:123456789012:function:f"),
            TaskFamily::Lambda
        );
        assert_eq!(
            TaskFamily::of("arn:aws:states:us-east-1:123456789012:activity:a"),
            TaskFamily::Activity
        );
    }
}

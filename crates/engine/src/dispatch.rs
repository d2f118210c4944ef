//! Deciding how a Task's work is done: by a mocked response, by a real HTTP call (an
//! HTTP Task, or a request of an Arazzo workflow), or not at all (with an error that
//! says what is missing).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;
use weft_asl::decider::TaskRequest;
use weft_asl::error::{StatesError, names};

use crate::arazzo::transport::{HttpTransport, Transport};
use crate::http_task::HttpTask;
use crate::mock_config::MockConfig;

/// The resource that weft performs for real.
pub const HTTP_INVOKE: &str = "arn:aws:states:::http:invoke";

/// The resource of a request an Arazzo workflow sends: its parameters are the
/// `weft_arazzo::exchange::HttpRequest`, its output the `HttpResponse`. Not an ARN, so
/// no ASL definition can name it.
pub const ARAZZO_HTTP: &str = "weft:arazzo:http";

/// How a task ends.
pub type TaskOutcome = Result<Value, StatesError>;

/// A task whose outcome is known now (it may be delivered after a delay), or one that
/// is still being performed.
pub enum Resolution {
    Ready {
        outcome: TaskOutcome,
        delay_seconds: f64,
    },
    Pending(Pin<Box<dyn Future<Output = TaskOutcome> + Send>>),
}

/// Which mocked responses apply to an execution.
#[derive(Clone)]
pub struct MockSelection {
    pub config: Arc<MockConfig>,
    pub state_machine: String,
    pub test_case: String,
}

/// Resolves tasks for one execution.
#[derive(Clone)]
pub struct Dispatcher {
    mocks: Option<MockSelection>,
    http: HttpTask,
    /// Sends the requests of Arazzo workflows (signing those that ask for SigV4).
    arazzo: Option<Arc<HttpTransport>>,
}

impl Dispatcher {
    pub fn new(mocks: Option<MockSelection>, http: HttpTask) -> Dispatcher {
        Dispatcher {
            mocks,
            http,
            arazzo: None,
        }
    }

    /// Performs [`ARAZZO_HTTP`] tasks with `transport`.
    pub fn with_arazzo(self, transport: Arc<HttpTransport>) -> Dispatcher {
        Dispatcher {
            arazzo: Some(transport),
            ..self
        }
    }

    pub fn resolve(&self, request: &TaskRequest) -> Resolution {
        if let Some((outcome, delay_seconds)) = self.mocked(request) {
            return Resolution::Ready {
                outcome,
                delay_seconds,
            };
        }
        if request.resource == HTTP_INVOKE {
            let http = self.http.clone();
            let arguments = request.parameters.clone();
            return Resolution::Pending(Box::pin(async move { http.invoke(&arguments).await }));
        }
        if request.resource == ARAZZO_HTTP
            && let Some(transport) = &self.arazzo
        {
            let transport = transport.clone();
            let parameters = request.parameters.clone();
            return Resolution::Pending(Box::pin(async move {
                send_arazzo(&*transport, parameters).await
            }));
        }
        Resolution::Ready {
            outcome: Err(StatesError::new(
                names::TASK_FAILED,
                self.missing_cause(request),
            )),
            delay_seconds: 0.0,
        }
    }

    /// The mocked outcome and its delay in seconds, when the test case mocks the state.
    fn mocked(&self, request: &TaskRequest) -> Option<(TaskOutcome, f64)> {
        let mocks = self.mocks.as_ref()?;
        let test_case = mocks
            .config
            .test_case(&mocks.state_machine, &mocks.test_case)?;
        Some(
            match test_case.response(&request.state_name, request.invocation)? {
                Ok(step) => (step.result(), step.delay.as_secs_f64()),
                Err(missing) => (Err(missing), 0.0),
            },
        )
    }

    fn missing_cause(&self, request: &TaskRequest) -> String {
        let mock_part = match &self.mocks {
            Some(m) => format!(
                "test case '{}' of state machine '{}' in the mock configuration has no response for state '{}' (invocation {})",
                m.test_case, m.state_machine, request.state_name, request.invocation
            ),
            None => format!(
                "no mock configuration answers state '{}'",
                request.state_name
            ),
        };
        format!(
            "The resource '{}' cannot be invoked: {mock_part}, and weft performs only '{HTTP_INVOKE}' tasks for real.",
            request.resource
        )
    }
}

/// Sends one request of an Arazzo workflow: the response is the task's output; a
/// request that could not be carried out fails it with the reason as the cause.
async fn send_arazzo(transport: &dyn Transport, parameters: Value) -> TaskOutcome {
    let request: weft_arazzo::exchange::HttpRequest =
        serde_json::from_value(parameters).map_err(|e| {
            StatesError::new(
                weft_arazzo::decider::errors::REQUEST_FAILED,
                format!("the request is not one weft can send: {e}"),
            )
        })?;
    match transport.send(request).await.outcome {
        Ok(response) => serde_json::to_value(&response).map_err(|e| {
            StatesError::new(
                weft_arazzo::decider::errors::REQUEST_FAILED,
                format!("the response cannot be recorded: {e}"),
            )
        }),
        Err(message) => Err(StatesError::new(
            weft_arazzo::decider::errors::REQUEST_FAILED,
            message,
        )),
    }
}

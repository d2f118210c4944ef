"""Tasks: mocked service integrations (AWS Step Functions Local's MockConfigFile, selected
with `StartExecution(stateMachineArn="<arn>#<TestCase>")`) and the HTTP Task, which weft
performs for real (here against an HTTP server the test runs on 127.0.0.1).

The mock file is tests/api/data/mock_config.json; its state machine names are the names
the tests create their machines under.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sfn_helpers import (
    REGION,
    check_history_shape,
    create_machine,
    details,
    event_types,
    history,
    unique,
    wait_for_event,
    wait_for_execution,
)

LAMBDA_TASK = {
    "StartAt": "Invoke",
    "States": {
        "Invoke": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "greeter", "Payload.$": "$"},
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException"],
                    "IntervalSeconds": 1,
                    "BackoffRate": 1.0,
                    "MaxAttempts": 3,
                }
            ],
            "ResultSelector": {"greeting.$": "$.Payload.greeting"},
            "End": True,
        }
    },
}


@pytest.fixture(scope="module")
def mocked_lambda(mock_sfn):
    # The mock file's entry for this machine is "MockedLambda".
    return create_machine(mock_sfn, LAMBDA_TASK, name="MockedLambda")


def run_case(sfn, machine, case, payload):
    started = sfn.start_execution(stateMachineArn=f"{machine}#{case}", input=json.dumps(payload))
    return started["executionArn"], wait_for_execution(sfn, started["executionArn"])


def test_mocked_task_returns(mock_sfn, mocked_lambda):
    execution, described = run_case(mock_sfn, mocked_lambda, "HappyPath", {"who": "weft"})
    # The test case is not part of the execution's identity.
    assert execution.startswith(f"arn:aws:states:{REGION}:123456789012:execution:MockedLambda:")
    assert "#" not in execution
    assert described["stateMachineArn"] == mocked_lambda
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "Hello from Lambda!"}

    events = history(mock_sfn, execution)
    check_history_shape(events)
    # Recorded (local_mocking test_base_scenarios test_lambda_service_invoke, an AWS run).
    assert event_types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert [event["previousEventId"] for event in events] == [0, 0, 2, 3, 4, 5, 6]
    scheduled = events[2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda"
    assert scheduled["resource"] == "invoke"
    assert scheduled["region"] == REGION
    assert json.loads(scheduled["parameters"]) == {
        "FunctionName": "greeter",
        "Payload": {"who": "weft"},
    }
    assert events[3]["taskStartedEventDetails"] == {"resourceType": "lambda", "resource": "invoke"}
    succeeded = events[4]["taskSucceededEventDetails"]
    assert (succeeded["resourceType"], succeeded["resource"]) == ("lambda", "invoke")
    # The task's raw result, before ResultSelector.
    assert json.loads(succeeded["output"]) == {
        "StatusCode": 200,
        "Payload": {"greeting": "Hello from Lambda!"},
    }
    assert succeeded["outputDetails"] == {"truncated": False}
    exited = events[5]["stateExitedEventDetails"]
    assert exited["name"] == "Invoke"
    assert json.loads(exited["output"]) == {"greeting": "Hello from Lambda!"}


def test_mocked_task_throws(mock_sfn, mocked_lambda):
    execution, described = run_case(mock_sfn, mocked_lambda, "ThrowPath", {})
    assert described["status"] == "FAILED"
    assert described["error"] == "Custom.Broken"
    assert described["cause"] == "The mocked function failed."
    events = history(mock_sfn, execution)
    check_history_shape(events)
    assert event_types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "ExecutionFailed",
    ]
    assert events[4]["taskFailedEventDetails"] == {
        "resourceType": "lambda",
        "resource": "invoke",
        "error": "Custom.Broken",
        "cause": "The mocked function failed.",
    }
    assert events[5]["executionFailedEventDetails"] == {
        "error": "Custom.Broken",
        "cause": "The mocked function failed.",
    }


def test_mocked_task_retries_take_responses_by_invocation(mock_sfn, mocked_lambda):
    # AWS docs, sfn-local-mock-cfg-file: response keys are invocation numbers ("0") or
    # inclusive ranges ("1-2"), and every retry is an invocation.
    execution, described = run_case(mock_sfn, mocked_lambda, "RetryPath", {})
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "Hello after retries"}
    events = history(mock_sfn, execution)
    check_history_shape(events)
    types = event_types(events)
    assert types.count("TaskScheduled") == 4
    assert types.count("TaskStarted") == 4
    assert types.count("TaskSucceeded") == 1
    assert types.count("TaskStateEntered") == 1
    failures = [details(e)["error"] for e in events if e["type"] == "TaskFailed"]
    assert failures == [
        "Lambda.ResourceNotReadyException",
        "Lambda.TimeoutException",
        "Lambda.TimeoutException",
    ]


def test_stopped_task_result_is_never_applied(mock_sfn, mocked_lambda):
    # The SlowPath response arrives after 3 seconds (the mock file's Delay); the execution
    # is stopped before that, and stays stopped when the response comes.
    started = mock_sfn.start_execution(stateMachineArn=f"{mocked_lambda}#SlowPath", input="{}")
    execution = started["executionArn"]
    wait_for_event(mock_sfn, execution, "TaskScheduled")
    mock_sfn.stop_execution(executionArn=execution, error="Stop", cause="before the reply")
    assert wait_for_execution(mock_sfn, execution)["status"] == "ABORTED"
    time.sleep(3.5)

    described = mock_sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "ABORTED",
        "Stop",
        "before the reply",
    )
    assert "output" not in described
    events = history(mock_sfn, execution)
    check_history_shape(events)
    types = event_types(events)
    assert types[-1] == "ExecutionAborted"
    assert "TaskSucceeded" not in types and "TaskStateExited" not in types


# --- HTTP Task --------------------------------------------------------------------------


class Recorder(BaseHTTPRequestHandler):
    """Answers /echo with what it received, anything else with 404; remembers requests."""

    requests = []

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        seen = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
        }
        Recorder.requests.append(seen)
        if self.path.startswith("/echo"):
            reply = json.dumps({"received": seen["body"], "method": self.command}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            reply = b'{"message":"no such thing"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_endpoint():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def http_definition(endpoint, path):
    # weft's HTTP Task (crates/engine/src/http_task.rs) needs ApiEndpoint and Method and
    # accepts the ConnectionArn AWS requires without using it.
    return {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::http:invoke",
                "Parameters": {
                    "ApiEndpoint": f"{endpoint}{path}",
                    "Method": "POST",
                    "Authentication": {
                        "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/weft/0"
                    },
                    "Headers": {"X-Weft-Test": "yes"},
                    "QueryParameters": {"q": "1"},
                    "RequestBody": {"hello.$": "$.who"},
                },
                "End": True,
            }
        },
    }


def test_http_task_calls_the_endpoint(mock_sfn, http_endpoint):
    Recorder.requests.clear()
    arn = create_machine(mock_sfn, http_definition(http_endpoint, "/echo"), name=unique("http"))
    execution = mock_sfn.start_execution(stateMachineArn=arn, input='{"who":"weft"}')[
        "executionArn"
    ]
    described = wait_for_execution(mock_sfn, execution)
    assert described["status"] == "SUCCEEDED", described

    assert len(Recorder.requests) == 1
    request = Recorder.requests[0]
    assert request["method"] == "POST"
    assert request["path"] == "/echo?q=1"
    assert request["headers"]["x-weft-test"] == "yes"
    assert json.loads(request["body"]) == {"hello": "weft"}

    # AWS docs, "Call HTTPS APIs": the result holds StatusCode, StatusText, Headers and
    # ResponseBody (parsed when the response is JSON).
    output = json.loads(described["output"])
    assert output["StatusCode"] == 200
    assert output["StatusText"] == "OK"
    assert output["ResponseBody"] == {"received": request["body"], "method": "POST"}
    assert "Headers" in output

    events = history(mock_sfn, execution)
    check_history_shape(events)
    # As for lambda:invoke (recorded), resourceType and resource are the service and the
    # action of the resource ARN.
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("http", "invoke")


def test_http_task_error_status(mock_sfn, http_endpoint):
    Recorder.requests.clear()
    arn = create_machine(
        mock_sfn, http_definition(http_endpoint, "/missing"), name=unique("http404")
    )
    execution = mock_sfn.start_execution(stateMachineArn=arn, input='{"who":"weft"}')[
        "executionArn"
    ]
    described = wait_for_execution(mock_sfn, execution)
    # AWS docs, "Call HTTPS APIs": a failed request raises States.Http.StatusCode.<code>.
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Http.StatusCode.404"
    assert len(Recorder.requests) == 1

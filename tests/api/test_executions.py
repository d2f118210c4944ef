"""Execution operations: StartExecution, StartSyncExecution, DescribeExecution,
ListExecutions, StopExecution, DescribeStateMachineForExecution and execution time-outs.

Sources are named next to each assertion. "Recorded" means a reply recorded against AWS
in LocalStack's AWS-validated snapshots (tests/aws/services/stepfunctions/v2/); "floci #N"
means an AWS measurement published in that floci-io/floci issue; "botocore" means the
service model and its documentation.
"""

import datetime
import json

import pytest
from botocore.exceptions import ClientError

from sfn_helpers import (
    ARN_PREFIX,
    FAIL_DEFINITION,
    PASS_DEFINITION,
    ROLE_ARN,
    UUID_RE,
    create_machine,
    event_types,
    execution_arn,
    expect_error,
    history,
    state_machine_arn,
    unique,
    wait_definition,
    wait_for_event,
    wait_for_execution,
)


@pytest.fixture(scope="module")
def pass_machine(sfn):
    name = unique("pass")
    return name, create_machine(sfn, PASS_DEFINITION, name=name)


@pytest.fixture(scope="module")
def express_machine(sfn):
    name = unique("express")
    return name, create_machine(sfn, PASS_DEFINITION, name=name, machine_type="EXPRESS")


# --- StartExecution -------------------------------------------------------------------


def test_start_execution_generates_uuid_name(sfn, pass_machine):
    machine, arn = pass_machine
    started = sfn.start_execution(stateMachineArn=arn)
    # botocore, StartExecutionInput.name: "If you don't provide a name for the execution,
    # Step Functions automatically generates a universally unique identifier (UUID)".
    name = started["executionArn"].rsplit(":", 1)[1]
    assert UUID_RE.match(name), started["executionArn"]
    assert (
        started["executionArn"]
        == f"arn:aws:states:us-east-1:123456789012:execution:{machine}:{name}"
    )
    assert isinstance(started["startDate"], datetime.datetime)
    assert wait_for_execution(sfn, started["executionArn"])["name"] == name


def test_start_execution_with_name(sfn, pass_machine):
    machine, arn = pass_machine
    # Recorded (test_describe_execution_arn_containing_punctuation): dots are allowed.
    name = unique("state.machine.execution")
    started = sfn.start_execution(stateMachineArn=arn, name=name, input='{"a": 1}')
    assert started["executionArn"] == execution_arn(machine, name)


def test_start_execution_is_idempotent_while_running(sfn):
    # botocore, StartExecution: "if you call StartExecution with the same name and input as
    # a running execution, the call succeeds and return the same response as the original
    # request. If the execution is closed or if the input is different, it returns a 400
    # ExecutionAlreadyExists error."
    arn = create_machine(sfn, wait_definition(2))
    name = unique("idem")
    first = sfn.start_execution(stateMachineArn=arn, name=name, input='{"x": 1}')
    again = sfn.start_execution(stateMachineArn=arn, name=name, input='{"x": 1}')
    assert again["executionArn"] == first["executionArn"]
    assert again["startDate"] == first["startDate"]

    error = expect_error(
        "ExecutionAlreadyExists",
        sfn.start_execution,
        stateMachineArn=arn,
        name=name,
        input='{"x": 2}',
    )
    # moto's AWS-verified test_stepfunctions_idempotency: this message.
    assert error["Message"] == f"Execution Already Exists: '{first['executionArn']}'"

    assert wait_for_execution(sfn, first["executionArn"])["status"] == "SUCCEEDED"
    error = expect_error(
        "ExecutionAlreadyExists",
        sfn.start_execution,
        stateMachineArn=arn,
        name=name,
        input='{"x": 1}',
    )
    assert error["Message"] == f"Execution Already Exists: '{first['executionArn']}'"
    executions = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert [e["executionArn"] for e in executions] == [first["executionArn"]]


@pytest.mark.parametrize("text", ["not some json", "{'not': 'json'", ""])
def test_start_execution_invalid_input(sfn, pass_machine, text):
    # Recorded (test_invalid_start_execution_input).
    error = expect_error(
        "InvalidExecutionInput", sfn.start_execution, stateMachineArn=pass_machine[1], input=text
    )
    assert error["Message"].startswith("Invalid State Machine Execution Input: '")


@pytest.mark.parametrize("text", ["2", '"some text"', "null", "[1,2]"])
def test_start_execution_any_json_input(sfn, pass_machine, text):
    # Recorded (test_invalid_start_execution_input): numbers, strings and null are inputs.
    started = sfn.start_execution(stateMachineArn=pass_machine[1], input=text)
    finished = wait_for_execution(sfn, started["executionArn"])
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["input"]) == json.loads(text)


def test_start_execution_unknown_state_machine(sfn):
    arn = state_machine_arn(unique("missing"))
    error = expect_error("StateMachineDoesNotExist", sfn.start_execution, stateMachineArn=arn)
    # Recorded (test_invalid_start_execution_arn).
    assert error["Message"] == f"State Machine Does Not Exist: '{arn}'"


def test_start_execution_invalid_arn(sfn):
    expect_error("InvalidArn", sfn.start_execution, stateMachineArn="not-an-arn")


@pytest.mark.parametrize("name", ["bad name", "bad/name", "bad:name", "bad*name"])
def test_start_execution_invalid_name(sfn, pass_machine, name):
    # botocore, StartExecutionInput.name lists the forbidden characters; InvalidName.
    expect_error("InvalidName", sfn.start_execution, stateMachineArn=pass_machine[1], name=name)


# --- DescribeExecution ----------------------------------------------------------------


def test_describe_succeeded_execution(sfn, pass_machine):
    machine, arn = pass_machine
    name = unique("describe")
    started = sfn.start_execution(stateMachineArn=arn, name=name, input='{"in": true}')
    described = wait_for_execution(sfn, started["executionArn"])
    assert described["executionArn"] == f"{ARN_PREFIX}:execution:{machine}:{name}"
    assert described["stateMachineArn"] == arn
    assert described["name"] == name
    assert described["status"] == "SUCCEEDED"
    assert described["startDate"] == started["startDate"]
    assert described["stopDate"] >= described["startDate"]
    assert json.loads(described["input"]) == {"in": True}
    assert json.loads(described["output"]) == {"Arg1": "argument1"}
    # Recorded (test_describe_execution).
    assert described["inputDetails"] == {"included": True}
    assert described["outputDetails"] == {"included": True}
    assert "error" not in described and "cause" not in described


def test_describe_execution_redrive_fields(sfn, pass_machine):
    # Recorded (test_describe_execution): a SUCCEEDED execution cannot be redriven.
    started = sfn.start_execution(stateMachineArn=pass_machine[1])
    described = wait_for_execution(sfn, started["executionArn"])
    assert described["redriveCount"] == 0
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"


def test_describe_running_execution(sfn):
    arn = create_machine(sfn, wait_definition(60))
    started = sfn.start_execution(stateMachineArn=arn, input="{}")
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["status"] == "RUNNING"
    assert "stopDate" not in described
    assert "output" not in described
    assert described["input"] == "{}"
    sfn.stop_execution(executionArn=started["executionArn"])


def test_describe_failed_execution(sfn):
    # moto's AWS-verified test_state_machine_with_simple_failure_state: error and cause of
    # the Fail state, and a stopDate.
    arn = create_machine(sfn, FAIL_DEFINITION)
    described = wait_for_execution(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert described["status"] == "FAILED"
    assert described["error"] == "Custom.Boom"
    assert described["cause"] == "it failed on purpose"
    assert "stopDate" in described
    assert "output" not in described


def test_describe_unknown_execution(sfn, pass_machine):
    machine, _ = pass_machine
    arn = execution_arn(machine, unique("missing"))
    error = expect_error("ExecutionDoesNotExist", sfn.describe_execution, executionArn=arn)
    # Recorded (test_describe_execution_no_such_state_machine).
    assert error["Message"] == f"Execution Does Not Exist: '{arn}'"
    # An unknown execution of an unknown machine is just as unknown (not InvalidName).
    other = execution_arn(unique("nomachine"), "x")
    expect_error("ExecutionDoesNotExist", sfn.describe_execution, executionArn=other)


def test_describe_execution_invalid_arn(sfn):
    error = expect_error(
        "InvalidArn", sfn.describe_execution, executionArn="invalid_state_machine_arn"
    )
    # Recorded (test_describe_execution_invalid_arn).
    assert error["Message"] == "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"


# --- DescribeStateMachineForExecution -------------------------------------------------


def test_describe_state_machine_for_execution(sfn):
    name = unique("forexec")
    arn = create_machine(sfn, PASS_DEFINITION, name=name)
    created = sfn.describe_state_machine(stateMachineArn=arn)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for_execution(sfn, execution)
    described = sfn.describe_state_machine_for_execution(executionArn=execution)
    # Recorded (test_describe_state_machine_for_execution).
    assert described["stateMachineArn"] == arn
    assert described["name"] == name
    assert json.loads(described["definition"]) == PASS_DEFINITION
    assert described["roleArn"] == ROLE_ARN
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    # botocore: updateDate "For a newly created state machine, this is the creation date";
    # revisionId "The first revision ID when you create the state machine is null."
    assert described["updateDate"] == created["creationDate"]
    assert "revisionId" not in described

    expect_error(
        "ExecutionDoesNotExist",
        sfn.describe_state_machine_for_execution,
        executionArn=execution_arn(name, unique("missing")),
    )


# --- ListExecutions ------------------------------------------------------------------


def test_list_executions(sfn):
    arn = create_machine(sfn, PASS_DEFINITION)
    # Recorded (test_state_machine_status_filter): empty before any execution.
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"] == []

    finished = []
    for i in range(5):
        started = sfn.start_execution(stateMachineArn=arn, name=f"done-{i}")
        wait_for_execution(sfn, started["executionArn"])
        finished.append(started["executionArn"])
    waiting_machine = create_machine(sfn, wait_definition(60))
    running = sfn.start_execution(stateMachineArn=waiting_machine)["executionArn"]

    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    # botocore, ListExecutions: "Results are sorted by time, with the most recent execution
    # first"; closed executions by stopDate (here started and stopped in the same order).
    assert [item["executionArn"] for item in listed] == list(reversed(finished))
    for item in listed:
        assert item["stateMachineArn"] == arn
        assert item["status"] == "SUCCEEDED"
        assert item["name"] == item["executionArn"].rsplit(":", 1)[1]
        assert item["stopDate"] >= item["startDate"]

    succeeded = sfn.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert len(succeeded) == 5
    assert sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"] == []
    on_waiting = sfn.list_executions(stateMachineArn=waiting_machine, statusFilter="RUNNING")
    assert [item["executionArn"] for item in on_waiting["executions"]] == [running]
    assert "stopDate" not in on_waiting["executions"][0]
    sfn.stop_execution(executionArn=running)
    aborted = sfn.list_executions(stateMachineArn=waiting_machine, statusFilter="ABORTED")
    assert [item["executionArn"] for item in aborted["executions"]] == [running]

    # Pagination, by hand and through the paginator.
    page1 = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    assert len(page1["executions"]) == 2 and page1["nextToken"]
    page2 = sfn.list_executions(stateMachineArn=arn, maxResults=2, nextToken=page1["nextToken"])
    page3 = sfn.list_executions(stateMachineArn=arn, maxResults=2, nextToken=page2["nextToken"])
    assert "nextToken" not in page3
    paged = page1["executions"] + page2["executions"] + page3["executions"]
    assert [item["executionArn"] for item in paged] == list(reversed(finished))
    pages = list(
        sfn.get_paginator("list_executions").paginate(
            stateMachineArn=arn, PaginationConfig={"PageSize": 3}
        )
    )
    assert [len(page["executions"]) for page in pages] == [3, 2]
    # Recorded (test_list_executions_pagination): maxResults=0 is the default page size.
    everything = sfn.list_executions(stateMachineArn=arn, maxResults=0)
    assert len(everything["executions"]) == 5 and "nextToken" not in everything


def test_list_executions_errors(sfn):
    missing = state_machine_arn(unique("missing"))
    error = expect_error("StateMachineDoesNotExist", sfn.list_executions, stateMachineArn=missing)
    # Recorded (test_list_execution_no_such_state_machine).
    assert error["Message"] == f"State Machine Does Not Exist: '{missing}'"
    expect_error("InvalidArn", sfn.list_executions, stateMachineArn="invalid_state_machine_arn")

    arn = create_machine(sfn, PASS_DEFINITION)
    error = expect_error(
        "ValidationException", sfn.list_executions, stateMachineArn=arn, statusFilter="succeeded"
    )
    # Recorded (test_state_machine_status_filter).
    assert error["Message"] == (
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]"
    )
    # Recorded (test_list_executions_pagination).
    expect_error("ValidationException", sfn.list_executions, stateMachineArn=arn, maxResults=1001)
    expect_error(
        "ValidationException", sfn.list_executions, stateMachineArn=arn, nextToken="x" * 3097
    )


# --- StopExecution ------------------------------------------------------------------


def test_stop_waiting_execution(sfn):
    arn = create_machine(sfn, wait_definition(60))
    started = sfn.start_execution(stateMachineArn=arn)
    execution = started["executionArn"]
    wait_for_event(sfn, execution, "WaitStateEntered")

    stopped = sfn.stop_execution(executionArn=execution, error="Manual", cause="probe")
    assert isinstance(stopped["stopDate"], datetime.datetime)
    described = wait_for_execution(sfn, execution)
    # floci #2734 (measured): ["ABORTED", "Manual", "probe"], unchanged minutes later.
    assert described["status"] == "ABORTED"
    assert described["error"] == "Manual"
    assert described["cause"] == "probe"
    assert described["stopDate"] >= started["startDate"]

    events = history(sfn, execution)
    # Recorded (test_stop_execution): a Wait stopped midway ends with ExecutionAborted,
    # whose previousEventId is 0, and no WaitStateExited.
    assert event_types(events) == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]
    assert events[2]["id"] == 3
    assert events[2]["previousEventId"] == 0
    assert events[2]["executionAbortedEventDetails"] == {"error": "Manual", "cause": "probe"}


def test_stop_without_error_or_cause(sfn):
    arn = create_machine(sfn, wait_definition(60))
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for_event(sfn, execution, "WaitStateEntered")
    sfn.stop_execution(executionArn=execution)
    described = wait_for_execution(sfn, execution)
    # floci #2965 (measured): status ABORTED, no error or cause keys, and an empty
    # executionAbortedEventDetails; recorded (test_stop_execution) for the event.
    assert described["status"] == "ABORTED"
    assert "error" not in described and "cause" not in described
    last = history(sfn, execution)[-1]
    assert last["type"] == "ExecutionAborted"
    assert last["executionAbortedEventDetails"] == {}


def test_stop_is_idempotent_and_leaves_closed_executions_alone(sfn):
    # AWS does not document the reply to stopping a closed execution; what is checked is
    # that nothing about the execution changes (weft's design: "A stop is idempotent").
    arn = create_machine(sfn, wait_definition(60))
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for_event(sfn, execution, "WaitStateEntered")
    sfn.stop_execution(executionArn=execution, error="First", cause="first stop")
    before = wait_for_execution(sfn, execution)
    try_stop(sfn, execution, error="Second", cause="second stop")
    after = sfn.describe_execution(executionArn=execution)
    assert (after["status"], after.get("error"), after.get("cause"), after["stopDate"]) == (
        "ABORTED",
        "First",
        "first stop",
        before["stopDate"],
    )
    assert event_types(history(sfn, execution)).count("ExecutionAborted") == 1

    done = create_machine(sfn, PASS_DEFINITION)
    succeeded = sfn.start_execution(stateMachineArn=done)["executionArn"]
    finished = wait_for_execution(sfn, succeeded)
    try_stop(sfn, succeeded)
    again = sfn.describe_execution(executionArn=succeeded)
    assert again["status"] == "SUCCEEDED"
    assert again["stopDate"] == finished["stopDate"]
    assert "ExecutionAborted" not in event_types(history(sfn, succeeded))


def try_stop(sfn, execution, **kwargs):
    """Stops, accepting either a reply or a client error (HTTP 400), never a server fault."""
    try:
        sfn.stop_execution(executionArn=execution, **kwargs)
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400, error.response


def test_stop_unknown_execution(sfn, pass_machine):
    expect_error(
        "ExecutionDoesNotExist",
        sfn.stop_execution,
        executionArn=execution_arn(pass_machine[0], unique("missing")),
    )
    expect_error("InvalidArn", sfn.stop_execution, executionArn="not-an-arn")


# --- Execution time-out -----------------------------------------------------------------


def test_execution_timeout(sfn):
    # floci #2733 (measured): TimeoutSeconds 3 over a Wait of 25 ends TIMED_OUT with stopDate
    # exactly startDate + 3 s, no error or cause in DescribeExecution, and a three-event
    # history whose ExecutionTimedOut carries only error States.Timeout and
    # previousEventId 0 (floci #2965, #2782).
    definition = {
        "StartAt": "W",
        "TimeoutSeconds": 2,
        "States": {"W": {"Type": "Wait", "Seconds": 25, "End": True}},
    }
    arn = create_machine(sfn, definition)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = wait_for_execution(sfn, execution, timeout=20)
    assert described["status"] == "TIMED_OUT"
    assert "error" not in described and "cause" not in described
    elapsed = (described["stopDate"] - described["startDate"]).total_seconds()
    # Exactly 2 s on AWS; the tolerance covers timer latency only.
    assert 1.99 <= elapsed < 3.0, elapsed

    events = history(sfn, execution)
    assert event_types(events) == ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"]
    assert events[2]["executionTimedOutEventDetails"] == {"error": "States.Timeout"}
    assert events[2]["previousEventId"] == 0


# --- EXPRESS state machines -----------------------------------------------------------


def test_start_sync_execution_succeeds(sfn, express_machine):
    machine, arn = express_machine
    reply = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 1}', name="SyncExecution")
    # Recorded (test_express_sync test_base[BASE_PASS_RESULT], test_start_sync_execution).
    assert reply["status"] == "SUCCEEDED"
    assert reply["name"] == "SyncExecution"
    prefix = f"{ARN_PREFIX}:express:{machine}:SyncExecution:"
    assert reply["executionArn"].startswith(prefix), reply["executionArn"]
    assert reply["executionArn"][len(prefix) :]
    assert reply["stateMachineArn"] == arn
    assert json.loads(reply["input"]) == {"a": 1}
    assert json.loads(reply["output"]) == {"Arg1": "argument1"}
    assert reply["inputDetails"] == {"included": True}
    assert reply["outputDetails"] == {"included": True}
    assert reply["stopDate"] >= reply["startDate"]
    assert set(reply["billingDetails"]) == {"billedDurationInMilliseconds", "billedMemoryUsedInMB"}
    assert "error" not in reply

    # Quotas page: an Express machine may reuse a name; each execution gets its own ARN.
    again = sfn.start_sync_execution(stateMachineArn=arn, name="SyncExecution")
    assert again["executionArn"] != reply["executionArn"]


def test_start_sync_execution_fails(sfn):
    machine = unique("expressfail")
    arn = create_machine(sfn, FAIL_DEFINITION, name=machine, machine_type="EXPRESS")
    reply = sfn.start_sync_execution(stateMachineArn=arn)
    # botocore: "StartSyncExecution will return a 200 OK response, even if your execution
    # fails". Recorded (test_base[BASE_RAISE_FAILURE]): error, cause, no output.
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert reply["status"] == "FAILED"
    assert reply["error"] == "Custom.Boom"
    assert reply["cause"] == "it failed on purpose"
    assert "output" not in reply
    assert reply["name"]
    assert reply["executionArn"].startswith(f"{ARN_PREFIX}:express:{machine}:{reply['name']}:")


def test_start_sync_execution_errors(sfn, pass_machine, express_machine):
    error = expect_error(
        "StateMachineTypeNotSupported", sfn.start_sync_execution, stateMachineArn=pass_machine[1]
    )
    # Recorded (test_start_sync_execution).
    assert error["Message"] == "This operation is not supported by this type of state machine"
    expect_error(
        "InvalidExecutionInput",
        sfn.start_sync_execution,
        stateMachineArn=express_machine[1],
        input="not json",
    )
    expect_error(
        "StateMachineDoesNotExist",
        sfn.start_sync_execution,
        stateMachineArn=state_machine_arn(unique("missing")),
    )


def test_express_executions_are_not_described(sfn, express_machine):
    machine, arn = express_machine
    started = sfn.start_execution(stateMachineArn=arn)
    # Recorded (test_start_async_describe_history_execution): an express ARN, and the
    # operations of standard executions refuse it.
    assert started["executionArn"].startswith(f"{ARN_PREFIX}:express:{machine}:")
    message = "Invalid Arn: 'Resource type not valid in this context: express'"
    for call in (sfn.describe_execution, sfn.get_execution_history, sfn.stop_execution):
        assert (
            expect_error("InvalidArn", call, executionArn=started["executionArn"])["Message"]
            == message
        )
    error = expect_error("StateMachineTypeNotSupported", sfn.list_executions, stateMachineArn=arn)
    assert error["Message"] == "This operation is not supported by this type of state machine"

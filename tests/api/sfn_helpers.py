"""Helpers shared by the API tests: names, ARNs, definitions, waiting and error checks."""

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
MOCK_CONFIG = DATA / "mock_config.json"

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/weft-api-tests"
ARN_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}"

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

TERMINAL_EVENTS = {
    "ExecutionSucceeded",
    "ExecutionFailed",
    "ExecutionAborted",
    "ExecutionTimedOut",
}


def unique(prefix):
    """A state machine or execution name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def state_machine_arn(name):
    return f"{ARN_PREFIX}:stateMachine:{name}"


def execution_arn(machine, name):
    return f"{ARN_PREFIX}:execution:{machine}:{name}"


def dumps(definition):
    return json.dumps(definition, separators=(",", ":"))


# --- definitions -----------------------------------------------------------------

PASS_DEFINITION = {
    "Comment": "A Pass state with a fixed result",
    "StartAt": "State_1",
    "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True}},
}


def wait_definition(seconds, then=None):
    """Wait `seconds`, then end (or run a Pass state whose result is `then`)."""
    if then is None:
        return {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": seconds, "End": True}}}
    return {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": seconds, "Next": "P"},
            "P": {"Type": "Pass", "Result": then, "End": True},
        },
    }


FAIL_DEFINITION = {
    "StartAt": "Boom",
    "States": {"Boom": {"Type": "Fail", "Error": "Custom.Boom", "Cause": "it failed on purpose"}},
}


def create_machine(sfn, definition, name=None, machine_type="STANDARD", **extra):
    """Creates a state machine and returns its ARN."""
    name = name or unique("sm")
    reply = sfn.create_state_machine(
        name=name,
        definition=definition if isinstance(definition, str) else dumps(definition),
        roleArn=ROLE_ARN,
        type=machine_type,
        **extra,
    )
    return reply["stateMachineArn"]


# --- waiting ---------------------------------------------------------------------


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Calls `predicate` until it returns something truthy; returns that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def wait_for_execution(sfn, arn, timeout=30):
    """Polls DescribeExecution until the execution is no longer RUNNING; returns the reply."""

    def finished():
        reply = sfn.describe_execution(executionArn=arn)
        return reply if reply["status"] != "RUNNING" else None

    return wait_until(finished, timeout, what=f"{arn} to finish")


def history(sfn, arn, **kwargs):
    """Every event of an execution, following nextToken."""
    events = []
    paginator = sfn.get_paginator("get_execution_history")
    for page in paginator.paginate(executionArn=arn, **kwargs):
        events.extend(page["events"])
    return events


def wait_for_event(sfn, arn, event_type, timeout=15):
    """Waits until the execution's history holds an event of `event_type`; returns it."""

    def seen():
        for event in history(sfn, arn):
            if event["type"] == event_type:
                return event
        return None

    return wait_until(seen, timeout, interval=0.05, what=f"{event_type} in {arn}")


def event_types(events):
    return [event["type"] for event in events]


def details(event):
    """The one `…EventDetails` member of an event (or {} when it has none)."""
    members = [key for key in event if key.endswith("EventDetails")]
    assert len(members) <= 1, event
    return event[members[0]] if members else {}


def check_history_shape(events):
    """The invariants every history has: ids 1..N in order, previousEventId pointing
    backwards, exactly one terminal event and it is the last one."""
    assert [event["id"] for event in events] == list(range(1, len(events) + 1))
    for event in events:
        assert 0 <= event.get("previousEventId", 0) < event["id"], event
    terminal = [event for event in events if event["type"] in TERMINAL_EVENTS]
    assert len(terminal) == 1, event_types(events)
    assert events[-1]["type"] in TERMINAL_EVENTS, event_types(events)


# --- errors ----------------------------------------------------------------------


def expect_error(code, call, *args, **kwargs):
    """Calls the API, expects the JSON 1.0 error `code` with HTTP 400, returns the error."""
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    assert response["Error"]["Code"] == code, response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400, response
    return response["Error"]

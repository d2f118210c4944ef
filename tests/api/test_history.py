"""GetExecutionHistory: event types, detail members, ids and previousEventId, ordering,
pagination and includeExecutionData.

The event shapes follow the executions recorded against AWS in LocalStack's
AWS-validated snapshots (test_sfn_api.snapshot.json test_start_execution and
test_get_execution_history_reversed; local_mocking test_base_scenarios for tasks), and
the HistoryEvent shapes of the botocore model.
"""

import json
from collections import Counter

import pytest

from sfn_helpers import (
    ROLE_ARN,
    check_history_shape,
    create_machine,
    details,
    event_types,
    execution_arn,
    expect_error,
    history,
    unique,
    wait_for_execution,
)

LINEAR = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Result": {"n": 1},
            "ResultPath": "$.prepared",
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.go", "BooleanEquals": True, "Next": "Pause"}],
            "Default": "Stop",
        },
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Stop": {"Type": "Fail", "Error": "Custom.Stopped", "Cause": "go was false"},
        "Done": {"Type": "Succeed"},
    },
}

PARALLEL = {
    "StartAt": "Par",
    "States": {
        "Par": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": "b", "End": True}}},
            ],
            "End": True,
        }
    },
}

MAP = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Wrap",
                "States": {"Wrap": {"Type": "Pass", "Parameters": {"v.$": "$"}, "End": True}},
            },
            "End": True,
        }
    },
}


@pytest.fixture(scope="module")
def linear(sfn):
    """A finished execution of LINEAR that went through Pass, Choice, Wait and Succeed."""
    name = unique("linear")
    arn = create_machine(sfn, LINEAR, name=name)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"go":true}')["executionArn"]
    assert wait_for_execution(sfn, execution)["status"] == "SUCCEEDED"
    return execution


def parsed(text):
    return json.loads(text)


def test_linear_history(sfn, linear):
    events = history(sfn, linear)
    assert event_types(events) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "WaitStateEntered",
        "WaitStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    check_history_shape(events)
    # Recorded: ExecutionStarted and the first state's entry have previousEventId 0; every
    # later event points at the one before it.
    assert [event["previousEventId"] for event in events] == [0, 0, 2, 3, 4, 5, 6, 7, 8, 9]
    timestamps = [event["timestamp"] for event in events]
    assert timestamps == sorted(timestamps)

    go = {"go": True}
    prepared = {"go": True, "prepared": {"n": 1}}
    started = events[0]["executionStartedEventDetails"]
    assert parsed(started["input"]) == go
    assert started["inputDetails"] == {"truncated": False}
    assert started["roleArn"] == ROLE_ARN

    expected_states = [
        (1, "stateEnteredEventDetails", "Prepare", "input", go),
        (2, "stateExitedEventDetails", "Prepare", "output", prepared),
        (3, "stateEnteredEventDetails", "Decide", "input", prepared),
        (4, "stateExitedEventDetails", "Decide", "output", prepared),
        (5, "stateEnteredEventDetails", "Pause", "input", prepared),
        (6, "stateExitedEventDetails", "Pause", "output", prepared),
        (7, "stateEnteredEventDetails", "Done", "input", prepared),
        (8, "stateExitedEventDetails", "Done", "output", prepared),
    ]
    for index, member, name, field, value in expected_states:
        event = events[index]
        assert set(k for k in event if k.endswith("EventDetails")) == {member}, event
        body = event[member]
        assert body["name"] == name
        assert parsed(body[field]) == value
        assert body[f"{field}Details"] == {"truncated": False}

    succeeded = events[9]["executionSucceededEventDetails"]
    assert parsed(succeeded["output"]) == prepared
    assert succeeded["outputDetails"] == {"truncated": False}


def test_fail_history(sfn):
    arn = create_machine(sfn, LINEAR)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"go":false}')["executionArn"]
    assert wait_for_execution(sfn, execution)["status"] == "FAILED"
    events = history(sfn, execution)
    # moto's AWS-verified test_state_machine_with_simple_failure_state: a Fail state is
    # FailStateEntered then ExecutionFailed, without a FailStateExited.
    assert event_types(events) == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ChoiceStateEntered",
        "ChoiceStateExited",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    check_history_shape(events)
    assert events[5]["stateEnteredEventDetails"]["name"] == "Stop"
    assert events[6]["executionFailedEventDetails"] == {
        "error": "Custom.Stopped",
        "cause": "go was false",
    }


def test_parallel_history(sfn):
    arn = create_machine(sfn, PARALLEL)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    described = wait_for_execution(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    assert parsed(described["output"]) == ["a", "b"]

    events = history(sfn, execution)
    check_history_shape(events)
    types = event_types(events)
    assert types[:3] == ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]
    assert types[-3:] == ["ParallelStateSucceeded", "ParallelStateExited", "ExecutionSucceeded"]
    # Branch events interleave in no fixed order (the reference's note on LocalStack's
    # harness, which sorts them before comparing).
    assert Counter(types[3:-3]) == {"PassStateEntered": 2, "PassStateExited": 2}
    for branch in ("A", "B"):
        entered = [
            e["id"]
            for e in events
            if e["type"] == "PassStateEntered" and details(e)["name"] == branch
        ]
        exited = [
            e["id"]
            for e in events
            if e["type"] == "PassStateExited" and details(e)["name"] == branch
        ]
        assert len(entered) == len(exited) == 1 and entered[0] < exited[0]
    assert details(events[2]) == {}
    assert parsed(events[-2]["stateExitedEventDetails"]["output"]) == ["a", "b"]


def test_map_history(sfn):
    arn = create_machine(sfn, MAP)
    execution = sfn.start_execution(stateMachineArn=arn, input='{"items":[1,2,3]}')["executionArn"]
    described = wait_for_execution(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    assert parsed(described["output"]) == [{"v": 1}, {"v": 2}, {"v": 3}]

    events = history(sfn, execution)
    check_history_shape(events)
    types = event_types(events)
    assert types[:3] == ["ExecutionStarted", "MapStateEntered", "MapStateStarted"]
    assert events[2]["mapStateStartedEventDetails"] == {"length": 3}
    assert types[-3:] == ["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    assert Counter(types[3:-3]) == {
        "MapIterationStarted": 3,
        "PassStateEntered": 3,
        "PassStateExited": 3,
        "MapIterationSucceeded": 3,
    }
    # botocore, MapIterationEventDetails: name is "The name of the iteration's parent Map
    # state", index the item's index.
    started = {
        e["mapIterationStartedEventDetails"]["index"]: e
        for e in events
        if e["type"] == "MapIterationStarted"
    }
    ended = {
        e["mapIterationSucceededEventDetails"]["index"]: e
        for e in events
        if e["type"] == "MapIterationSucceeded"
    }
    assert set(started) == set(ended) == {0, 1, 2}
    for index in range(3):
        assert started[index]["mapIterationStartedEventDetails"]["name"] == "M"
        assert ended[index]["mapIterationSucceededEventDetails"]["name"] == "M"
        assert started[index]["id"] < ended[index]["id"]


def test_reverse_order(sfn, linear):
    forward = history(sfn, linear)
    backward = sfn.get_execution_history(executionArn=linear, reverseOrder=True)["events"]
    # Recorded (test_get_execution_history_reversed): the same events, last first.
    assert backward == list(reversed(forward))


def test_pagination(sfn, linear):
    forward = sfn.get_execution_history(executionArn=linear)["events"]
    assert len(forward) == 10

    collected, token, pages = [], None, 0
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = sfn.get_execution_history(executionArn=linear, maxResults=3, **kwargs)
        assert 0 < len(page["events"]) <= 3
        collected.extend(page["events"])
        pages += 1
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 4
    assert collected == forward

    reversed_pages = sfn.get_paginator("get_execution_history").paginate(
        executionArn=linear, reverseOrder=True, PaginationConfig={"PageSize": 4}
    )
    backward = [event for page in reversed_pages for event in page["events"]]
    assert backward == list(reversed(forward))


def test_without_execution_data(sfn, linear):
    # botocore, includeExecutionData: "You can select whether execution data (input or
    # output of a history event) is returned. The default is true."
    full = sfn.get_execution_history(executionArn=linear)["events"]
    bare = sfn.get_execution_history(executionArn=linear, includeExecutionData=False)["events"]
    assert event_types(bare) == event_types(full)
    assert [e["id"] for e in bare] == [e["id"] for e in full]
    for event in bare:
        body = details(event)
        assert "input" not in body and "output" not in body, event
    assert bare[1]["stateEnteredEventDetails"]["name"] == "Prepare"


def test_history_errors(sfn):
    missing = execution_arn(unique("nomachine"), "missing")
    error = expect_error("ExecutionDoesNotExist", sfn.get_execution_history, executionArn=missing)
    # Recorded (test_get_execution_history_no_such_execution, test_..._invalid_arn).
    assert error["Message"] == f"Execution Does Not Exist: '{missing}'"
    error = expect_error(
        "InvalidArn", sfn.get_execution_history, executionArn="invalid_state_machine_arn"
    )
    assert error["Message"] == "Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"

"""JSONata state machines through the Step Functions API: a JSONata machine, a mixed
JSONPath/JSONata machine, the history of a failed evaluation, and validation.

Expected values come from the AWS Step Functions Developer Guide ("Transforming data
with JSONata", "Passing data between states with variables") and, for the failure
event, from executions recorded on AWS (LocalStack's AWS-validated snapshot
`test_math_operations_jsonata`: an `EvaluationFailed` event with error, cause,
location and state, before `ExecutionFailed`).
"""

import json

from sfn_helpers import (
    check_history_shape,
    create_machine,
    details,
    event_types,
    expect_error,
    history,
    unique,
    wait_for_execution,
)

ORDER = {"items": [{"price": 5, "qty": 2}, {"price": 7, "qty": 1}]}

JSONATA_MACHINE = {
    "QueryLanguage": "JSONata",
    "StartAt": "Total",
    "States": {
        "Total": {
            "Type": "Pass",
            "Assign": {"total": "{% $sum($states.input.items.(price * qty)) %}"},
            "Output": {"lines": "{% $count($states.input.items) %}"},
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "Choices": [
                {
                    "Condition": "{% $total > 10 %}",
                    "Output": {"lines": "{% $states.input.lines %}", "total": "{% $total %}"},
                    "Next": "Done",
                }
            ],
            "Default": "TooSmall",
        },
        "Done": {"Type": "Succeed"},
        "TooSmall": {"Type": "Fail", "Error": "Order.TooSmall", "Cause": "{% $string($total) %}"},
    },
}


def run(sfn, definition, execution_input):
    machine = create_machine(sfn, definition)
    arn = sfn.start_execution(
        stateMachineArn=machine, name=unique("ex"), input=json.dumps(execution_input)
    )["executionArn"]
    return arn, wait_for_execution(sfn, arn)


def test_jsonata_machine_runs(sfn):
    arn, described = run(sfn, JSONATA_MACHINE, ORDER)
    assert described["status"] == "SUCCEEDED", described
    # 5 × 2 + 7 × 1 = 17, over two lines.
    assert json.loads(described["output"]) == {"lines": 2, "total": 17}
    events = history(sfn, arn)
    check_history_shape(events)
    exited = [details(e) for e in events if e["type"] == "PassStateExited"]
    assert exited[0]["assignedVariables"] == {"total": "17"}


def test_jsonata_fail_state_takes_its_cause_from_an_expression(sfn):
    _, described = run(sfn, JSONATA_MACHINE, {"items": [{"price": 1, "qty": 1}]})
    assert described["status"] == "FAILED"
    assert described["error"] == "Order.TooSmall"
    assert described["cause"] == "1"


def test_mixed_machine_passes_data_both_ways(sfn):
    mixed = {
        "StartAt": "Path",
        "States": {
            "Path": {
                "Type": "Pass",
                "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
                "Assign": {"doubled.$": "$.doubled"},
                "Next": "Ata",
            },
            "Ata": {
                "Type": "Pass",
                "QueryLanguage": "JSONata",
                "Output": {"sum": "{% $states.input.doubled + $doubled %}"},
                "Next": "PathAgain",
            },
            "PathAgain": {"Type": "Pass", "OutputPath": "$.sum", "End": True},
        },
    }
    _, described = run(sfn, mixed, {"n": 4})
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == 16


def test_failed_evaluation_is_an_evaluation_failed_event(sfn):
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "E",
        "States": {"E": {"Type": "Pass", "Output": {"v": "{% $states.input.missing %}"}, "End": True}},
    }
    arn, described = run(sfn, definition, {})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.QueryEvaluationError"
    cause = (
        "The JSONata expression '$states.input.missing' specified for the field "
        "'Output/v' returned nothing (undefined)."
    )
    assert described["cause"] == (
        f"An error occurred while executing the state 'E' (entered at the event id #2). {cause}"
    )
    events = history(sfn, arn)
    check_history_shape(events)
    assert event_types(events) == [
        "ExecutionStarted",
        "PassStateEntered",
        "EvaluationFailed",
        "ExecutionFailed",
    ]
    failed = details(events[2])
    assert failed == {
        "error": "States.QueryEvaluationError",
        "cause": cause,
        "location": "Output/v",
        "state": "E",
    }


def test_validation_reports_jsonata_problems(sfn):
    definition = json.dumps(
        {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "Next": "B"},
                "B": {"Type": "Pass", "InputPath": "$.x", "End": True},
            },
        }
    )
    reply = sfn.validate_state_machine_definition(definition=definition)
    assert reply["result"] == "FAIL"
    found = {(d["code"], d["location"], d["message"]) for d in reply["diagnostics"]}
    assert found == {
        (
            "UNSUPPORTED_JSONATA_EXPRESSION",
            "/States/A/Output/v",
            "Reference to 'phone' at the top level is not supported.",
        ),
        (
            "SCHEMA_VALIDATION_FAILED",
            "/States/B",
            "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only "
            "supported for the 'JSONPath' QueryLanguage",
        ),
    }
    error = expect_error(
        "InvalidDefinition",
        sfn.create_state_machine,
        name=unique("bad"),
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/weft-api-tests",
    )
    assert "UNSUPPORTED_JSONATA_EXPRESSION" in error["Message"]

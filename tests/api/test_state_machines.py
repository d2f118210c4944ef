"""State machine operations: Create, Describe, Update, Delete, List, Validate and tags.

Sources are named next to each assertion. "Recorded" means a reply recorded against AWS
in LocalStack's AWS-validated snapshots (tests/aws/services/stepfunctions/v2/*.snapshot.json);
"botocore" means the service model and its documentation.
"""

import datetime
import json

import pytest
from botocore.exceptions import ClientError

from sfn_helpers import (
    PASS_DEFINITION,
    ROLE_ARN,
    dumps,
    create_machine,
    expect_error,
    state_machine_arn,
    unique,
    wait_definition,
    wait_for_event,
    wait_for_execution,
    wait_until,
)


def describe_or_none(sfn, arn):
    try:
        return sfn.describe_state_machine(stateMachineArn=arn)
    except ClientError as error:
        if error.response["Error"]["Code"] == "StateMachineDoesNotExist":
            return None
        raise


# --- CreateStateMachine / DescribeStateMachine -----------------------------------


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_create_and_describe(sfn, machine_type):
    name = unique("create")
    definition = dumps(PASS_DEFINITION)
    created = sfn.create_state_machine(
        name=name, definition=definition, roleArn=ROLE_ARN, type=machine_type
    )
    assert created["stateMachineArn"] == state_machine_arn(name)
    assert isinstance(created["creationDate"], datetime.datetime)
    assert "stateMachineVersionArn" not in created  # only with publish=True (botocore)

    described = sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])
    assert described["stateMachineArn"] == state_machine_arn(name)
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert json.loads(described["definition"]) == PASS_DEFINITION
    assert described["roleArn"] == ROLE_ARN
    assert described["type"] == machine_type
    assert described["creationDate"] == created["creationDate"]
    # Recorded (test_create_exact_duplicate_sm, test_create_describe_delete): without a
    # logging or tracing configuration AWS describes the defaults.
    assert described["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert described["tracingConfiguration"] == {"enabled": False}
    # Recorded (describe_resp_t0 of the update tests): a machine never updated has no
    # revisionId yet.
    assert "revisionId" not in described


def test_create_is_idempotent_and_ignores_role_and_tags(sfn):
    # botocore, CreateStateMachine: "idempotency check is based on the state machine name,
    # definition, type, LoggingConfiguration, TracingConfiguration, and
    # EncryptionConfiguration ... If a following request has a different roleArn or tags,
    # Step Functions will ignore these differences ... roleArn and tags will not be
    # updated". Recorded: test_create_exact_duplicate_sm.
    name = unique("idem")
    definition = dumps(PASS_DEFINITION)
    first = sfn.create_state_machine(
        name=name, definition=definition, roleArn=ROLE_ARN, tags=[{"key": "k", "value": "1"}]
    )
    second = sfn.create_state_machine(
        name=name,
        definition=definition,
        roleArn=ROLE_ARN + "-other",
        tags=[{"key": "other", "value": "2"}],
    )
    assert second["stateMachineArn"] == first["stateMachineArn"]
    assert second["creationDate"] == first["creationDate"]
    described = sfn.describe_state_machine(stateMachineArn=first["stateMachineArn"])
    assert described["roleArn"] == ROLE_ARN
    tags = sfn.list_tags_for_resource(resourceArn=first["stateMachineArn"])["tags"]
    assert tags == [{"key": "k", "value": "1"}]


def test_create_with_other_definition_already_exists(sfn):
    name = unique("exists")
    arn = create_machine(sfn, PASS_DEFINITION, name=name)
    other = json.loads(json.dumps(PASS_DEFINITION))
    other["States"]["State_1"]["Result"]["Arg2"] = "Argument2"
    error = expect_error(
        "StateMachineAlreadyExists",
        sfn.create_state_machine,
        name=name,
        definition=dumps(other),
        roleArn=ROLE_ARN,
    )
    # Recorded (test_create_duplicate_sm_name).
    assert error["Message"] == f"State Machine Already Exists: '{arn}'"


def test_create_with_reformatted_definition_already_exists(sfn):
    # Recorded (test_create_duplicate_definition_format_sm): the same definition
    # serialised with indentation is a different definition.
    name = unique("reformat")
    create_machine(sfn, json.dumps(PASS_DEFINITION), name=name)
    expect_error(
        "StateMachineAlreadyExists",
        sfn.create_state_machine,
        name=name,
        definition=json.dumps(PASS_DEFINITION, indent=4),
        roleArn=ROLE_ARN,
    )


def test_create_with_other_type_already_exists(sfn):
    # botocore: the type is part of the idempotency check.
    name = unique("type")
    create_machine(sfn, PASS_DEFINITION, name=name, machine_type="STANDARD")
    expect_error(
        "StateMachineAlreadyExists",
        sfn.create_state_machine,
        name=name,
        definition=dumps(PASS_DEFINITION),
        roleArn=ROLE_ARN,
        type="EXPRESS",
    )


def test_create_invalid_definition(sfn):
    # Recorded (test_create_delete_invalid_sm): InvalidDefinition, with a message of the
    # form "Invalid State Machine Definition: '<CODE>: <text> at <location>'".
    error = expect_error(
        "InvalidDefinition",
        sfn.create_state_machine,
        name=unique("invalid"),
        definition=dumps({"StartAt": "A"}),
        roleArn=ROLE_ARN,
    )
    assert error["Message"].startswith("Invalid State Machine Definition: '")


@pytest.mark.parametrize("name", ["has space", "slash/name", "question?", "curly{"])
def test_create_invalid_name(sfn, name):
    # botocore, CreateStateMachineInput.name: no white space, brackets, wildcards, special
    # characters or control characters; InvalidName is "The provided name is not valid."
    expect_error(
        "InvalidName",
        sfn.create_state_machine,
        name=name,
        definition=dumps(PASS_DEFINITION),
        roleArn=ROLE_ARN,
    )


def test_describe_unknown_state_machine(sfn):
    arn = state_machine_arn(unique("missing"))
    error = expect_error(
        "StateMachineDoesNotExist", sfn.describe_state_machine, stateMachineArn=arn
    )
    # Recorded (test_describe_nonexistent_sm).
    assert error["Message"] == f"State Machine Does Not Exist: '{arn}'"


def test_describe_invalid_arn(sfn):
    error = expect_error(
        "InvalidArn", sfn.describe_state_machine, stateMachineArn="not_a_valid_arn"
    )
    # Recorded (test_describe_invalid_arn_sm).
    assert error["Message"] == "Invalid Arn: 'Invalid ARN prefix: not_a_valid_arn'"


# --- UpdateStateMachine ------------------------------------------------------------


def test_update_definition_gives_new_revision(sfn):
    arn = create_machine(sfn, PASS_DEFINITION)
    created = sfn.describe_state_machine(stateMachineArn=arn)

    first = json.loads(json.dumps(PASS_DEFINITION))
    first["States"]["State_1"]["Result"] = {"Arg1": "AfterUpdate1"}
    update1 = sfn.update_state_machine(stateMachineArn=arn, definition=dumps(first))
    assert isinstance(update1["updateDate"], datetime.datetime)
    assert update1["revisionId"]
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"]) == first
    assert described["revisionId"] == update1["revisionId"]
    assert described["creationDate"] == created["creationDate"]

    second = json.loads(json.dumps(PASS_DEFINITION))
    second["States"]["State_1"]["Result"] = {"Arg1": "AfterUpdate2"}
    update2 = sfn.update_state_machine(stateMachineArn=arn, definition=dumps(second))
    assert update2["revisionId"] != update1["revisionId"]
    assert sfn.describe_state_machine(stateMachineArn=arn)["revisionId"] == update2["revisionId"]


def test_update_role(sfn):
    arn = create_machine(sfn, PASS_DEFINITION)
    update = sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE_ARN + "-2")
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["roleArn"] == ROLE_ARN + "-2"
    assert described["revisionId"] == update["revisionId"]


def test_update_with_same_parameters_keeps_revision(sfn):
    # Recorded (test_create_update_state_machine_same_parameters): an update that changes
    # nothing returns the revisionId the machine already has.
    definition = dumps(PASS_DEFINITION)
    arn = create_machine(sfn, definition)
    first = sfn.update_state_machine(stateMachineArn=arn, roleArn=ROLE_ARN + "-t1")
    again = sfn.update_state_machine(
        stateMachineArn=arn, definition=definition, roleArn=ROLE_ARN + "-t1"
    )
    assert again["revisionId"] == first["revisionId"]


def test_update_without_changes_is_missing_parameter(sfn):
    arn = create_machine(sfn, PASS_DEFINITION)
    error = expect_error("MissingRequiredParameter", sfn.update_state_machine, stateMachineArn=arn)
    # Recorded (test_create_update_state_machine_base_update_none).
    assert error["Message"] == (
        "Either the definition, the role ARN, the LoggingConfiguration, "
        "or the TracingConfiguration must be specified"
    )


def test_update_unknown_state_machine(sfn):
    expect_error(
        "StateMachineDoesNotExist",
        sfn.update_state_machine,
        stateMachineArn=state_machine_arn(unique("missing")),
        definition=dumps(PASS_DEFINITION),
    )


def test_update_with_invalid_definition(sfn):
    arn = create_machine(sfn, PASS_DEFINITION)
    expect_error(
        "InvalidDefinition",
        sfn.update_state_machine,
        stateMachineArn=arn,
        definition=dumps({"StartAt": "Nowhere", "States": {}}),
    )
    assert (
        json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]) == PASS_DEFINITION
    )


def test_running_execution_keeps_its_definition(sfn):
    # botocore, UpdateStateMachine: "Running executions will continue to use the previous
    # definition and roleArn."
    old = wait_definition(2, then={"version": 1})
    new = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"version": 2}, "End": True}}}
    arn = create_machine(sfn, old)
    running = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for_event(sfn, running, "WaitStateEntered")

    update = sfn.update_state_machine(stateMachineArn=arn, definition=dumps(new))

    used = sfn.describe_state_machine_for_execution(executionArn=running)
    assert json.loads(used["definition"]) == old
    assert used["stateMachineArn"] == arn
    finished = wait_for_execution(sfn, running)
    assert finished["status"] == "SUCCEEDED"
    assert json.loads(finished["output"]) == {"version": 1}

    later = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert json.loads(wait_for_execution(sfn, later)["output"]) == {"version": 2}
    used_later = sfn.describe_state_machine_for_execution(executionArn=later)
    assert json.loads(used_later["definition"]) == new
    assert used_later["revisionId"] == update["revisionId"]


# --- DeleteStateMachine --------------------------------------------------------------


def test_delete_state_machine(sfn):
    arn = create_machine(sfn, PASS_DEFINITION)
    reply = sfn.delete_state_machine(stateMachineArn=arn)
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    # botocore: deletion is asynchronous; with no execution running it completes.
    wait_until(lambda: describe_or_none(sfn, arn) is None, 10, what="the deletion")
    names = [item["stateMachineArn"] for item in sfn.list_state_machines()["stateMachines"]]
    assert arn not in names


def test_delete_unknown_state_machine_succeeds(sfn):
    # Recorded (test_delete_nonexistent_sm): HTTP 200, no error.
    reply = sfn.delete_state_machine(stateMachineArn=state_machine_arn(unique("missing")))
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_delete_with_running_execution(sfn):
    # botocore, DeleteStateMachine: "It sets the state machine's status to DELETING ... A
    # state machine is deleted only when all its executions are completed." AWS
    # Knowledge Center ("step-functions-stuck-deleting-status"): a machine stays DELETING
    # while an execution is in a Wait state. StateMachineDeleting is StartExecution's
    # modelled error for "The specified state machine is being deleted."
    arn = create_machine(sfn, wait_definition(120))
    running = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for_event(sfn, running, "WaitStateEntered")

    sfn.delete_state_machine(stateMachineArn=arn)
    assert sfn.describe_state_machine(stateMachineArn=arn)["status"] == "DELETING"
    expect_error("StateMachineDeleting", sfn.start_execution, stateMachineArn=arn)

    sfn.stop_execution(executionArn=running)
    wait_until(lambda: describe_or_none(sfn, arn) is None, 15, what="the deletion to complete")


def test_delete_ends_execution_at_its_next_transition(sfn):
    # botocore, DeleteStateMachine: "On the next state transition, the state machine's
    # executions are terminated." AWS Knowledge Center
    # ("step-functions-stuck-deleting-status") quotes the failure: States.Runtime,
    # "State machine <name> has been deleted."
    name = unique("deleted")
    arn = create_machine(sfn, wait_definition(2, then={"never": True}), name=name)
    running = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_for_event(sfn, running, "WaitStateEntered")
    sfn.delete_state_machine(stateMachineArn=arn)

    ended = wait_for_execution(sfn, running, timeout=20)
    assert ended["status"] == "FAILED"
    assert ended["error"] == "States.Runtime"
    assert ended["cause"] == f"State machine {name} has been deleted."
    wait_until(lambda: describe_or_none(sfn, arn) is None, 15, what="the deletion to complete")


# --- ListStateMachines ----------------------------------------------------------------


def test_list_state_machines_pagination(sfn):
    prefix = unique("list")
    names = [f"{prefix}-{i}" for i in range(13)]
    for name in names:
        create_machine(sfn, PASS_DEFINITION, name=name)

    seen = []
    paginator = sfn.get_paginator("list_state_machines")
    for page in paginator.paginate(PaginationConfig={"PageSize": 5}):
        assert 0 < len(page["stateMachines"]) <= 5
        seen.extend(item for item in page["stateMachines"] if item["name"].startswith(prefix))
    assert len(seen) == len(names)
    # Recorded (test_list_sms_pagination): the listing is ordered by name.
    assert [item["name"] for item in seen] == sorted(names)
    for item in seen:
        assert set(item) == {"stateMachineArn", "name", "type", "creationDate"}
        assert item["stateMachineArn"] == state_machine_arn(item["name"])
        assert item["type"] == "STANDARD"

    # By hand: the token carries on where the page ended.
    first = sfn.list_state_machines(maxResults=2)
    assert len(first["stateMachines"]) == 2
    second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
    assert {i["name"] for i in first["stateMachines"]}.isdisjoint(
        {i["name"] for i in second["stateMachines"]}
    )

    # Recorded: maxResults=0 means the default page size (100).
    everything = sfn.list_state_machines(maxResults=0)["stateMachines"]
    assert {i["name"] for i in everything} >= set(names)


def test_list_state_machines_bounds(sfn):
    # Recorded (test_list_sms_pagination).
    error = expect_error("ValidationException", sfn.list_state_machines, maxResults=1001)
    assert error["Message"] == (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000"
    )
    expect_error("ValidationException", sfn.list_state_machines, nextToken="x" * 1025)


# --- ValidateStateMachineDefinition ----------------------------------------------------
# botocore: "Your automated processes should only rely on the value of the result field
# ... Do not rely on the exact order, count, or wording of diagnostic messages." The
# codes and locations below are recorded (test_sfn_api_validation.snapshot.json).


@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_validate_ok(sfn, machine_type):
    reply = sfn.validate_state_machine_definition(
        definition=dumps(PASS_DEFINITION), type=machine_type
    )
    assert reply["result"] == "OK"
    assert reply["diagnostics"] == []
    assert reply["truncated"] is False


def test_validate_missing_start_at(sfn):
    definition = {"States": {"A": {"Type": "Succeed"}}}
    reply = sfn.validate_state_machine_definition(definition=dumps(definition))
    assert reply["result"] == "FAIL"
    assert {
        "code": "SCHEMA_VALIDATION_FAILED",
        "location": "/",
        "message": "These fields are required: [StartAt]",
        "severity": "ERROR",
    } in reply["diagnostics"]


def test_validate_not_json(sfn):
    reply = sfn.validate_state_machine_definition(definition="not a definition")
    assert reply["result"] == "FAIL"
    assert [d["code"] for d in reply["diagnostics"]] == ["INVALID_JSON_DESCRIPTION"]
    assert reply["diagnostics"][0]["severity"] == "ERROR"


# --- Tags -----------------------------------------------------------------------------
# Recorded: test_sfn_api_tagging.snapshot.json.


def test_tags_on_create_and_tag_resource(sfn):
    arn = create_machine(
        sfn,
        PASS_DEFINITION,
        tags=[{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}],
    )
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "key1", "value": "value1"},
        {"key": "key2", "value": "value2"},
    ]

    plain = create_machine(sfn, PASS_DEFINITION)
    assert sfn.list_tags_for_resource(resourceArn=plain)["tags"] == []
    reply = sfn.tag_resource(
        resourceArn=plain,
        tags=[{"key": "key1", "value": "value1"}, {"key": "key1", "value": "value1"}],
    )
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sfn.list_tags_for_resource(resourceArn=plain)["tags"] == [
        {"key": "key1", "value": "value1"}
    ]
    sfn.tag_resource(resourceArn=plain, tags=[])
    assert len(sfn.list_tags_for_resource(resourceArn=plain)["tags"]) == 1

    empty_value = create_machine(sfn, PASS_DEFINITION)
    sfn.tag_resource(resourceArn=empty_value, tags=[{"key": "key1", "value": ""}])
    assert sfn.list_tags_for_resource(resourceArn=empty_value)["tags"] == [
        {"key": "key1", "value": ""}
    ]


@pytest.mark.parametrize(
    "keys, left",
    [
        ([], [{"key": "key1", "value": "value1"}]),
        (["key1"], []),
        (["key1", "key1"], []),
        (["key1", "key2"], []),
    ],
)
def test_untag_resource(sfn, keys, left):
    arn = create_machine(sfn, PASS_DEFINITION)
    sfn.tag_resource(resourceArn=arn, tags=[{"key": "key1", "value": "value1"}])
    reply = sfn.untag_resource(resourceArn=arn, tagKeys=keys)
    assert reply["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == left


def test_tags_of_unknown_resource(sfn):
    # botocore: TagResource, UntagResource and ListTagsForResource model ResourceNotFound;
    # recorded message form (test_tag_state_machine_version): "Resource not found: '<arn>'".
    arn = state_machine_arn(unique("missing"))
    error = expect_error(
        "ResourceNotFound", sfn.tag_resource, resourceArn=arn, tags=[{"key": "k", "value": "v"}]
    )
    assert error["Message"] == f"Resource not found: '{arn}'"
    expect_error("ResourceNotFound", sfn.untag_resource, resourceArn=arn, tagKeys=["k"])
    expect_error("ResourceNotFound", sfn.list_tags_for_resource, resourceArn=arn)
    expect_error("InvalidArn", sfn.list_tags_for_resource, resourceArn="not-an-arn")


def test_too_many_tags(sfn):
    # botocore: TooManyTags, "You've exceeded the number of tags allowed for a resource";
    # the limit of 50 tags per resource is AWS's general tagging limit (the Step Functions
    # quota page does not restate it).
    arn = create_machine(sfn, PASS_DEFINITION)
    fifty = [{"key": f"k{i}", "value": str(i)} for i in range(50)]
    sfn.tag_resource(resourceArn=arn, tags=fifty)
    assert len(sfn.list_tags_for_resource(resourceArn=arn)["tags"]) == 50
    expect_error(
        "TooManyTags", sfn.tag_resource, resourceArn=arn, tags=[{"key": "k50", "value": "50"}]
    )

    expect_error(
        "TooManyTags",
        sfn.create_state_machine,
        name=unique("tags"),
        definition=dumps(PASS_DEFINITION),
        roleArn=ROLE_ARN,
        tags=[{"key": f"k{i}", "value": "v"} for i in range(51)],
    )

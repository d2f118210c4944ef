"""A smoke test with the AWS CLI (v1, from the venv), using the commands the README gives:

    aws stepfunctions create-state-machine --endpoint-url URL --name hello \
        --definition file://examples/hello.asl.json --role-arn arn:aws:iam::123456789012:role/weft
    aws stepfunctions start-execution --endpoint-url URL --state-machine-arn ARN \
        --input '{"who": "world"}'
    aws stepfunctions describe-execution --endpoint-url URL --execution-arn ARN
    aws stepfunctions get-execution-history --endpoint-url URL --execution-arn ARN
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sfn_helpers import REPO


def aws_binary():
    for candidate in (Path(sys.executable).parent / "aws", REPO / ".venv" / "bin" / "aws"):
        if candidate.exists():
            return candidate
    pytest.fail("the AWS CLI is not installed in the venv: run scripts/api-tests")


def aws(server, *arguments):
    """Runs `aws stepfunctions …` against the server and returns its parsed JSON output."""
    command = [
        str(aws_binary()),
        "stepfunctions",
        *arguments,
        "--endpoint-url",
        server.endpoint,
        "--region",
        "us-east-1",
        "--output",
        "json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout) if done.stdout.strip() else {}


def test_cli_round_trip(server):
    created = aws(
        server,
        "create-state-machine",
        "--name",
        "hello",
        "--definition",
        f"file://{REPO / 'examples' / 'hello.asl.json'}",
        "--role-arn",
        "arn:aws:iam::123456789012:role/weft",
    )
    machine = created["stateMachineArn"]
    assert machine == "arn:aws:states:us-east-1:123456789012:stateMachine:hello"

    started = aws(
        server,
        "start-execution",
        "--state-machine-arn",
        machine,
        "--name",
        "first",
        "--input",
        '{"who": "world"}',
    )
    execution = started["executionArn"]
    assert execution == "arn:aws:states:us-east-1:123456789012:execution:hello:first"

    deadline = time.monotonic() + 30
    while True:
        described = aws(server, "describe-execution", "--execution-arn", execution)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"greeting": "Hello, world!"}

    events = aws(server, "get-execution-history", "--execution-arn", execution)["events"]
    assert [event["type"] for event in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "SucceedStateEntered",
        "SucceedStateExited",
        "ExecutionSucceeded",
    ]
    assert [event["id"] for event in events] == [1, 2, 3, 4, 5, 6]

    listed = aws(server, "list-executions", "--state-machine-arn", machine)["executions"]
    assert [item["executionArn"] for item in listed] == [execution]

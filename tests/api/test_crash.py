"""Crash recovery: SIGKILL `weft serve` in the middle of 1,200 executions, restart it on the
same database, and check that every execution finishes exactly once with a complete,
gap-free history.

Two machines run side by side: Pass → Wait 2 s → Pass → Succeed, and (with the mock
file's CrashCase) Pass → mocked Task answering after 1 s → Wait 1 s → Succeed. Executions
are started from a pool of clients; the server is killed once the first execution has
finished, so some executions are done, most are waiting in a Wait or a Task, and some
starts are in flight. After the restart the starts that got no reply, and those never
sent, are sent again with the same name and input (idempotent while RUNNING, and
ExecutionAlreadyExists once closed: either way the execution exists).
"""

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from sfn_helpers import (
    MOCK_CONFIG,
    TERMINAL_EVENTS,
    create_machine,
    event_types,
    execution_arn,
    history,
    wait_until,
)
from weft_server import Server

PLAIN_COUNT = 1000
MOCKED_COUNT = 200
THREADS = 8

PLAIN = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": "prepared", "ResultPath": "$.step", "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": 2, "Next": "Finish"},
        "Finish": {"Type": "Pass", "Result": "finished", "ResultPath": "$.step", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
PLAIN_EVENTS = [
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "WaitStateEntered",
    "WaitStateExited",
    "PassStateEntered",
    "PassStateExited",
    "SucceedStateEntered",
    "SucceedStateExited",
    "ExecutionSucceeded",
]

# The mock file answers CrashMocked's "Work" state after a Delay of 1 second.
MOCKED = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Result": "prepared", "ResultPath": "$.step", "Next": "Work"},
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "work", "Payload.$": "$"},
            "ResultSelector": {"done.$": "$.Payload.done"},
            "ResultPath": "$.work",
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
}
MOCKED_EVENTS = [
    "ExecutionStarted",
    "PassStateEntered",
    "PassStateExited",
    "TaskStateEntered",
    "TaskScheduled",
    "TaskStarted",
    "TaskSucceeded",
    "TaskStateExited",
    "WaitStateEntered",
    "WaitStateExited",
    "SucceedStateEntered",
    "SucceedStateExited",
    "ExecutionSucceeded",
]


@pytest.fixture
def crash_server(tmp_path, aws_environment):
    server = Server(tmp_path, mock_config=MOCK_CONFIG).start()
    yield server
    server.stop()


class Plan:
    """The executions to start, and what became of each start."""

    def __init__(self, plain_arn, mocked_arn):
        self.items = []
        every = (PLAIN_COUNT + MOCKED_COUNT) // MOCKED_COUNT
        for i in range(PLAIN_COUNT + MOCKED_COUNT):
            # Mocked executions are spread among the plain ones, so both are in flight together.
            if i % every == every - 1:
                kind, machine, target = "mocked", "CrashMocked", f"{mocked_arn}#CrashCase"
            else:
                kind, machine, target = "plain", "CrashPlain", plain_arn
            name = f"{kind}-{i:05d}"
            self.items.append(
                {
                    "kind": kind,
                    "name": name,
                    "target": target,
                    "arn": execution_arn(machine, name),
                    "input": json.dumps({"i": i}),
                }
            )
        self.lock = threading.Lock()
        self.next = 0
        self.replied = {}  # name -> execution ARN from a reply before the kill
        self.unanswered = set()  # names whose start was in flight at the kill
        self.failures = []  # errors no healthy server gives

    def take(self):
        with self.lock:
            if self.next >= len(self.items):
                return None
            item = self.items[self.next]
            self.next += 1
            return item

    def untried(self):
        return self.items[self.next :]


def start_before_kill(server, plan, killed):
    client = server.client()
    while not killed.is_set():
        item = plan.take()
        if item is None:
            return
        try:
            reply = client.start_execution(
                stateMachineArn=item["target"], name=item["name"], input=item["input"]
            )
        except (BotoCoreError, ClientError) as error:
            with plan.lock:
                if killed.is_set() and not isinstance(error, ClientError):
                    plan.unanswered.add(item["name"])
                else:
                    plan.failures.append((item["name"], repr(error)))
            return
        with plan.lock:
            if "executionArn" in reply:
                plan.replied[item["name"]] = reply["executionArn"]
            else:
                plan.failures.append((item["name"], f"a reply without executionArn: {reply}"))


def start_after_restart(client, item):
    """Starts an execution again; returns None when it exists, else what went wrong."""
    try:
        reply = client.start_execution(
            stateMachineArn=item["target"], name=item["name"], input=item["input"]
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
            return None
        return repr(error)
    if reply["executionArn"] != item["arn"]:
        return f"started {reply['executionArn']}, expected {item['arn']}"
    return None


def running_count(client, machine_arns):
    total = 0
    for arn in machine_arns:
        pages = client.get_paginator("list_executions").paginate(
            stateMachineArn=arn, statusFilter="RUNNING", PaginationConfig={"PageSize": 1000}
        )
        total += sum(len(page["executions"]) for page in pages)
    return total


def verify(client, item):
    """Everything that must hold for one execution: (problems, its events)."""
    problems = []
    try:
        described = client.describe_execution(executionArn=item["arn"])
    except ClientError as error:
        return [repr(error)], []
    if described["status"] != "SUCCEEDED":
        return [
            f"status {described['status']} ({described.get('error')}: {described.get('cause')})"
        ], []
    output = json.loads(described["output"])
    if output.get("i") != json.loads(item["input"])["i"]:
        problems.append(f"output {output} does not belong to input {item['input']}")

    events = history(client, item["arn"])
    types = event_types(events)
    expected = MOCKED_EVENTS if item["kind"] == "mocked" else PLAIN_EVENTS
    if [event["id"] for event in events] != list(range(1, len(events) + 1)):
        problems.append(f"ids are not 1..N: {[event['id'] for event in events]}")
    for event in events:
        if not 0 <= event.get("previousEventId", 0) < event["id"]:
            problems.append(f"event {event['id']} points at {event.get('previousEventId')}")
    terminal = [t for t in types if t in TERMINAL_EVENTS]
    if terminal != ["ExecutionSucceeded"] or types[-1] != "ExecutionSucceeded":
        problems.append(f"terminal events {terminal}, last {types[-1]}")
    entered = Counter(
        event["stateEnteredEventDetails"]["name"]
        for event in events
        if event["type"].endswith("StateEntered")
    )
    for state, count in entered.items():
        if count != 1:
            problems.append(f"state {state} entered {count} times")
    if types != expected:
        problems.append(f"events {types}")
    return problems, events


def test_crash_and_restart(crash_server):
    server = crash_server
    setup = server.client()
    plain_arn = create_machine(setup, PLAIN, name="CrashPlain")
    mocked_arn = create_machine(setup, MOCKED, name="CrashMocked")
    plan = Plan(plain_arn, mocked_arn)

    killed = threading.Event()
    starters = [
        threading.Thread(target=start_before_kill, args=(server, plan, killed), daemon=True)
        for _ in range(THREADS)
    ]
    for thread in starters:
        thread.start()

    # Kill once the first execution has finished (and a few more have had time to).
    first = wait_until(lambda: plan.replied.get(plan.items[0]["name"]), 30, what="the first start")
    wait_until(
        lambda: setup.describe_execution(executionArn=first)["status"] == "SUCCEEDED",
        30,
        what="the first execution to finish",
    )
    time.sleep(0.3)
    killed.set()
    kill_time = time.time()
    server.kill()
    restart_time = time.time()
    for thread in starters:
        thread.join(timeout=60)
    assert not plan.failures, plan.failures[:10]
    replied = dict(plan.replied)
    print(
        f"at the kill: {len(replied)} starts answered, {len(plan.unanswered)} in flight, "
        f"{len(plan.untried())} not sent"
    )

    server.start()
    client = server.client()
    local = threading.local()

    def thread_client():
        if not hasattr(local, "client"):
            local.client = server.client()
        return local.client

    with ThreadPoolExecutor(THREADS) as pool:
        # None lost: every start answered before the kill names an execution that exists.
        by_name = {item["name"]: item for item in plan.items}
        lost = [
            name
            for name, found in zip(
                replied,
                pool.map(lambda name: exists(thread_client(), replied[name]), replied),
            )
            if not found
        ]
        assert not lost, f"{len(lost)} acknowledged executions are gone: {lost[:10]}"
        for name, arn in replied.items():
            assert arn == by_name[name]["arn"]

        again = [by_name[name] for name in plan.unanswered] + plan.untried()
        errors = [
            e for e in pool.map(lambda item: start_after_restart(thread_client(), item), again) if e
        ]
        assert not errors, errors[:10]

        wait_until(
            lambda: running_count(client, [plain_arn, mocked_arn]) == 0,
            180,
            interval=0.5,
            what="every execution to finish",
        )

        results = list(pool.map(lambda item: verify(thread_client(), item), plan.items))

    problems = {}
    finished_before, spanned = 0, 0
    for item, (issues, events) in zip(plan.items, results):
        if issues:
            problems[item["name"]] = issues
            continue
        started_at = events[0]["timestamp"].timestamp()
        ended_at = events[-1]["timestamp"].timestamp()
        if ended_at < kill_time:
            finished_before += 1
        elif started_at < kill_time and ended_at > restart_time:
            # Started by the killed process, finished by the new one.
            spanned += 1
    assert not problems, f"{len(problems)} executions are wrong, e.g. {list(problems.items())[:5]}"

    # Each machine holds exactly the planned executions, none twice.
    for machine_arn, kind in ((plain_arn, "plain"), (mocked_arn, "mocked")):
        pages = client.get_paginator("list_executions").paginate(
            stateMachineArn=machine_arn, PaginationConfig={"PageSize": 1000}
        )
        names = sorted(e["name"] for page in pages for e in page["executions"])
        assert names == sorted(item["name"] for item in plan.items if item["kind"] == kind)

    print(f"{finished_before} finished before the kill, {spanned} were running across it")
    assert finished_before >= 1
    assert spanned >= 1


def exists(client, arn):
    try:
        client.describe_execution(executionArn=arn)
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
            return False
        raise

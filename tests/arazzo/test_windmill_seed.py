"""The Windmill seed, run by `weft run` against the Windmill-shaped server, down both of
its branches: a job that has completed when inspected is read (readCompleted), one that is
still queued is cancelled with the given reason (cancelJob).

The seed writes its Authorization header as `"Bearer $inputs.token"`: a runtime expression
embedded without the `{}` that Arazzo 1.0.1 asks for. weft reads it as the embedded
expression it is meant to be (and `weft validate` warns about it), so the token must
reach the server on every request.
"""

import json
import uuid

import yaml

from arazzo_helpers import FARGATE_SEED, WINDMILL_SEED, run_json, step_ids, weft
from conftest import ADD, NIGHTLY, WORKSPACE
from har import assert_har_1_2, header

WORKFLOW = "run-script-with-cancel-guard"
REASON = "still queued when inspected"


def inputs(server, path, args, token=None):
    return {
        "token": token or server.token,
        "workspace": WORKSPACE,
        "path": path,
        "args": args,
        "cancelReason": REASON,
    }


def run_seed(server, workflow_inputs, *extra, expect_exit=0):
    return run_json(
        WINDMILL_SEED,
        "--workflow",
        WORKFLOW,
        "--server",
        f"windmillApi={server.api_url}",
        "--input",
        json.dumps(workflow_inputs),
        *extra,
        expect_exit=expect_exit,
    )


def assert_bearer_on_every_request(server):
    assert server.requests, "the server received no request"
    for recorded in server.requests:
        assert recorded.headers.get("authorization") == f"Bearer {server.token}", recorded


def test_a_completed_job_is_read(fresh_windmill):
    report, done = run_seed(fresh_windmill, inputs(fresh_windmill, ADD, {"a": 2, "b": 3}))
    assert report["status"] == "SUCCEEDED", done.describe()
    assert step_ids(report) == ["runScript", "inspectJob", "readCompleted"]

    requests = fresh_windmill.requests
    assert [r.method for r in requests] == ["POST", "GET", "GET"]
    run, inspect, read = requests
    assert run.path.startswith(f"/api/w/{WORKSPACE}/jobs/run/p/")
    # The id weft read from the 201 body and sent back: the job the run created.
    job_id = uuid.UUID(inspect.path.rsplit("/", 1)[1])
    job = fresh_windmill.job(WORKSPACE, str(job_id))
    assert job is not None and job.script_path == ADD
    assert run.headers["content-type"].startswith("application/json")
    assert run.json() == {"a": 2, "b": 3}
    assert inspect.path == f"/api/w/{WORKSPACE}/jobs_u/get/{job_id}"
    assert read.path == f"/api/w/{WORKSPACE}/jobs_u/completed/get/{job_id}"
    assert_bearer_on_every_request(fresh_windmill)

    output = report["output"]
    assert output["jobId"] == str(job_id)
    assert output["result"] == 5
    assert output.get("cancelConfirmation") is None
    assert job.canceled is False

    assert [s["request"]["method"] for s in report["steps"]] == ["POST", "GET", "GET"]
    assert [s["response"]["status"] for s in report["steps"]] == [201, 200, 200]
    assert report["steps"][2]["request"]["url"] == (
        f"{fresh_windmill.api_url}/w/{WORKSPACE}/jobs_u/completed/get/{job_id}"
    )


def test_a_queued_job_is_cancelled_with_the_reason(fresh_windmill, tmp_path):
    # Inputs from a file this time (`--input @file`).
    input_file = tmp_path / "inputs.json"
    input_file.write_text(json.dumps(inputs(fresh_windmill, NIGHTLY, {"day": "monday"})))
    report, done = run_json(
        WINDMILL_SEED,
        "--workflow",
        WORKFLOW,
        "--server",
        f"windmillApi={fresh_windmill.api_url}",
        "--input",
        f"@{input_file}",
    )
    assert report["status"] == "SUCCEEDED", done.describe()
    assert step_ids(report) == ["runScript", "inspectJob", "cancelJob"]

    requests = fresh_windmill.requests
    assert [r.method for r in requests] == ["POST", "GET", "POST"]
    run, inspect, cancel = requests
    assert run.json() == {"day": "monday"}
    job_id = inspect.path.rsplit("/", 1)[1]
    job = fresh_windmill.job(WORKSPACE, job_id)
    assert job is not None and job.script_path == NIGHTLY
    assert cancel.path == f"/api/w/{WORKSPACE}/jobs_u/queue/cancel/{job_id}"
    assert cancel.headers["content-type"].startswith("application/json")
    assert cancel.json() == {"reason": REASON}
    assert_bearer_on_every_request(fresh_windmill)

    assert job.canceled is True
    assert job.canceled_reason == REASON

    output = report["output"]
    assert output["jobId"] == job_id
    # Windmill confirms a cancellation with the cancelled job's id, as text.
    assert output["cancelConfirmation"] == job_id
    assert output.get("result") is None


def test_the_script_path_reaches_the_server_whole(fresh_windmill):
    # `path` is a path parameter whose value holds `/`s; however weft encodes it, the
    # server (like Windmill's wildcard route) must find the script it names.
    report, done = run_seed(fresh_windmill, inputs(fresh_windmill, ADD, {"a": 1, "b": 1}))
    assert report["status"] == "SUCCEEDED", done.describe()
    run = fresh_windmill.requests[0]
    assert run.path in (
        f"/api/w/{WORKSPACE}/jobs/run/p/f/math/add",
        f"/api/w/{WORKSPACE}/jobs/run/p/f%2Fmath%2Fadd",
    )


def test_a_wrong_token_fails_the_first_step(fresh_windmill):
    workflow_inputs = inputs(fresh_windmill, ADD, {"a": 1, "b": 2}, token="not-the-token")
    report, done = run_seed(fresh_windmill, workflow_inputs, expect_exit=1)
    assert report["status"] == "FAILED", done.describe()
    assert step_ids(report) == ["runScript"]
    assert report["steps"][0]["response"]["status"] == 401
    assert len(fresh_windmill.requests) == 1
    assert fresh_windmill.requests[0].headers["authorization"] == "Bearer not-the-token"


def test_har_output_is_har_1_2_with_the_token_masked(fresh_windmill, tmp_path):
    har_path = tmp_path / "run.har"
    report, done = run_seed(
        fresh_windmill,
        inputs(fresh_windmill, NIGHTLY, {}),
        "--har",
        har_path,
    )
    assert report["status"] == "SUCCEEDED", done.describe()
    text = har_path.read_text()
    document = json.loads(text)
    assert_har_1_2(document)

    entries = document["log"]["entries"]
    requests = fresh_windmill.requests
    assert [e["request"]["method"] for e in entries] == [r.method for r in requests]
    assert [e["request"]["url"] for e in entries] == [
        fresh_windmill.url + r.path + (f"?{r.query}" if r.query else "") for r in requests
    ]
    assert [e["response"]["status"] for e in entries] == [201, 200, 200]
    # The token was sent (the server saw it) but is nowhere in the archive.
    assert_bearer_on_every_request(fresh_windmill)
    assert fresh_windmill.token not in text
    for entry in entries:
        (authorization,) = header(entry["request"]["headers"], "Authorization")
        assert fresh_windmill.token not in authorization


def test_validate_warns_about_the_bare_embedded_expression():
    done = weft("validate", WINDMILL_SEED)
    # Warnings, not errors: the document is still valid.
    assert done.returncode == 0, done.describe()
    assert "warning" in done.stdout.lower() and "$inputs.token" in done.stdout, done.describe()

    report = weft("validate", WINDMILL_SEED, "--output", "json").json()
    assert report["result"] == "OK", report
    # One warning where the seed writes "Bearer $inputs.token": each step's Authorization.
    (workflow,) = yaml.safe_load(WINDMILL_SEED.read_text())["workflows"]
    expected = [
        f"/workflows/0/steps/{step_index}/parameters/{index}/value"
        for step_index, step in enumerate(workflow["steps"])
        for index, parameter in enumerate(step["parameters"])
        if parameter["value"] == "Bearer $inputs.token"
    ]
    assert len(expected) == 4
    warnings = [d for d in report["diagnostics"] if d["severity"] == "WARNING"]
    assert sorted(d["location"] for d in warnings) == expected, report
    assert all("$inputs.token" in d["message"] for d in warnings), report
    assert all(d["severity"] != "ERROR" for d in report["diagnostics"]), report


def test_validate_finds_nothing_to_say_about_the_fargate_seed():
    # Its runtime expressions are whole values (`$inputs.cluster`): nothing is embedded.
    report = weft("validate", FARGATE_SEED, "--output", "json").json()
    assert report == {"result": "OK", "diagnostics": []}, report

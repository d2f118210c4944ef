"""The Windmill-shaped server answers the four seed operations as the Windmill OpenAPI
description says: status codes, media types, and bodies valid against its schemas (Job,
CompletedJob, QueuedJob), checked with an OpenAPI 3.0 schema validator.
"""

import json
import urllib.error
import urllib.request
import uuid
from functools import cache

import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker, validate

from arazzo_helpers import WINDMILL_OPENAPI
from conftest import ADD, NIGHTLY, WORKSPACE


def call(server, method, path, body=None, token=None, content_type="application/json"):
    """One request; returns (status, content type, body text)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token is not False:
        request.add_header("Authorization", f"Bearer {token or server.token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read().decode()


@cache
def _description():
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(WINDMILL_OPENAPI.read_text(), Loader=loader)


@cache
def _schemas():
    return _without_external_refs(_description()["components"]["schemas"])


def _without_external_refs(value):
    # The description's 65 `../../openflow.openapi.yaml` references point outside the
    # file (FlowStatus, FlowValue): the members that use them are left unchecked.
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return {}
        return {key: _without_external_refs(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_external_refs(item) for item in value]
    return value


def assert_valid(instance, schema_name):
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": {"schemas": _schemas()}}
    validate(instance, schema, cls=OAS30Validator, format_checker=oas30_format_checker)


def operation(path, method):
    return _description()["paths"][path][method]


def run(server, script, args, encode_slashes=False):
    path = script.replace("/", "%2F") if encode_slashes else script
    return call(server, "POST", f"/api/w/{WORKSPACE}/jobs/run/p/{path}", args)


def test_the_description_names_the_operations_served():
    # The routes below are the description's, under its relative server `/api`.
    assert _description()["servers"] == [{"url": "/api"}]
    assert operation("/w/{workspace}/jobs/run/p/{path}", "post")["operationId"] == "runScriptByPath"
    assert operation("/w/{workspace}/jobs_u/get/{id}", "get")["operationId"] == "getJob"
    completed = operation("/w/{workspace}/jobs_u/completed/get/{id}", "get")
    assert completed["operationId"] == "getCompletedJob"
    cancel = operation("/w/{workspace}/jobs_u/queue/cancel/{id}", "post")
    assert cancel["operationId"] == "cancelQueuedJob"


def test_run_answers_201_with_the_job_uuid_as_text(fresh_windmill):
    status, media_type, text = run(fresh_windmill, ADD, {"a": 2, "b": 3})
    responses = operation("/w/{workspace}/jobs/run/p/{path}", "post")["responses"]
    assert status == 201 and "201" in responses
    assert media_type == "text/plain" and "text/plain" in responses["201"]["content"]
    assert str(uuid.UUID(text)) == text
    job = fresh_windmill.job(WORKSPACE, text)
    assert job.script_path == ADD
    assert job.args == {"a": 2, "b": 3}


@pytest.mark.parametrize("encode_slashes", [False, True], ids=["slashes", "percent-encoded"])
def test_the_script_path_may_carry_its_slashes_either_way(fresh_windmill, encode_slashes):
    status, _, job_id = run(fresh_windmill, ADD, {"a": 1, "b": 1}, encode_slashes=encode_slashes)
    assert status == 201, job_id
    assert fresh_windmill.job(WORKSPACE, job_id).script_path == ADD


def test_a_completed_job_is_a_valid_completed_job(fresh_windmill):
    _, _, job_id = run(fresh_windmill, ADD, {"a": 20, "b": 22})
    status, media_type, text = call(fresh_windmill, "GET", f"/api/w/{WORKSPACE}/jobs_u/get/{job_id}")
    assert (status, media_type) == (200, "application/json")
    job = json.loads(text)
    assert_valid(job, "Job")
    assert job["type"] == "CompletedJob"
    assert job["id"] == job_id
    assert job["success"] is True
    assert job["result"] == 42
    assert job["canceled"] is False

    status, media_type, text = call(
        fresh_windmill, "GET", f"/api/w/{WORKSPACE}/jobs_u/completed/get/{job_id}"
    )
    assert (status, media_type) == (200, "application/json")
    completed = json.loads(text)
    assert_valid(completed, "CompletedJob")
    assert completed["result"] == 42


def test_a_queued_job_is_a_valid_queued_job_until_cancelled(fresh_windmill):
    _, _, job_id = run(fresh_windmill, NIGHTLY, {"day": "monday"})
    status, _, text = call(fresh_windmill, "GET", f"/api/w/{WORKSPACE}/jobs_u/get/{job_id}")
    assert status == 200
    job = json.loads(text)
    assert_valid(job, "Job")
    assert job["type"] == "QueuedJob"
    assert job["running"] is False
    # Not completed: there is no completed record to read.
    status, _, _ = call(fresh_windmill, "GET", f"/api/w/{WORKSPACE}/jobs_u/completed/get/{job_id}")
    assert status == 404

    status, media_type, text = call(
        fresh_windmill,
        "POST",
        f"/api/w/{WORKSPACE}/jobs_u/queue/cancel/{job_id}",
        {"reason": "took too long"},
    )
    assert (status, media_type) == (200, "text/plain")
    assert text == job_id
    recorded = fresh_windmill.job(WORKSPACE, job_id)
    assert recorded.canceled is True
    assert recorded.canceled_reason == "took too long"

    status, _, text = call(fresh_windmill, "GET", f"/api/w/{WORKSPACE}/jobs_u/get/{job_id}")
    job = json.loads(text)
    assert_valid(job, "Job")
    assert job["type"] == "CompletedJob"
    assert (job["canceled"], job["success"]) == (True, False)
    assert job["canceled_reason"] == "took too long"


def test_every_operation_needs_the_bearer_token(fresh_windmill):
    _, _, job_id = run(fresh_windmill, NIGHTLY, {})
    requests = [
        ("POST", f"/api/w/{WORKSPACE}/jobs/run/p/{ADD}", {"a": 1, "b": 2}),
        ("GET", f"/api/w/{WORKSPACE}/jobs_u/get/{job_id}", None),
        ("GET", f"/api/w/{WORKSPACE}/jobs_u/completed/get/{job_id}", None),
        ("POST", f"/api/w/{WORKSPACE}/jobs_u/queue/cancel/{job_id}", {"reason": "x"}),
    ]
    for method, path, body in requests:
        assert call(fresh_windmill, method, path, body, token=False)[0] == 401, path
        assert call(fresh_windmill, method, path, body, token="not-the-token")[0] == 401, path
    assert fresh_windmill.job(WORKSPACE, job_id).canceled is False


def test_unknown_scripts_and_jobs_are_not_found(fresh_windmill):
    assert run(fresh_windmill, "f/math/unknown", {})[0] == 404
    missing = uuid.uuid4()
    assert call(fresh_windmill, "GET", f"/api/w/{WORKSPACE}/jobs_u/get/{missing}")[0] == 404
    _, _, job_id = run(fresh_windmill, ADD, {"a": 1, "b": 2})
    # Jobs belong to their workspace.
    assert call(fresh_windmill, "GET", f"/api/w/elsewhere/jobs_u/get/{job_id}")[0] == 404


def test_requests_are_recorded_and_listed(fresh_windmill):
    _, _, job_id = run(fresh_windmill, ADD, {"a": 1, "b": 2}, encode_slashes=True)
    call(fresh_windmill, "GET", f"/api/w/{WORKSPACE}/jobs_u/get/{job_id}", token=False)
    with urllib.request.urlopen(fresh_windmill.url + "/__requests", timeout=10) as response:
        listed = json.loads(response.read())
    assert [(r["method"], r["path"]) for r in listed] == [
        ("POST", f"/api/w/{WORKSPACE}/jobs/run/p/f%2Fmath%2Fadd"),
        ("GET", f"/api/w/{WORKSPACE}/jobs_u/get/{job_id}"),
    ]
    assert json.loads(listed[0]["body"]) == {"a": 1, "b": 2}
    assert listed[0]["headers"]["authorization"] == f"Bearer {fresh_windmill.token}"
    assert "authorization" not in listed[1]["headers"]
    assert [r.as_dict() for r in fresh_windmill.requests] == listed

"""Arazzo workflows through the Step Functions API: a state machine whose definition is
an Arazzo document, run against a small HTTP API served by the test (which also serves
the API's OpenAPI description, fetched when the machine is created).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sfn_helpers import (
    REGION,
    ROLE_ARN,
    check_history_shape,
    create_machine,
    details,
    event_types,
    expect_error,
    history,
    unique,
    wait_for_event,
    wait_for_execution,
)

SLOW_SECONDS = 2.0


class Pets(BaseHTTPRequestHandler):
    """GET /pets/{id}, POST /adoptions (signed with SigV4), GET /slow, and the description."""

    received = []

    def log_message(self, *args):
        pass

    def lowercase_headers(self):
        return {name.lower(): value for name, value in self.headers.items()}

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        Pets.received.append(("GET", self.path, self.lowercase_headers()))
        if self.path == "/openapi.json":
            self.reply(200, openapi(self.server.base))
        elif self.path.startswith("/pets/"):
            pet = self.path.removeprefix("/pets/")
            self.reply(200, {"id": pet, "name": f"pet-{pet}"})
        elif self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.reply(200, {"slow": True})
        else:
            self.reply(404, {"message": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        Pets.received.append(("POST", self.path, self.lowercase_headers()))
        if self.path != "/adoptions":
            self.reply(404, {"message": "not found"})
        elif not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
            self.reply(403, {"message": "not signed"})
        else:
            self.reply(201, {"adoptionId": f"adopt-{body.get('pet')}"})


def openapi(base):
    ok = {"200": {"description": "ok"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "pets", "version": "1"},
        "servers": [{"url": base}],
        "components": {
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                    "x-amz-service": "execute-api",
                }
            }
        },
        "paths": {
            "/pets/{id}": {
                "get": {
                    "operationId": "getPet",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": ok,
                }
            },
            "/adoptions": {
                "post": {
                    "operationId": "adopt",
                    "security": [{"sigv4": []}],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"201": {"description": "created"}},
                }
            },
            "/slow": {"get": {"operationId": "slow", "responses": ok}},
        },
    }


@pytest.fixture(scope="module")
def api():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pets)
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.base
    httpd.shutdown()


def document(api, workflows, **extensions):
    return {
        "arazzo": "1.0.1",
        "info": {"title": "pet flows", "version": "1"},
        "sourceDescriptions": [{"name": "pets", "url": f"{api}/openapi.json", "type": "openapi"}],
        "workflows": workflows,
        **extensions,
    }


ADOPT = {
    "workflowId": "adoptPet",
    "inputs": {
        "type": "object",
        "required": ["petId"],
        "properties": {"petId": {"type": "string"}, "apiKey": {"type": "string"}},
    },
    "steps": [
        {
            "stepId": "findPet",
            "operationId": "getPet",
            "parameters": [
                {"name": "id", "in": "path", "value": "$inputs.petId"},
                {"name": "Authorization", "in": "header", "value": "Bearer {$inputs.apiKey}"},
            ],
            "successCriteria": [{"condition": "$statusCode == 200"}],
            "outputs": {"name": "$response.body#/name"},
        },
        {
            "stepId": "adopt",
            "operationId": "adopt",
            "requestBody": {
                "contentType": "application/json",
                "payload": {"pet": "$steps.findPet.outputs.name"},
            },
            "successCriteria": [{"condition": "$statusCode == 201"}],
            "outputs": {"adoptionId": "$response.body#/adoptionId"},
        },
    ],
    "outputs": {
        "adoptionId": "$steps.adopt.outputs.adoptionId",
        "name": "$steps.findPet.outputs.name",
    },
}

SLOW = {
    "workflowId": "slow",
    "steps": [{"stepId": "wait", "operationId": "slow"}],
}


def test_an_arazzo_workflow_runs_as_a_state_machine(sfn, api):
    definition = json.dumps(document(api, [ADOPT]))
    machine = create_machine(sfn, definition)
    assert sfn.describe_state_machine(stateMachineArn=machine)["definition"] == definition

    inputs = {"petId": "7", "apiKey": "k-s3cret"}
    started = sfn.start_execution(stateMachineArn=machine, input=json.dumps(inputs))
    described = wait_for_execution(sfn, started["executionArn"])
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"adoptionId": "adopt-pet-7", "name": "pet-7"}
    assert json.loads(described["input"]) == inputs

    events = history(sfn, started["executionArn"])
    check_history_shape(events)
    assert event_types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert json.loads(details(events[0])["input"]) == inputs
    assert details(events[0])["roleArn"] == ROLE_ARN
    assert [details(e)["name"] for e in events if e["type"] == "TaskStateEntered"] == [
        "findPet",
        "adopt",
    ]
    scheduled = [details(e) for e in events if e["type"] == "TaskScheduled"]
    assert scheduled[0]["resourceType"] == "http"
    assert scheduled[0]["resource"] == "invoke"
    assert scheduled[0]["region"] == REGION
    request = json.loads(scheduled[0]["parameters"])
    assert request["method"] == "GET"
    assert request["url"] == f"{api}/pets/7"
    assert request["headers"]["Authorization"] == "********"
    assert json.loads(scheduled[1]["parameters"])["body"] == {"pet": "pet-7"}
    succeeded = [details(e) for e in events if e["type"] == "TaskSucceeded"]
    assert json.loads(succeeded[1]["output"]) == {
        "status": 201,
        "outputs": {"adoptionId": "adopt-pet-7"},
    }
    exited = [details(e) for e in events if e["type"] == "TaskStateExited"]
    assert json.loads(exited[0]["output"]) == {"name": "pet-7"}
    assert json.loads(details(events[-1])["output"]) == {
        "adoptionId": "adopt-pet-7",
        "name": "pet-7",
    }
    assert "k-s3cret" not in json.dumps(events[1:], default=str)
    finds = [headers for method, path, headers in Pets.received if path == "/pets/7"]
    assert finds[-1]["authorization"] == "Bearer k-s3cret"

    # The adoption went out signed with the server's credentials (AWS_ACCESS_KEY_ID of
    # its environment) for the description's service and the server's region.
    posts = [headers for method, path, headers in Pets.received if method == "POST"]
    authorization = posts[-1]["authorization"]
    today = time.strftime("%Y%m%d", time.gmtime())
    assert authorization.startswith(
        f"AWS4-HMAC-SHA256 Credential=weft-test/{today}/{REGION}/execute-api/aws4_request,"
    ), authorization


def test_an_invalid_arazzo_definition_is_refused_with_its_diagnostics(sfn, api):
    missing = document(api, [ADOPT])
    missing["sourceDescriptions"][0]["url"] = f"{api}/absent.json"
    reply = sfn.validate_state_machine_definition(definition=json.dumps(missing))
    assert reply["result"] == "FAIL"
    assert [d["code"] for d in reply["diagnostics"]] == ["source-unavailable"]
    error = expect_error(
        "InvalidDefinition",
        sfn.create_state_machine,
        name=unique("arazzo"),
        definition=json.dumps(missing),
        roleArn=ROLE_ARN,
    )
    assert "source-unavailable" in error["Message"]

    unknown = document(api, [ADOPT], **{"x-weft-workflow": "sell"})
    reply = sfn.validate_state_machine_definition(definition=json.dumps(unknown))
    assert reply["result"] == "FAIL"
    assert {"/x-weft-workflow"} == {d.get("location") for d in reply["diagnostics"]}

    ok = sfn.validate_state_machine_definition(definition=json.dumps(document(api, [ADOPT])))
    assert ok["result"] == "OK", ok


def test_stop_ends_a_workflow_waiting_on_a_response(sfn, api):
    machine = create_machine(sfn, json.dumps(document(api, [SLOW])))
    started = sfn.start_execution(stateMachineArn=machine, input="{}")
    arn = started["executionArn"]
    wait_for_event(sfn, arn, "TaskStarted")
    sfn.stop_execution(executionArn=arn, error="Operator", cause="no need")
    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "ABORTED"
    assert described["error"] == "Operator"

    # The response comes after the stop and changes nothing.
    time.sleep(SLOW_SECONDS + 0.5)
    events = history(sfn, arn)
    check_history_shape(events)
    assert event_types(events) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "ExecutionAborted",
    ]
    assert details(events[-1]) == {"error": "Operator", "cause": "no need"}
    assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"

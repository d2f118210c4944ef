"""A Windmill-shaped HTTP server for the Arazzo seed tests: the four job operations the
Windmill seed calls, as examples/arazzo/openapi/windmill-api-openapi.yml describes them.

    POST /api/w/{workspace}/jobs/run/p/{path}          201 text/plain: the new job's uuid
    GET  /api/w/{workspace}/jobs_u/get/{id}            200 Job (type CompletedJob or QueuedJob)
    GET  /api/w/{workspace}/jobs_u/completed/get/{id}  200 CompletedJob
    POST /api/w/{workspace}/jobs_u/queue/cancel/{id}   200 text/plain: the cancelled job's id

Windmill routes `run/p/*script_path` as a wildcard, so the script path may arrive with its
`/`s as they are or percent-encoded (`f%2Fmath%2Fadd`); both are decoded to the same path.
Every request must carry `Authorization: Bearer <token>` (401 otherwise), as the
description's `bearerAuth` scheme says.

What a job does is the server's configuration, not the caller's: a script either completes
at once, with its result computed from the arguments by a Python function, or, if it is
configured `queued`, stays in the queue (not running) until it is cancelled. The server
records every request it receives; tests read them from `server.requests` or from
`GET /__requests` (no token needed), and empty them with `server.clear()`.
"""

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

USER = "tester"
EMAIL = "tester@windmill.test"
PERMISSIONED_AS = f"u/{USER}"
# A python3 script's default worker tag in Windmill.
TAG = "python3"

_RUN = re.compile(r"^/api/w/(?P<workspace>[^/]+)/jobs/run/p/(?P<path>.+)$")
_GET = re.compile(r"^/api/w/(?P<workspace>[^/]+)/jobs_u/get/(?P<id>[^/]+)$")
_COMPLETED = re.compile(r"^/api/w/(?P<workspace>[^/]+)/jobs_u/completed/get/(?P<id>[^/]+)$")
_CANCEL = re.compile(r"^/api/w/(?P<workspace>[^/]+)/jobs_u/queue/cancel/(?P<id>[^/]+)$")


@dataclass
class Script:
    """A script the server knows: `run(args)` computes a completed job's result."""

    run: object = None
    queued: bool = False


@dataclass
class Job:
    workspace: str
    id: str
    script_path: str
    args: dict
    created_at: datetime
    queued: bool
    result: object = None
    success: bool = False
    duration_ms: int = 0
    canceled: bool = False
    canceled_reason: str | None = None
    completed_at: datetime | None = None

    def _common(self):
        return {
            "workspace_id": self.workspace,
            "id": self.id,
            "created_by": USER,
            "created_at": _timestamp(self.created_at),
            "script_path": self.script_path,
            "args": self.args,
            "canceled": self.canceled,
            "job_kind": "script",
            "permissioned_as": PERMISSIONED_AS,
            "is_flow_step": False,
            "language": "python3",
            "email": EMAIL,
            "visible_to_owner": True,
            "tag": TAG,
        }

    def queued_job(self):
        """The QueuedJob record: still waiting for a worker."""
        return {
            **self._common(),
            "type": "QueuedJob",
            "scheduled_for": _timestamp(self.created_at),
            "running": False,
        }

    def completed_job(self):
        """The CompletedJob record (also what a cancelled job becomes)."""
        record = {
            **self._common(),
            "type": "CompletedJob",
            "started_at": _timestamp(self.created_at),
            "completed_at": _timestamp(self.completed_at),
            "duration_ms": self.duration_ms,
            "success": self.success,
            "result": self.result,
            "logs": "",
            "deleted": False,
            "is_skipped": False,
            "mem_peak": 0,
        }
        if self.canceled:
            record["canceled_by"] = USER
            if self.canceled_reason is not None:
                record["canceled_reason"] = self.canceled_reason
        return record


@dataclass
class Recorded:
    """One request as the server received it (header names in lower case)."""

    method: str
    path: str
    query: str
    headers: dict
    body: str

    def json(self):
        return json.loads(self.body)

    def as_dict(self):
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
        }


@dataclass
class _State:
    token: str
    scripts: dict
    jobs: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _timestamp(moment):
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class WindmillServer:
    """The server on a free port of 127.0.0.1, in a thread of the test process."""

    def __init__(self, token, scripts):
        self._state = _State(token=token, scripts=dict(scripts))
        self._httpd = None
        self._thread = None

    @property
    def token(self):
        return self._state.token

    @property
    def url(self):
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self):
        """The base URL the description's relative server `/api` stands for."""
        return f"{self.url}/api"

    @property
    def requests(self):
        with self._state.lock:
            return list(self._state.requests)

    def job(self, workspace, job_id):
        with self._state.lock:
            return self._state.jobs.get((workspace, job_id))

    def clear(self):
        with self._state.lock:
            self._state.requests.clear()

    def start(self):
        state = self._state

        class Handler(_Handler):
            pass

        Handler.state = state
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=10)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, as clients expect of a real server; every reply has a Content-Length.
    protocol_version = "HTTP/1.1"
    # A reply leaves in one write (head and body buffered, flushed after each request) and
    # without Nagle's delay: otherwise each request on a kept-alive connection waits ~40 ms
    # for the client's delayed ACK.
    wbufsize = -1
    disable_nagle_algorithm = True
    state: _State

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self):
        body = self._read_body()
        split = urlsplit(self.path)
        if split.path == "/__requests" and self.command == "GET":
            with self.state.lock:
                recorded = [r.as_dict() for r in self.state.requests]
            return self._reply(200, "application/json", json.dumps(recorded))
        with self.state.lock:
            self.state.requests.append(
                Recorded(
                    method=self.command,
                    path=split.path,
                    query=split.query,
                    # Header names are case-insensitive: recorded in lower case.
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=body.decode("utf-8", errors="replace"),
                )
            )
        if self.headers.get("Authorization") != f"Bearer {self.state.token}":
            return self._reply(401, "text/plain", "Unauthorized")
        try:
            self._route(split.path, body)
        except _Reply as reply:
            self._reply(reply.status, "text/plain", reply.text)

    def _route(self, path, body):
        for method, pattern, handler in (
            ("POST", _RUN, self._run),
            ("GET", _GET, self._get),
            ("GET", _COMPLETED, self._completed),
            ("POST", _CANCEL, self._cancel),
        ):
            match = pattern.match(path)
            if match:
                if self.command != method:
                    raise _Reply(405, "Method Not Allowed")
                values = {name: unquote(value) for name, value in match.groupdict().items()}
                return handler(body=body, **values)
        raise _Reply(404, f"Not found: {path}")

    def _json_body(self, body):
        if not self.headers.get("Content-Type", "").startswith("application/json"):
            raise _Reply(415, "Expected request with `Content-Type: application/json`")
        try:
            return json.loads(body)
        except ValueError as error:
            raise _Reply(400, f"Failed to parse the request body as JSON: {error}") from None

    def _run(self, workspace, path, body):
        args = self._json_body(body)
        if not isinstance(args, dict):
            raise _Reply(400, "script args must be a JSON object")
        script = self.state.scripts.get(path)
        if script is None:
            raise _Reply(404, f"Script not found at path {path}")
        now = datetime.now(timezone.utc)
        job = Job(
            workspace=workspace,
            id=str(uuid.uuid4()),
            script_path=path,
            args=args,
            created_at=now,
            queued=script.queued,
        )
        if not script.queued:
            try:
                job.result = script.run(args)
                job.success = True
            except Exception as error:  # a failing script is a failed job, as in Windmill
                job.result = {"error": {"name": type(error).__name__, "message": str(error)}}
            job.duration_ms = 7
            job.completed_at = now + timedelta(milliseconds=job.duration_ms)
        with self.state.lock:
            self.state.jobs[(workspace, job.id)] = job
        self._reply(201, "text/plain", job.id)

    def _find(self, workspace, job_id):
        try:
            uuid.UUID(job_id)
        except ValueError:
            raise _Reply(400, f"Invalid URL: {job_id} is not a uuid") from None
        with self.state.lock:
            job = self.state.jobs.get((workspace, job_id))
        if job is None:
            raise _Reply(404, f"Job {job_id} not found")
        return job

    def _get(self, workspace, id, body):
        job = self._find(workspace, id)
        record = job.queued_job() if job.queued else job.completed_job()
        self._reply(200, "application/json", json.dumps(record))

    def _completed(self, workspace, id, body):
        job = self._find(workspace, id)
        if job.queued:
            raise _Reply(404, f"Completed job {id} not found")
        self._reply(200, "application/json", json.dumps(job.completed_job()))

    def _cancel(self, workspace, id, body):
        request = self._json_body(body)
        reason = request.get("reason") if isinstance(request, dict) else None
        if not isinstance(request, dict) or not isinstance(reason, (str, type(None))):
            raise _Reply(400, "the body must be {reason?: string}")
        job = self._find(workspace, id)
        with self.state.lock:
            if not job.queued:
                text = f"queued job id {id} is already completed"
            else:
                # A cancelled queued job becomes a completed, unsuccessful one.
                job.queued = False
                job.canceled = True
                job.canceled_reason = reason
                job.success = False
                job.completed_at = datetime.now(timezone.utc)
                job.result = {
                    "error": {
                        "name": "Canceled",
                        "message": f"Job canceled: {job.canceled_reason} by {USER}",
                    }
                }
                text = id
        self._reply(200, "text/plain", text)

    def _reply(self, status, content_type, text):
        data = text.encode("utf-8")
        if content_type == "text/plain":
            content_type += "; charset=utf-8"
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Reply(Exception):
    def __init__(self, status, text):
        super().__init__(text)
        self.status = status
        self.text = text

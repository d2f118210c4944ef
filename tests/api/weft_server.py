"""`weft serve` as a child process of the tests, and boto3 clients pointed at it.

The binary is `$WEFT_BIN`, or `target/debug/weft` (under `$CARGO_TARGET_DIR` when set);
scripts/api-tests builds it first. Every server gets a free port on 127.0.0.1 and keeps
its SQLite database in its own directory, so it can be killed and started again on the
same data.
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from sfn_helpers import REGION, REPO

# Dummy credentials: weft accepts signed and unsigned requests alike, botocore insists on
# having some. The config files point at nothing so a developer's own ~/.aws never leaks in.
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "weft-test",
    "AWS_SECRET_ACCESS_KEY": "weft-test-secret",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}
AWS_UNSET = [
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SFN",
    "AWS_CA_BUNDLE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
]


def weft_binary():
    explicit = os.environ.get("WEFT_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "debug" / "weft"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client_config():
    # StartSyncExecution carries the `sync-` host prefix; without inject_host_prefix=False
    # botocore would send it to sync-127.0.0.1. One attempt per call: a retry would hide
    # what the server answered (and, in the crash test, start an execution twice).
    return Config(
        inject_host_prefix=False,
        retries={"total_max_attempts": 1},
        connect_timeout=10,
        read_timeout=60,
    )


class Server:
    """One `weft serve` process on a database that outlives restarts of the process."""

    def __init__(self, workdir, mock_config=None):
        self.workdir = Path(workdir)
        self.db = self.workdir / "weft.db"
        self.mock_config = mock_config
        self.log_path = self.workdir / "server.log"
        self.process = None
        self.port = None
        self.generation = 0

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=30):
        binary = weft_binary()
        if not binary.exists():
            pytest.fail(f"{binary} does not exist: build it with `cargo build -p weft`")
        self.port = free_port()
        self.generation += 1
        command = [
            str(binary),
            "serve",
            "--listen",
            f"127.0.0.1:{self.port}",
            "--db",
            f"sqlite:{self.db}",
        ]
        if self.mock_config is not None:
            command += ["--mock-config", str(self.mock_config)]
        log = open(self.log_path, "ab")
        log.write(f"--- start {self.generation}: {' '.join(command)}\n".encode())
        log.flush()
        environment = dict(os.environ, RUST_BACKTRACE="1")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"weft serve exited with {self.process.returncode} while starting:\n{self.log_tail()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(
                        f"weft serve did not accept connections within {timeout}s:\n{self.log_tail()}"
                    )
                time.sleep(0.05)

    def kill(self):
        """SIGKILL: the process gets no chance to flush or clean up."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def exited_early(self):
        return self.process is not None and self.process.poll() is not None

    def log_tail(self, lines=200):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def client(self, service="stepfunctions"):
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=AWS_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=AWS_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
            config=client_config(),
        )

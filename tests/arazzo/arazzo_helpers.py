"""Paths of the seed documents and `weft run` / `weft validate` as child processes.

The seeds and the OpenAPI descriptions they point at are kept byte for byte as published
(examples/arazzo/SHA256SUMS), in the layout their relative `url`s expect: arazzo/<seed>.yml
names ../openapi/<description>.yml.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "examples" / "arazzo"
FARGATE_SEED = DATA / "arazzo" / "amazon-fargate-stop-task-and-confirm-workflow.yml"
WINDMILL_SEED = DATA / "arazzo" / "windmill-run-script-with-timeout-cancel-workflow.yml"
WINDMILL_OPENAPI = DATA / "openapi" / "windmill-api-openapi.yml"

# What the child process may see of the AWS environment: nothing, unless a test says so.
AWS_VARIABLES = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
]


def weft_binary():
    explicit = os.environ.get("WEFT_BIN")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "debug" / "weft"


@dataclass
class Done:
    """A finished `weft` process."""

    command: list
    returncode: int
    stdout: str
    stderr: str

    def describe(self):
        return (
            f"$ {' '.join(self.command)}\nexit {self.returncode}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )

    def json(self):
        try:
            return json.loads(self.stdout)
        except ValueError:
            pytest.fail(f"stdout is not one JSON document:\n{self.describe()}")


def weft(*arguments, env=None, timeout=120):
    """Runs `weft ARGUMENTS…` with no AWS variables but those in `env`."""
    binary = weft_binary()
    if not binary.exists():
        pytest.fail(f"{binary} does not exist: build it with `cargo build -p weft`")
    environment = {k: v for k, v in os.environ.items() if k not in AWS_VARIABLES}
    environment.update(env or {})
    command = [str(binary), *map(str, arguments)]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        stdin=subprocess.DEVNULL,
    )
    return Done(command, done.returncode, done.stdout, done.stderr)


def run_json(seed, *arguments, env=None, expect_exit=0):
    """`weft run SEED … --output json`: the parsed report, after checking the exit code."""
    done = weft("run", seed, *arguments, "--output", "json", env=env)
    assert done.returncode == expect_exit, done.describe()
    return done.json(), done


def step_ids(report):
    return [step["stepId"] for step in report["steps"]]

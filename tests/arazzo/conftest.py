"""Fixtures of the Arazzo seed tests: moto's server as the ECS endpoint (one per session,
with IAM authentication on), a Windmill-shaped server (one per module), and, in the report
of a failing test, the moto log and the requests the Windmill server received.
"""

import json
import secrets

import pytest

from moto_ecs import MotoEcs
from windmill_server import Script, WindmillServer

WORKSPACE = "seeds"
ADD = "f/math/add"
# Configured to stay queued: a job of this script is never picked up by a worker.
NIGHTLY = "f/reports/nightly"


def _add(args):
    return args["a"] + args["b"]


@pytest.fixture(scope="session")
def moto(tmp_path_factory):
    server = MotoEcs(tmp_path_factory.mktemp("moto"))
    server.start()
    yield server
    crashed = server.process.poll() is not None
    server.stop()
    if crashed:
        pytest.fail(f"moto_server exited during the tests:\n{server.log_tail()}")


@pytest.fixture(scope="module")
def windmill():
    token = f"wm_{secrets.token_hex(16)}"
    scripts = {ADD: Script(run=_add), NIGHTLY: Script(queued=True)}
    with WindmillServer(token, scripts) as server:
        yield server


@pytest.fixture
def fresh_windmill(windmill):
    """The module's Windmill server with no requests recorded yet."""
    windmill.clear()
    return windmill


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, MotoEcs):
                report.sections.append((f"moto log ({value.log_path})", value.log_tail()))
            if isinstance(value, WindmillServer):
                recorded = json.dumps([r.as_dict() for r in value.requests], indent=1)
                report.sections.append(("Windmill server requests", recorded))
    return report

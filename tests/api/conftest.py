"""Fixtures of the API tests: a `weft serve` per test module (one plain, one with the mock
file tests/api/data/mock_config.json), boto3 clients for them, and the server's log in the
report of every failing test that used it.
"""

import pytest

from sfn_helpers import MOCK_CONFIG
from weft_server import AWS_ENVIRONMENT, AWS_UNSET, Server


@pytest.fixture(scope="session", autouse=True)
def aws_environment(tmp_path_factory):
    """Dummy credentials and empty AWS config files for boto3 and the CLI (see weft_server)."""
    home = tmp_path_factory.mktemp("aws")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in AWS_ENVIRONMENT.items():
            patch.setenv(name, value)
        for name in AWS_UNSET:
            patch.delenv(name, raising=False)
        patch.setenv("AWS_CONFIG_FILE", str(home / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        yield


def _serve(tmp_path_factory, mock_config=None):
    server = Server(tmp_path_factory.mktemp("weft-serve"), mock_config=mock_config)
    server.start()
    return server


def _finish(server):
    crashed = server.exited_early()
    server.stop()
    if crashed:
        pytest.fail(f"weft serve exited during the tests:\n{server.log_tail()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory, aws_environment):
    """A server on a fresh database, shared by the tests of one module."""
    server = _serve(tmp_path_factory)
    yield server
    _finish(server)


@pytest.fixture(scope="module")
def sfn(server):
    """A boto3 `stepfunctions` client for the module's server."""
    return server.client()


@pytest.fixture(scope="module")
def mock_server(tmp_path_factory, aws_environment):
    """A server started with tests/api/data/mock_config.json."""
    server = _serve(tmp_path_factory, mock_config=MOCK_CONFIG)
    yield server
    _finish(server)


@pytest.fixture(scope="module")
def mock_sfn(mock_server):
    return mock_server.client()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test's report carries the end of the log of each server it used."""
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        for value in funcargs.values():
            if isinstance(value, Server):
                report.sections.append((f"weft serve log ({value.log_path})", value.log_tail()))
    return report

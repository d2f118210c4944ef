"""The Fargate seed, run by `weft run` against moto's ECS with IAM authentication on.

The seed's source is an AWS API (server `https://ecs.{region}.amazonaws.com`, security
`aws_signature_v4`), so weft signs every request with SigV4 using AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY. moto recomputes each signature with the secret of the key it
issued and refuses a mismatch: the run below succeeds only if weft signs correctly, and
fails if the secret is wrong.
"""

import json

import pytest
import yaml
from botocore.exceptions import ClientError

from arazzo_helpers import FARGATE_SEED, run_json, step_ids
from har import assert_har_1_2, header
from moto_ecs import REGION

WORKFLOW = "stop-task-and-confirm"
REASON = "Stopped by the weft seed test"


def default_reason():
    """The `default` the seed's inputs schema gives `reason`."""
    (workflow,) = yaml.safe_load(FARGATE_SEED.read_text())["workflows"]
    return workflow["inputs"]["properties"]["reason"]["default"]


def credentials(moto, secret=None):
    return {
        "AWS_ACCESS_KEY_ID": moto.access_key_id,
        "AWS_SECRET_ACCESS_KEY": secret or moto.secret_access_key,
        "AWS_REGION": REGION,
    }


def run_seed(moto, cluster, *extra, secret=None, expect_exit=0):
    return run_json(
        FARGATE_SEED,
        "--workflow",
        WORKFLOW,
        "--server",
        f"fargateApi={moto.endpoint}",
        "--input",
        f"cluster={cluster}",
        *extra,
        env=credentials(moto, secret),
        expect_exit=expect_exit,
    )


def test_the_server_refuses_a_wrong_signature(moto):
    # The check the seed runs rely on can fail: the same call, signed with a wrong secret
    # or with a key the server never issued, is refused.
    cluster = moto.cluster("refuse")
    assert moto.client("ecs").list_tasks(cluster=cluster)["taskArns"] == []
    wrong_secret = moto.client("ecs", secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as refused:
        wrong_secret.list_tasks(cluster=cluster)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "SignatureDoesNotMatch" in str(refused.value)
    unknown_key = moto.client(
        "ecs", access_key_id="AKIAIOSFODNN7EXAMPLE", secret_access_key="not-the-secret"
    )
    with pytest.raises(ClientError) as refused:
        unknown_key.list_tasks(cluster=cluster)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # Authorization is on too: the key may use ECS and EC2, nothing else.
    with pytest.raises(ClientError) as denied:
        moto.client("iam").list_users()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


@pytest.mark.parametrize("given_reason", [REASON, None], ids=["reason", "default-reason"])
def test_a_running_task_is_stopped_and_confirmed(moto, given_reason, tmp_path):
    cluster = moto.cluster("stop")
    task_arn = moto.run_fargate_task(cluster)
    assert moto.describe_task(cluster, task_arn)["lastStatus"] == "RUNNING"

    extra = ["--input", f"reason={given_reason}"] if given_reason else []
    reason = given_reason or default_reason()
    har_path = tmp_path / "run.har"
    report, done = run_seed(moto, cluster, *extra, "--har", har_path)
    assert report["status"] == "SUCCEEDED", done.describe()
    assert step_ids(report) == ["listRunningTasks", "stopTask", "confirmStopped"]
    for step in report["steps"]:
        # The description's paths are `/#ListTasks` etc.: the fragment is not sent.
        assert step["request"]["method"] == "POST"
        assert step["request"]["url"] in (moto.endpoint, moto.endpoint + "/")
        assert step["response"]["status"] == 200

    assert report["output"] == {
        "taskArn": task_arn,
        "finalStatus": "STOPPED",
        "stoppedReason": reason,
    }
    task = moto.describe_task(cluster, task_arn)
    assert task["lastStatus"] == "STOPPED"
    assert task["desiredStatus"] == "STOPPED"
    assert task["stoppedReason"] == reason

    # Every request was signed (SigV4's Authorization header, as the archive records it),
    # and the secret key appears nowhere: not in the archive, not in what weft printed.
    har_text = har_path.read_text()
    har = json.loads(har_text)
    assert_har_1_2(har)
    entries = har["log"]["entries"]
    assert len(entries) == 3
    for entry in entries:
        assert header(entry["request"]["headers"], "X-Amz-Date"), entry["request"]
        assert len(header(entry["request"]["headers"], "Authorization")) == 1, entry["request"]
    for text in (har_text, done.stdout, done.stderr):
        assert moto.secret_access_key not in text


def test_an_empty_cluster_ends_after_listing(moto):
    cluster = moto.cluster("idle")
    report, done = run_seed(moto, cluster)
    assert report["status"] == "SUCCEEDED", done.describe()
    # The noTask action ends the workflow; nothing was stopped or described.
    assert step_ids(report) == ["listRunningTasks"]
    output = report["output"]
    assert all(output.get(name) is None for name in ("taskArn", "finalStatus", "stoppedReason"))


def test_a_wrong_secret_key_is_refused_and_nothing_is_stopped(moto):
    cluster = moto.cluster("wrongkey")
    task_arn = moto.run_fargate_task(cluster)
    report, done = run_seed(moto, cluster, secret="not-the-secret", expect_exit=1)
    assert report["status"] == "FAILED", done.describe()
    assert step_ids(report) == ["listRunningTasks"]
    assert report["steps"][0]["response"]["status"] == 403
    task = moto.describe_task(cluster, task_arn)
    assert (task["lastStatus"], task["desiredStatus"]) == ("RUNNING", "RUNNING")

"""moto's server as the ECS endpoint of the Fargate seed, with IAM authentication on.

moto checks SigV4 only after its first INITIAL_NO_AUTH_ACTION_COUNT actions
(moto/core/authorization.py): it recomputes the signature of every later request with
the secret of the access key named in the request's credential scope, and refuses a
mismatch (SignatureDoesNotMatch) or an unknown key (InvalidClientTokenId). So the server
starts with a count of exactly the three unsigned-setup actions — create an IAM user, give
it a policy, create its access key — and from then on every request, boto3's and weft's,
must be signed with that key.

The policy allows `ecs:*` and `ec2:*` only. moto names the action after the service of the
credential scope, so a request signed for another service than `ecs` is refused too.

moto's ECS tasks move through their states as they are read ("immediate" progression)
unless told otherwise, so a task that was never stopped would already read STOPPED. The
server is told to keep tasks where they are (a manual progression that never fires):
a task reads STOPPED only once StopTask has stopped it.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

REGION = "us-east-1"
USER = "weft-arazzo"
UNSIGNED_SETUP_ACTIONS = 3
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecs:*", "ec2:*"], "Resource": "*"}],
}
TASK_FAMILY = "weft-seed"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config():
    return Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60)


class MotoEcs:
    """One moto_server process and the IAM key, network and task definition it was set up with."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.log_path = self.workdir / "moto.log"
        self.process = None
        self.port = None
        self.access_key_id = None
        self.secret_access_key = None
        self.subnet = None
        self.security_group = None
        self.task_definition = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=60):
        self.port = free_port()
        log = open(self.log_path, "ab")
        environment = dict(
            os.environ,
            INITIAL_NO_AUTH_ACTION_COUNT=str(UNSIGNED_SETUP_ACTIONS),
            MOTO_ALLOW_NONEXISTENT_REGION="false",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"moto_server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"moto_server did not listen within {timeout}s:\n{self.log_tail()}")
                time.sleep(0.1)
        self._set_up()
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines=100):
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no moto log)"
        return "\n".join(text.splitlines()[-lines:])

    def client(self, service, access_key_id=None, secret_access_key=None):
        """A boto3 client signed with the set-up key (or with the key given)."""
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=access_key_id or self.access_key_id or "unsigned-setup",
            aws_secret_access_key=secret_access_key or self.secret_access_key or "unsigned-setup",
            config=_config(),
        )

    def _moto_api(self, path, document):
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/{path}",
            data=json.dumps(document).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def _set_up(self):
        # The only unsigned actions the server allows: exactly UNSIGNED_SETUP_ACTIONS.
        iam = self.client("iam")
        iam.create_user(UserName=USER)
        iam.put_user_policy(
            UserName=USER, PolicyName="ecs-and-ec2", PolicyDocument=json.dumps(POLICY)
        )
        key = iam.create_access_key(UserName=USER)["AccessKey"]
        self.access_key_id = key["AccessKeyId"]
        self.secret_access_key = key["SecretAccessKey"]

        self._moto_api(
            "state-manager/set-transition",
            {"model_name": "ecs::task", "transition": {"progression": "manual", "times": 10**9}},
        )

        # awsvpc tasks get a network interface in a subnet: moto looks the subnet up in EC2,
        # and names the interface's private DNS name, which needs DNS hostnames in the VPC.
        ec2 = self.client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        self.subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        self.security_group = ec2.create_security_group(
            GroupName="weft-seed", Description="Fargate seed tasks", VpcId=vpc
        )["GroupId"]

        ecs = self.client("ecs")
        self.task_definition = ecs.register_task_definition(
            family=TASK_FAMILY,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            # moto sums the containers' cpu and memory: they must be given.
            containerDefinitions=[
                {
                    "name": "app",
                    "image": "public.ecr.aws/docker/library/busybox:latest",
                    "cpu": 256,
                    "memory": 512,
                    "essential": True,
                }
            ],
        )["taskDefinition"]["taskDefinitionArn"]

    def cluster(self, prefix):
        """A new, empty cluster. Names are unique: moto matches a task's cluster by substring."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client("ecs").create_cluster(clusterName=name)
        return name

    def run_fargate_task(self, cluster):
        """Runs one FARGATE task in the cluster and returns its ARN."""
        started = self.client("ecs").run_task(
            cluster=cluster,
            taskDefinition=self.task_definition,
            launchType="FARGATE",
            count=1,
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [self.subnet],
                    "securityGroups": [self.security_group],
                    "assignPublicIp": "DISABLED",
                }
            },
        )
        assert started["failures"] == [], started
        (task,) = started["tasks"]
        return task["taskArn"]

    def describe_task(self, cluster, task_arn):
        described = self.client("ecs").describe_tasks(cluster=cluster, tasks=[task_arn])
        assert described["failures"] == [], described
        (task,) = described["tasks"]
        return task

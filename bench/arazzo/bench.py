"""Measures Arazzo runners on one 5-step workflow against one local mock API.

Runners: weft (`weft run`), Redocly Respect (`redocly respect`) and Jentic's arazzo-runner
(its CLI, and its Python API in a loop). run.sh installs them and calls this script with
their paths; see docs/benchmarks.md for the method and what each figure means.

Before timing anything, every runner runs the workflow once and must end the same way:
success, the three workflow outputs chained as the mock issued them (orderId ord-N,
paymentId pay-ord-N, receiptId rcpt-ord-N), and exactly five requests at the mock, none
of them refused (the mock refuses a wrong quantity type, amount or payment id).
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
STEPS = 5
INPUTS = {"item": "widget", "quantity": 2}
NODE_ENV = {
    "NO_COLOR": "1",
    "REDOCLY_TELEMETRY": "off",
    "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true",
}


class Mock:
    def __init__(self, binary):
        self.process = subprocess.Popen(
            [str(binary), "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        line = self.process.stdout.readline()
        match = re.match(r"listening on (http://\S+)", line)
        if not match:
            self.process.kill()
            sys.exit(f"the mock did not start: {line!r}")
        self.url = match.group(1)

    def _call(self, method, path):
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def reset(self):
        self._call("POST", "/__reset")

    def stats(self):
        return self._call("GET", "/__stats")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def write_documents(work, mock_url, copies):
    """The OpenAPI description with the mock's address, the workflow document, and one
    with `copies` copies of the checkout workflow (for runners that run every workflow of
    a document in one process)."""
    description = (HERE / "orders.openapi.yaml").read_text()
    description = description.replace("http://127.0.0.1:8099", mock_url)
    (work / "orders.openapi.yaml").write_text(description)
    shutil.copy(HERE / "orders.arazzo.yaml", work / "orders.arazzo.yaml")
    document = yaml.safe_load((HERE / "orders.arazzo.yaml").read_text())
    (checkout,) = [w for w in document["workflows"] if w["workflowId"] == "checkout"]
    for count in (1, copies):
        many = dict(document)
        many["workflows"] = [dict(checkout, workflowId=f"checkout{n}") for n in range(count)]
        (work / f"orders-x{count}.arazzo.yaml").write_text(yaml.safe_dump(many, sort_keys=False))


def timed(command, env=None, cwd=None):
    environment = dict(os.environ, **(env or {}))
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=cwd)
    elapsed = time.perf_counter() - started
    return elapsed, done


def check_chain(outputs, where):
    order = outputs.get("orderId")
    assert isinstance(order, str) and re.fullmatch(r"ord-\d+", order), (where, outputs)
    assert outputs.get("paymentId") == f"pay-{order}", (where, outputs)
    assert outputs.get("receiptId") == f"rcpt-{order}", (where, outputs)


def check_mock(mock, where, workflows=1):
    stats = mock.stats()
    assert stats["requests"] == STEPS * workflows and stats["errors"] == 0, (where, stats)


class Runner:
    name = ""

    def __init__(self, work):
        self.work = work

    def command(self, workflow):
        raise NotImplementedError

    def noop(self):
        raise NotImplementedError

    def check(self, mock):
        raise NotImplementedError


class Weft(Runner):
    name = "weft"

    def __init__(self, work, binary, loop):
        super().__init__(work)
        self.binary = binary
        self.loop = loop

    def in_process(self, warmup, iterations, flags=()):
        """crates/bench/examples/arazzo_loop.rs: weft's decider and HTTP transport in a
        loop, the document loaded once."""
        done = subprocess.run(
            [str(self.loop), *flags, str(self.work / "orders.arazzo.yaml"), "checkout",
             json.dumps(INPUTS), str(warmup), str(iterations)],
            capture_output=True, text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        result = json.loads(done.stdout)
        result["times"] = [t / 1e9 for t in result["times_ns"]]
        return result

    def command(self, workflow, document="orders.arazzo.yaml"):
        return [
            str(self.binary), "run", str(self.work / document), "--workflow", workflow,
            "--input", json.dumps(INPUTS), "--output", "json",
        ]

    def noop(self):
        return [str(self.binary), "--version"]

    def check(self, mock):
        mock.reset()
        _, done = timed(self.command("checkout"))
        assert done.returncode == 0, done.stdout + done.stderr
        report = json.loads(done.stdout)
        assert report["status"] == "SUCCEEDED", report
        check_chain(report["output"], self.name)
        check_mock(mock, self.name)


class Respect(Runner):
    name = "Respect"

    def __init__(self, work, cli):
        super().__init__(work)
        self.cli = cli

    def command(self, workflow, document="orders.arazzo.yaml", json_output=None):
        command = ["node", str(self.cli), "respect", str(self.work / document), "--input", json.dumps(INPUTS)]
        if workflow:
            command += ["--workflow", workflow]
        if json_output:
            command += ["--json-output", str(json_output)]
        return command

    def noop(self):
        return ["node", str(self.cli), "--version"]

    def check(self, mock):
        mock.reset()
        report_path = self.work / "respect.json"
        _, done = timed(self.command("checkout", json_output=report_path), env=NODE_ENV)
        assert done.returncode == 0, done.stdout + done.stderr
        report = json.loads(report_path.read_text())
        (file_report,) = report["files"].values()
        (workflow,) = file_report["executedWorkflows"]
        assert workflow["status"] == "success", workflow
        # Respect's report has no workflow outputs: read them from the responses.
        bodies = {step["stepId"]: step["response"]["body"] for step in workflow["executedSteps"]}
        check_chain(
            {
                "orderId": bodies["createOrder"]["id"],
                "paymentId": bodies["pay"]["paymentId"],
                "receiptId": bodies["getReceipt"]["receiptId"],
            },
            self.name,
        )
        check_mock(mock, self.name)


class ArazzoRunner(Runner):
    name = "arazzo-runner"

    def __init__(self, work, python):
        super().__init__(work)
        self.python = python
        self.cli = Path(python).parent / "arazzo-runner"

    def command(self, workflow):
        return [
            str(self.cli), "execute-workflow", str(self.work / "orders.arazzo.yaml"),
            "--workflow-id", workflow, "--inputs", json.dumps(INPUTS),
        ]

    def noop(self):
        return [str(self.cli), "--help"]

    def check(self, mock):
        mock.reset()
        _, done = timed(self.command("checkout"))
        assert done.returncode == 0, done.stdout + done.stderr
        check_mock(mock, self.name)
        mock.reset()
        results = self.in_process(0, 1)
        assert results["status"] == "workflow_complete", results
        check_chain(results["outputs"], self.name)
        check_mock(mock, self.name)

    def in_process(self, warmup, iterations):
        """The Python API in a loop: one document load, then `iterations` executions."""
        script = textwrap.dedent(
            """
            import json, logging, sys, time
            logging.disable(logging.CRITICAL)
            from arazzo_runner import ArazzoRunner
            path, warmup, iterations, inputs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
            runner = ArazzoRunner.from_arazzo_path(path)
            for _ in range(warmup):
                runner.execute_workflow("checkout", inputs)
            times = []
            for _ in range(iterations):
                started = time.perf_counter()
                result = runner.execute_workflow("checkout", inputs)
                times.append(time.perf_counter() - started)
            print(json.dumps({"status": str(getattr(result.status, "value", result.status)),
                              "outputs": result.outputs, "times": times}))
            """
        )
        done = subprocess.run(
            [str(self.python), "-c", script, str(self.work / "orders.arazzo.yaml"),
             str(warmup), str(iterations), json.dumps(INPUTS)],
            capture_output=True, text=True,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def per_process(runner, mock, runs, env=None):
    """Median wall time of one process per workflow, for checkout, lookup and a no-op, and
    the mock's time per checkout and per lookup."""
    figures = {}
    for label, command in (
        ("checkout", runner.command("checkout")),
        ("lookup", runner.command("lookup")),
        ("noop", runner.noop()),
    ):
        mock.reset()
        walls = []
        for _ in range(runs):
            wall, done = timed(command, env=env)
            assert done.returncode == 0, (runner.name, label, done.stdout, done.stderr)
            walls.append(wall)
        stats = mock.stats()
        assert stats["errors"] == 0, (runner.name, label, stats)
        figures[label] = {
            "wall_s": statistics.median(walls),
            "server_s": stats["handler_ns"] / 1e9 / runs,
            "requests": stats["requests"] / runs,
        }
    return figures


def summarise(name, mode, wall, server, noop=None, lookup=None):
    row = {
        "runner": name,
        "mode": mode,
        "wall_ms": wall * 1e3,
        "workflows_per_s": 1 / wall,
        "server_ms": server * 1e3,
        "per_step_us": (wall - server) / STEPS * 1e6,
    }
    if noop is not None:
        row["per_step_minus_noop_us"] = (wall - noop - server) / STEPS * 1e6
    if lookup is not None:
        lookup_wall, lookup_server = lookup
        # Five steps minus one: startup, document loading and the first request's
        # connection cancel out.
        row["per_step_5_minus_1_us"] = ((wall - server) - (lookup_wall - lookup_server)) / (STEPS - 1) * 1e6
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--mock", type=Path, required=True)
    parser.add_argument("--weft", type=Path, required=True)
    parser.add_argument("--weft-loop", type=Path, required=True, help="the arazzo_loop example")
    parser.add_argument("--respect", type=Path, required=True, help="@redocly/cli's bin/cli.js")
    parser.add_argument("--runner-python", type=Path, required=True, help="python of the arazzo-runner venv")
    parser.add_argument("--quick", action="store_true", help="few iterations, to try the script")
    parser.add_argument(
        "--only", default="weft,Respect,arazzo-runner", help="comma-separated runners to measure"
    )
    args = parser.parse_args()
    only = set(args.only.split(","))

    scale = 0.1 if args.quick else 1.0
    runs = {"weft": max(3, int(200 * scale)), "Respect": max(2, int(10 * scale)), "arazzo-runner": max(2, int(20 * scale))}
    copies = max(5, int(100 * scale))
    loop = max(10, int(500 * scale))

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    mock = Mock(args.mock)
    try:
        write_documents(work, mock.url, copies)
        weft = Weft(work, args.weft, args.weft_loop)
        respect = Respect(work, args.respect)
        runner = ArazzoRunner(work, args.runner_python)
        chosen = [r for r in (weft, respect, runner) if r.name in only]
        for each in chosen:
            each.check(mock)
        names = ", ".join(r.name for r in chosen)
        print(f"outcomes agree ({names}): success, the same chained outputs, 5 requests", flush=True)

        rows = []
        raw = {}
        for each in chosen:
            env = NODE_ENV if each is respect else None
            figures = per_process(each, mock, runs[each.name], env=env)
            raw[each.name] = figures
            checkout, lookup = figures["checkout"], figures["lookup"]
            rows.append(
                summarise(
                    each.name,
                    f"one process per workflow (median of {runs[each.name]})",
                    checkout["wall_s"],
                    checkout["server_s"],
                    noop=figures["noop"]["wall_s"],
                    lookup=(lookup["wall_s"], lookup["server_s"]),
                )
            )
            print(json.dumps(rows[-1]), flush=True)

        if weft in chosen:
            for flags in ((), ("--multi-thread",), ("--memory",)):
                rows.append(weft_in_process(weft, mock, 10 * loop, flags))
                print(json.dumps(rows[-1]), flush=True)
        if respect in chosen:
            rows.append(respect_in_process(respect, mock, copies))
            print(json.dumps(rows[-1]), flush=True)
        if runner in chosen:
            rows.append(runner_in_process(runner, mock, loop))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        mock.stop()

    (work / "results.json").write_text(json.dumps({"rows": rows, "per_process": raw}, indent=1))
    print()
    print(markdown(rows))


def respect_in_process(respect, mock, copies):
    """Respect runs every workflow of a document: K copies in one process, minus one."""
    walls = {}
    servers = {}
    for count in (1, copies):
        mock.reset()
        samples = []
        for _ in range(3):
            document = f"orders-x{count}.arazzo.yaml"
            wall, done = timed(respect.command(None, document=document), env=NODE_ENV)
            assert done.returncode == 0, done.stdout + done.stderr
            samples.append(wall)
        stats = mock.stats()
        assert stats["requests"] == 3 * STEPS * count and stats["errors"] == 0, stats
        walls[count] = statistics.median(samples)
        servers[count] = stats["handler_ns"] / 1e9 / 3
    per_workflow = (walls[copies] - walls[1]) / (copies - 1)
    server = (servers[copies] - servers[1]) / (copies - 1)
    return summarise("Respect", f"{copies} workflows in one process, minus 1", per_workflow, server)


WEFT_MODES = {
    (): "decider and HTTP transport as `weft run` has them (current-thread runtime)",
    ("--multi-thread",): "decider and HTTP transport on a 2-worker runtime",
    ("--memory",): "decider and driver only: requests answered in memory, no HTTP",
}


def weft_in_process(weft, mock, loop, flags, warmup=200):
    mock.reset()
    results = weft.in_process(warmup, loop, flags)
    check_chain(results["outputs"], "weft in process")
    stats = mock.stats()
    expected = 0 if "--memory" in flags else STEPS * (warmup + loop)
    assert stats["errors"] == 0 and stats["requests"] == expected, stats
    return summarise(
        "weft",
        f"{WEFT_MODES[flags]}, {loop} workflows in one process (median)",
        statistics.median(results["times"]),
        stats["handler_ns"] / 1e9 / (warmup + loop),
    )


def runner_in_process(runner, mock, loop, warmup=20):
    mock.reset()
    results = runner.in_process(warmup, loop)
    stats = mock.stats()
    assert stats["errors"] == 0 and stats["requests"] == STEPS * (warmup + loop), stats
    return summarise(
        "arazzo-runner",
        f"Python API, {loop} workflows in one process (median)",
        statistics.median(results["times"]),
        stats["handler_ns"] / 1e9 / (warmup + loop),
    )


def markdown(rows):
    lines = [
        "| runner | mode | wall per workflow | workflows/s | server time | per-step overhead | minus no-op | (5 steps − 1 step) / 4 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        def us(key):
            return f"{row[key]:,.0f} µs" if key in row else "—"

        lines.append(
            f"| {row['runner']} | {row['mode']} | {row['wall_ms']:,.2f} ms | {row['workflows_per_s']:,.1f} "
            f"| {row['server_ms'] * 1e3:,.0f} µs | {us('per_step_us')} | {us('per_step_minus_noop_us')} "
            f"| {us('per_step_5_minus_1_us')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

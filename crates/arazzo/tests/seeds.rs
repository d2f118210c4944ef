//! The two seed workflows driven through the decider with scripted responses: the
//! requests they send (method, URL, headers, bodies) and the outputs they end with.

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use support::*;
use weft_arazzo::bundle::Bundle;
use weft_arazzo::exchange::{AwsSigning, HttpRequest, HttpResponse};

fn data(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/arazzo")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads a seed as if from `file:///seeds/arazzo/<name>`, its `../openapi/…` sources
/// from the test data.
fn seed(name: &str) -> Bundle {
    let text = data(&format!("arazzo/{name}"));
    let mut read = |url: &str| -> Result<String, String> {
        let file = url
            .strip_prefix("file:///seeds/openapi/")
            .ok_or_else(|| format!("unexpected URL {url}"))?;
        Ok(data(&format!("openapi/{file}")))
    };
    match Bundle::load(&format!("file:///seeds/arazzo/{name}"), &text, &mut read) {
        Ok(b) => b,
        Err(e) => panic!("{name} does not load: {e}"),
    }
}

fn json_body(request: &HttpRequest) -> Value {
    serde_json::from_str(request.body.as_deref().unwrap_or("")).unwrap_or(Value::Null)
}

fn json_response(body: Value) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
        body: body.to_string(),
    }
}

const FARGATE: &str = "amazon-fargate-stop-task-and-confirm-workflow.yml";
const ARN: &str = "arn:aws:ecs:us-east-1:123456789012:task/prod/0f1e2d3c4b5a";

fn target(request: &HttpRequest) -> &str {
    request.header("X-Amz-Target").unwrap_or("")
}

#[test]
fn fargate_lists_stops_and_polls_until_the_task_is_stopped() {
    let mut d = decider(Arc::new(seed(FARGATE)), None);
    let mut describes = 0;
    let run = drive(&mut d, json!({"cluster": "prod"}), |r| {
        Ok(match target(r) {
            "AmazonEC2ContainerServiceV20141113.ListTasks" => {
                json_response(json!({"taskArns": [ARN]}))
            }
            "AmazonEC2ContainerServiceV20141113.StopTask" => json_response(json!({
                "task": {"taskArn": ARN, "lastStatus": "RUNNING", "desiredStatus": "STOPPED"}})),
            "AmazonEC2ContainerServiceV20141113.DescribeTasks" => {
                describes += 1;
                let status = if describes == 1 { "RUNNING" } else { "STOPPED" };
                json_response(json!({"tasks": [{"taskArn": ARN, "lastStatus": status,
                    "stoppedReason": "Stopped by Arazzo workflow"}], "failures": []}))
            }
            other => return Err(format!("unexpected target {other}")),
        })
    });
    let steps: Vec<String> = run
        .trace()
        .into_iter()
        .filter(|l| l.starts_with("Step"))
        .collect();
    assert_eq!(
        steps,
        [
            "Step stop-task-and-confirm/listRunningTasks #1",
            "Step stop-task-and-confirm/stopTask #1",
            "Step stop-task-and-confirm/confirmStopped #1",
            "Step stop-task-and-confirm/confirmStopped #1"
        ]
    );
    let targets: Vec<&str> = run.requests.iter().map(target).collect();
    assert_eq!(
        targets,
        [
            "AmazonEC2ContainerServiceV20141113.ListTasks",
            "AmazonEC2ContainerServiceV20141113.StopTask",
            "AmazonEC2ContainerServiceV20141113.DescribeTasks",
            "AmazonEC2ContainerServiceV20141113.DescribeTasks"
        ]
    );
    for r in &run.requests {
        assert_eq!(r.method, "POST");
        // The path key `/#ListTasks` is requested as `/`.
        assert_eq!(r.url, "https://ecs.us-east-1.amazonaws.com/");
        assert_eq!(r.header("Content-Type"), Some("application/x-amz-json-1.1"));
        assert_eq!(
            r.aws_signing,
            Some(AwsSigning {
                service: "ecs".into(),
                region: "us-east-1".into()
            })
        );
    }
    assert_eq!(
        json_body(&run.requests[0]),
        json!({"cluster": "prod", "desiredStatus": "RUNNING", "launchType": "FARGATE", "maxResults": 1})
    );
    // `reason` comes from the inputs schema's default.
    assert_eq!(
        json_body(&run.requests[1]),
        json!({"cluster": "prod", "task": ARN, "reason": "Stopped by Arazzo workflow"})
    );
    assert_eq!(
        json_body(&run.requests[2]),
        json!({"cluster": "prod", "tasks": [ARN]})
    );
    assert_eq!(
        json!(succeeded(&d)),
        json!({"taskArn": ARN, "finalStatus": "STOPPED", "stoppedReason": "Stopped by Arazzo workflow"})
    );
}

#[test]
fn fargate_ends_at_once_when_no_task_runs() {
    let mut d = decider(Arc::new(seed(FARGATE)), None);
    let run = drive(
        &mut d,
        json!({"cluster": "idle", "reason": "maintenance"}),
        |_| Ok(json_response(json!({"taskArns": []}))),
    );
    assert_eq!(run.requests.len(), 1);
    // Nothing ran that the outputs read, so they are all left out.
    assert_eq!(json!(succeeded(&d)), json!({}));
}

#[test]
fn fargate_requires_a_cluster() {
    let mut d = decider(Arc::new(seed(FARGATE)), None);
    let run = drive(&mut d, json!({}), |_| Err("no request expected".into()));
    assert!(run.requests.is_empty());
    assert_eq!(failed(&d).0, weft_arazzo::decider::errors::INVALID_INPUTS);
}

const WINDMILL: &str = "windmill-run-script-with-timeout-cancel-workflow.yml";
const JOB: &str = "0190a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b";

fn windmill() -> Arc<Bundle> {
    let mut bundle = seed(WINDMILL);
    assert!(bundle.set_server("windmillApi", "http://windmill.test/api"));
    Arc::new(bundle)
}

fn windmill_inputs() -> Value {
    json!({
        "token": "wm-secret-token",
        "workspace": "demo",
        "path": "f/examples/long_job",
        "args": {"n": 3, "label": "x"},
        "cancelReason": "took too long"
    })
}

fn text(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "text/plain".into())],
        body: body.into(),
    }
}

fn windmill_run(job_type: &str) -> (Run, weft_arazzo::decider::Decider) {
    let mut d = decider(windmill(), None);
    let job_type = job_type.to_string();
    let run = drive(&mut d, windmill_inputs(), |r| {
        let path = r
            .url
            .strip_prefix("http://windmill.test/api")
            .unwrap_or(&r.url);
        Ok(match (r.method.as_str(), path) {
            ("POST", "/w/demo/jobs/run/p/f%2Fexamples%2Flong_job") => text(201, JOB),
            ("GET", p) if p == format!("/w/demo/jobs_u/get/{JOB}") => response(
                200,
                &json!({"id": JOB, "type": job_type, "running": true}).to_string(),
            ),
            ("GET", p) if p == format!("/w/demo/jobs_u/completed/get/{JOB}") => response(
                200,
                &json!({"id": JOB, "success": true, "result": {"sum": 6}}).to_string(),
            ),
            ("POST", p) if p == format!("/w/demo/jobs_u/queue/cancel/{JOB}") => {
                text(200, &format!("job canceled: {JOB}"))
            }
            other => return Err(format!("unexpected request {other:?}")),
        })
    });
    (run, d)
}

fn check_common(run: &Run) {
    for r in &run.requests {
        assert_eq!(r.header("Authorization"), Some("Bearer wm-secret-token"));
        assert_eq!(r.aws_signing, None);
    }
    let first = &run.requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.header("Content-Type"), Some("application/json"));
    assert_eq!(json_body(first), json!({"n": 3, "label": "x"}));
}

#[test]
fn windmill_reads_the_completed_job() {
    let (run, d) = windmill_run("CompletedJob");
    check_common(&run);
    let urls: Vec<(&str, &str)> = run
        .requests
        .iter()
        .map(|r| (r.method.as_str(), r.url.as_str()))
        .collect();
    assert_eq!(
        urls,
        [
            (
                "POST",
                "http://windmill.test/api/w/demo/jobs/run/p/f%2Fexamples%2Flong_job"
            ),
            (
                "GET",
                "http://windmill.test/api/w/demo/jobs_u/get/0190a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"
            ),
            (
                "GET",
                "http://windmill.test/api/w/demo/jobs_u/completed/get/0190a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"
            ),
        ]
    );
    assert_eq!(run.requests[1].body, None);
    assert_eq!(
        json!(succeeded(&d)),
        json!({"jobId": JOB, "result": {"sum": 6}})
    );
}

#[test]
fn windmill_cancels_a_job_still_queued() {
    let (run, d) = windmill_run("QueuedJob");
    check_common(&run);
    let last = run.requests.last().expect("requests");
    assert_eq!(run.requests.len(), 3);
    assert_eq!(
        (last.method.as_str(), last.url.as_str()),
        (
            "POST",
            "http://windmill.test/api/w/demo/jobs_u/queue/cancel/0190a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"
        )
    );
    assert_eq!(json_body(last), json!({"reason": "took too long"}));
    assert_eq!(last.header("Content-Type"), Some("application/json"));
    assert_eq!(
        json!(succeeded(&d)),
        json!({"jobId": JOB, "cancelConfirmation": format!("job canceled: {JOB}")})
    );
}

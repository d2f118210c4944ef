//! The decider's lifecycle: every transition of an execution (start, responses, each
//! action kind, retries, sub-workflows, dependencies, stop, limits) and the guarantees
//! around them. Expected behaviour follows Arazzo 1.0.1 (the quoted sentences).

mod support;

use chrono::Duration;
use serde_json::json;
use support::*;
use weft_arazzo::decider::{Command, Event, Input, Options, RequestId, Status, errors};

fn ok(body: &str) -> Result<weft_arazzo::exchange::HttpResponse, String> {
    Ok(response(200, body))
}

const TWO_STEPS: &str = r#"
workflows:
  - workflowId: wf
    inputs:
      type: object
      properties:
        id: {type: string}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - {name: itemId, in: path, value: $inputs.id}
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          name: $response.body#/name
          missing: $response.body#/nothing
      - stepId: list
        operationId: listItems
        parameters:
          - {name: tag, in: query, value: $steps.get.outputs.name}
    outputs:
      name: $steps.get.outputs.name
      count: $steps.list.outputs.count
"#;

#[test]
fn start_sends_the_first_request_and_a_second_start_changes_nothing() {
    let mut d = decider(bundle(&doc(TWO_STEPS)), None);
    assert_eq!(d.status(), &Status::Pending);
    let decision = d.handle(
        t0(),
        Input::Start {
            inputs: json!({"id": "7"}),
        },
    );
    assert_eq!(
        trace(&decision.events),
        [
            "Started wf",
            "Step wf/get #1",
            "Sent wf/get GET https://api.example.com/v1/items/7"
        ]
    );
    assert_eq!(sends(&decision).len(), 1);
    assert_eq!(d.status(), &Status::Running);
    let again = d.handle(t0(), Input::Start { inputs: json!({}) });
    assert!(again.events.is_empty() && again.commands.is_empty());
}

#[test]
fn responses_for_no_outstanding_request_are_ignored() {
    let mut d = decider(bundle(&doc(TWO_STEPS)), None);
    let early = d.handle(
        t0(),
        Input::Response {
            request: RequestId(1),
            response: response(200, "{}"),
        },
    );
    assert!(early.events.is_empty());
    let decision = d.handle(
        t0(),
        Input::Start {
            inputs: json!({"id": "7"}),
        },
    );
    let (id, _) = sends(&decision)[0].clone();
    let wrong = d.handle(
        t0(),
        Input::Response {
            request: RequestId(id.0 + 100),
            response: response(200, "{}"),
        },
    );
    assert!(wrong.events.is_empty() && wrong.commands.is_empty());
}

#[test]
fn successful_steps_run_in_order_and_the_workflow_outputs_leave_out_absent_values() {
    let mut d = decider(bundle(&doc(TWO_STEPS)), None);
    let run = drive(&mut d, json!({"id": "7"}), |r| {
        if r.url.contains("/items/7") {
            ok(r#"{"name": "Rex"}"#)
        } else {
            ok("[]")
        }
    });
    assert_eq!(
        run.trace(),
        [
            "Started wf",
            "Step wf/get #1",
            "Sent wf/get GET https://api.example.com/v1/items/7",
            "Ok wf/get 200",
            "Step wf/list #1",
            "Sent wf/list GET https://api.example.com/v1/items?tag=Rex",
            "Ok wf/list 200",
            "Done wf"
        ]
    );
    let step_outputs = run
        .events
        .iter()
        .find_map(|e| match e {
            Event::StepSucceeded {
                step_id, outputs, ..
            } if step_id == "get" => Some(outputs.clone()),
            _ => None,
        })
        .expect("get succeeded");
    assert_eq!(json!(step_outputs), json!({"name": "Rex"}));
    assert_eq!(json!(succeeded(&d)), json!({"name": "Rex"}));
    match run.events.last() {
        Some(Event::WorkflowSucceeded { outputs, .. }) => {
            assert_eq!(json!(outputs), json!({"name": "Rex"}))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unmet_success_criteria_fail_the_step_and_without_failure_actions_the_workflow() {
    let mut d = decider(bundle(&doc(TWO_STEPS)), None);
    let run = drive(&mut d, json!({"id": "7"}), |_| Ok(response(500, "oops")));
    assert_eq!(
        run.trace(),
        [
            "Started wf",
            "Step wf/get #1",
            "Sent wf/get GET https://api.example.com/v1/items/7",
            "Fail wf/get Arazzo.StepFailed",
            "Failed wf Arazzo.StepFailed"
        ]
    );
    let (error, cause) = failed(&d);
    assert_eq!(error, errors::STEP_FAILED);
    assert!(cause.contains("'get'") && cause.contains("'wf'"), "{cause}");
    assert!(
        cause.contains("$statusCode == 200") && cause.contains("500"),
        "{cause}"
    );
    match &run.events[3] {
        Event::StepFailed { status, .. } => assert_eq!(*status, Some(500)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_success_criteria_a_non_2xx_status_fails_the_step() {
    let mut d = decider(bundle(&doc(TWO_STEPS)), None);
    let run = drive(&mut d, json!({"id": "7"}), |r| {
        if r.url.contains("/items/7") {
            ok(r#"{"name": "Rex"}"#)
        } else {
            Ok(response(404, "not found"))
        }
    });
    assert_eq!(run.trace()[6], "Fail wf/list Arazzo.StepFailed");
    let (_, cause) = failed(&d);
    assert!(cause.contains("404"), "{cause}");
}

#[test]
fn a_criterion_that_cannot_be_evaluated_fails_the_step_with_its_message() {
    let text = doc(r#"
workflows:
  - workflowId: wf
    steps:
      - stepId: s
        operationId: listItems
        successCriteria:
          - {context: $response.body, condition: '([', type: regex}
"#);
    let mut d = decider(bundle(&text), None);
    drive(&mut d, json!({}), |_| ok("{}"));
    let (error, cause) = failed(&d);
    assert_eq!(error, errors::STEP_FAILED);
    assert!(cause.contains("cannot be evaluated"), "{cause}");
}

#[test]
fn a_failed_request_fails_the_step() {
    let mut d = decider(bundle(&doc(TWO_STEPS)), None);
    let run = drive(&mut d, json!({"id": "7"}), |_| {
        Err("connection refused".into())
    });
    assert_eq!(run.trace()[3], "Fail wf/get Arazzo.RequestFailed");
    let (error, cause) = failed(&d);
    assert_eq!(error, errors::REQUEST_FAILED);
    assert!(cause.contains("connection refused"), "{cause}");
}

const ACTIONS: &str = r#"
workflows:
  - workflowId: wf
    successActions:
      - name: shared
        type: goto
        stepId: third
        criteria:
          - condition: $statusCode == 202
      - name: overridden
        type: end
        criteria:
          - condition: $statusCode == 203
    steps:
      - stepId: first
        operationId: listItems
        onSuccess:
          - name: toThird
            type: goto
            stepId: third
            criteria:
              - condition: $statusCode == 201
          - name: stop
            type: end
            criteria:
              - condition: $response.body#/kind == 'STOP'
          - name: overridden
            type: goto
            stepId: second
            criteria:
              - condition: $statusCode == 203
      - stepId: second
        operationId: listItems
      - stepId: third
        operationId: createItem
    outputs:
      reached: $steps.third.outputs
"#;

fn action_run(first: (u16, &str)) -> Vec<String> {
    let mut d = decider(bundle(&doc(ACTIONS)), None);
    let mut n = 0;
    let run = drive(&mut d, json!({}), |_| {
        n += 1;
        if n == 1 {
            Ok(response(first.0, first.1))
        } else {
            ok("{}")
        }
    });
    assert!(
        matches!(d.status(), Status::Succeeded { .. }),
        "{:?}",
        d.status()
    );
    run.trace()
        .into_iter()
        .filter(|l| l.starts_with("Step") || l.starts_with("Done"))
        .collect()
}

#[test]
fn success_actions_see_the_status_code_and_the_response() {
    // No action matches: "If omitted, the next sequential step shall be executed".
    assert_eq!(
        action_run((200, "{}")),
        [
            "Step wf/first #1",
            "Step wf/second #1",
            "Step wf/third #1",
            "Done wf"
        ]
    );
    // goto on $statusCode.
    assert_eq!(
        action_run((201, "{}")),
        ["Step wf/first #1", "Step wf/third #1", "Done wf"]
    );
    // end on the response body (string comparison is case-insensitive).
    assert_eq!(
        action_run((200, r#"{"kind": "stop"}"#)),
        ["Step wf/first #1", "Done wf"]
    );
    // The workflow's successActions apply to the step too…
    assert_eq!(
        action_run((202, "{}")),
        ["Step wf/first #1", "Step wf/third #1", "Done wf"]
    );
    // …except one the step overrides by name: on 203 the step's `overridden` (a goto)
    // runs instead of the workflow's (an end); later steps still get the workflow's.
    assert_eq!(
        action_run((203, "{}")),
        [
            "Step wf/first #1",
            "Step wf/second #1",
            "Step wf/third #1",
            "Done wf"
        ]
    );
}

#[test]
fn goto_a_workflow_hands_over_control_and_the_workflow_ends_with_its_own_outputs() {
    let text = doc(r#"
workflows:
  - workflowId: main
    inputs: {type: object, properties: {id: {type: string}}}
    steps:
      - stepId: first
        operationId: listItems
        onSuccess:
          - {name: away, type: goto, workflowId: other}
      - stepId: never
        operationId: createItem
    outputs:
      fromOther: $workflows.other.outputs.got
  - workflowId: other
    steps:
      - stepId: fetch
        operationId: getItem
        parameters:
          - {name: itemId, in: path, value: $inputs.id}
        outputs:
          name: $response.body#/name
    outputs:
      got: $steps.fetch.outputs.name
"#);
    let mut d = decider(bundle(&text), Some("main"));
    let run = drive(&mut d, json!({"id": "9"}), |r| {
        if r.url.ends_with("/items/9") {
            ok(r#"{"name": "Nine"}"#)
        } else {
            ok("[]")
        }
    });
    assert_eq!(
        run.trace(),
        [
            "Started main",
            "Step main/first #1",
            "Sent main/first GET https://api.example.com/v1/items",
            "Ok main/first 200",
            "Started other",
            "Step other/fetch #1",
            "Sent other/fetch GET https://api.example.com/v1/items/9",
            "Ok other/fetch 200",
            "Done other",
            "Done main"
        ]
    );
    assert_eq!(json!(succeeded(&d)), json!({"fromOther": "Nine"}));
}

const FAILURES: &str = r#"
workflows:
  - workflowId: wf
    steps:
      - stepId: flaky
        operationId: listItems
        successCriteria:
          - condition: $statusCode == 200
        onFailure:
          - name: again
            type: retry
            retryAfter: 2
            criteria:
              - condition: $statusCode == 503
          - name: recover
            type: goto
            stepId: fallback
            criteria:
              - condition: $statusCode >= 500
          - name: giveUp
            type: end
      - stepId: done
        operationId: createItem
        onSuccess:
          - {name: finish, type: end}
      - stepId: fallback
        operationId: deleteItem
        parameters:
          - {name: itemId, in: path, value: x}
"#;

#[test]
fn retry_without_a_limit_retries_once_then_falls_through_to_the_next_action() {
    let mut d = decider(bundle(&doc(FAILURES)), None);
    let run = drive(&mut d, json!({}), |r| {
        if r.method == "GET" {
            Ok(response(503, "busy"))
        } else {
            Ok(response(204, ""))
        }
    });
    // "If not specified then a single retry SHALL be attempted"; "The retryLimit MUST be
    // exhausted prior to executing subsequent failure actions".
    assert_eq!(
        run.trace(),
        [
            "Started wf",
            "Step wf/flaky #1",
            "Sent wf/flaky GET https://api.example.com/v1/items",
            "Fail wf/flaky Arazzo.StepFailed",
            "Retry wf/flaky 2000ms",
            "Step wf/flaky #2",
            "Sent wf/flaky GET https://api.example.com/v1/items",
            "Fail wf/flaky Arazzo.StepFailed",
            "Step wf/fallback #1",
            "Sent wf/fallback DELETE https://api.example.com/v1/items/x",
            "Ok wf/fallback 204",
            "Done wf"
        ]
    );
    let timers: Vec<_> = run
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::StartTimer { fire_at, .. } => Some(*fire_at),
            _ => None,
        })
        .collect();
    assert_eq!(timers, [t0() + Duration::seconds(2)]);
}

#[test]
fn a_failure_no_retry_matches_runs_the_first_matching_action() {
    let mut d = decider(bundle(&doc(FAILURES)), None);
    let run = drive(&mut d, json!({}), |r| {
        if r.method == "GET" {
            Ok(response(400, "bad"))
        } else {
            Ok(response(204, ""))
        }
    });
    // 400 matches neither the retry nor the goto: `end` fails the workflow.
    assert_eq!(
        run.trace()[3..],
        [
            "Fail wf/flaky Arazzo.StepFailed",
            "Failed wf Arazzo.StepFailed"
        ]
    );
    assert_eq!(failed(&d).0, errors::STEP_FAILED);
}

#[test]
fn retry_recovers_when_the_step_then_succeeds() {
    let mut d = decider(bundle(&doc(FAILURES)), None);
    let mut n = 0;
    let run = drive(&mut d, json!({}), |r| {
        n += 1;
        match (r.method.as_str(), n) {
            ("GET", 1) => Ok(response(503, "busy")),
            _ => ok("{}"),
        }
    });
    assert_eq!(
        run.trace()[4..],
        [
            "Retry wf/flaky 2000ms",
            "Step wf/flaky #2",
            "Sent wf/flaky GET https://api.example.com/v1/items",
            "Ok wf/flaky 200",
            "Step wf/done #1",
            "Sent wf/done POST https://api.example.com/v1/items",
            "Ok wf/done 200",
            "Done wf"
        ]
    );
}

fn retry_doc(action: &str) -> String {
    doc(&format!(
        r#"
workflows:
  - workflowId: wf
    steps:
      - stepId: s
        operationId: listItems
        successCriteria:
          - condition: $statusCode == 200
        onFailure:
          - {action}
"#
    ))
}

fn count_requests(text: &str, answer: fn() -> weft_arazzo::exchange::HttpResponse) -> (usize, Run) {
    let mut d = decider(bundle(text), None);
    let run = drive(&mut d, json!({}), |_| Ok(answer()));
    (run.requests.len(), run)
}

#[test]
fn retry_limit_bounds_the_retries() {
    let busy = || response(503, "busy");
    // retryLimit 2: "how many attempts to retry the step" — three requests in all.
    let (n, _) = count_requests(&retry_doc("{name: r, type: retry, retryLimit: 2}"), busy);
    assert_eq!(n, 3);
    let (n, _) = count_requests(&retry_doc("{name: r, type: retry}"), busy);
    assert_eq!(n, 2);
    let (n, run) = count_requests(&retry_doc("{name: r, type: retry, retryLimit: 0}"), busy);
    assert_eq!(n, 1);
    assert!(
        run.trace()
            .last()
            .is_some_and(|l| l == "Failed wf Arazzo.StepFailed")
    );
}

#[test]
fn retry_after_header_overrules_retry_after_in_seconds_and_as_a_date() {
    let text = retry_doc("{name: r, type: retry, retryAfter: 5, retryLimit: 1}");
    let mut d = decider(bundle(&text), None);
    let start = d.handle(t0(), Input::Start { inputs: json!({}) });
    let (id, _) = sends(&start)[0].clone();
    let busy = with_header(response(503, "busy"), "Retry-After", "30");
    let decision = d.handle(
        t0(),
        Input::Response {
            request: id,
            response: busy,
        },
    );
    assert_eq!(trace(&decision.events)[1], "Retry wf/s 30000ms");
    assert_eq!(timers(&decision)[0].1, t0() + Duration::seconds(30));

    let mut d = decider(bundle(&text), None);
    let start = d.handle(t0(), Input::Start { inputs: json!({}) });
    let (id, _) = sends(&start)[0].clone();
    // t0 is Sun, 01 Mar 2026 12:00:00 GMT.
    let busy = with_header(
        response(503, "busy"),
        "Retry-After",
        "Sun, 01 Mar 2026 12:01:30 GMT",
    );
    let decision = d.handle(
        t0(),
        Input::Response {
            request: id,
            response: busy,
        },
    );
    assert_eq!(trace(&decision.events)[1], "Retry wf/s 90000ms");
    assert_eq!(timers(&decision)[0].1, t0() + Duration::seconds(90));

    // Without the header, retryAfter applies; the retry waits for its timer.
    let mut d = decider(bundle(&text), None);
    let start = d.handle(t0(), Input::Start { inputs: json!({}) });
    let (id, _) = sends(&start)[0].clone();
    let decision = d.handle(
        t0(),
        Input::Response {
            request: id,
            response: response(503, "busy"),
        },
    );
    let (timer, fire_at) = timers(&decision)[0];
    assert_eq!(fire_at, t0() + Duration::seconds(5));
    assert!(sends(&decision).is_empty());
    let fired = d.handle(fire_at, Input::TimerFired { timer });
    assert_eq!(trace(&fired.events)[0], "Step wf/s #2");
    assert_eq!(sends(&fired).len(), 1);
}

#[test]
fn a_retry_without_delay_needs_no_timer() {
    let (_, run) = count_requests(&retry_doc("{name: r, type: retry}"), || {
        response(503, "busy")
    });
    assert!(
        !run.commands
            .iter()
            .any(|c| matches!(c, Command::StartTimer { .. }))
    );
    assert!(run.trace().contains(&"Retry wf/s 0ms".to_string()));
}

#[test]
fn retry_counts_start_again_when_the_step_is_entered_by_normal_flow() {
    // Each pass of the goto loop enters `s` afresh, so its single retry is available
    // again; max_steps ends the loop.
    let text = doc(r#"
workflows:
  - workflowId: wf
    steps:
      - stepId: s
        operationId: listItems
        successCriteria:
          - condition: $statusCode == 200
        onFailure:
          - {name: r, type: retry}
          - {name: loop, type: goto, stepId: s}
"#);
    let mut d = decider_with(bundle(&text), None, Options { max_steps: 6 });
    let run = drive(&mut d, json!({}), |_| Ok(response(503, "busy")));
    let steps: Vec<String> = run
        .trace()
        .into_iter()
        .filter(|l| l.starts_with("Step"))
        .collect();
    assert_eq!(
        steps,
        [
            "Step wf/s #1",
            "Step wf/s #2",
            "Step wf/s #1",
            "Step wf/s #2",
            "Step wf/s #1",
            "Step wf/s #2"
        ]
    );
    let (error, cause) = failed(&d);
    assert_eq!(error, errors::MAX_STEPS_EXCEEDED);
    assert!(
        cause.contains('6') && cause.contains("'s'") && cause.contains("'wf'"),
        "{cause}"
    );
}

#[test]
fn a_goto_loop_is_bounded_by_max_steps() {
    let text = doc(r#"
workflows:
  - workflowId: poll
    steps:
      - stepId: check
        operationId: listItems
        onSuccess:
          - name: again
            type: goto
            stepId: check
            criteria:
              - condition: $response.body#/state != 'DONE'
"#);
    let mut d = decider_with(bundle(&text), None, Options { max_steps: 4 });
    let run = drive(&mut d, json!({}), |_| ok(r#"{"state": "RUNNING"}"#));
    assert_eq!(run.requests.len(), 4);
    assert_eq!(
        run.trace().last().map(String::as_str),
        Some("Failed poll Arazzo.MaxStepsExceeded")
    );
    let (_, cause) = failed(&d);
    assert!(
        cause.contains("4 steps") && cause.contains("'check'"),
        "{cause}"
    );

    // The same loop ends by itself when the state changes.
    let mut d = decider(bundle(&text), None);
    let mut n = 0;
    let run = drive(&mut d, json!({}), |_| {
        n += 1;
        ok(if n < 3 {
            r#"{"state": "RUNNING"}"#
        } else {
            r#"{"state": "DONE"}"#
        })
    });
    assert_eq!(run.requests.len(), 3);
    assert!(matches!(d.status(), Status::Succeeded { .. }));
}

#[test]
fn retry_with_a_step_target_runs_that_step_first() {
    let text = doc(r#"
workflows:
  - workflowId: wf
    steps:
      - stepId: call
        operationId: listItems
        parameters:
          - {name: tag, in: query, value: $steps.refresh.outputs.token}
        successCriteria:
          - condition: $statusCode == 200
        onFailure:
          - name: reauth
            type: retry
            stepId: refresh
            criteria:
              - condition: $statusCode == 401
      - stepId: refresh
        operationId: refreshToken
        outputs:
          token: $response.body#/token
"#);
    let mut d = decider(bundle(&text), None);
    let run = drive(&mut d, json!({}), |r| {
        match (r.method.as_str(), r.url.contains("tag=")) {
            ("POST", _) => ok(r#"{"token": "fresh"}"#),
            ("GET", false) => Ok(response(401, "expired")),
            _ => ok("[]"),
        }
    });
    assert_eq!(
        run.trace(),
        [
            "Started wf",
            "Step wf/call #1",
            "Sent wf/call GET https://api.example.com/v1/items",
            "Fail wf/call Arazzo.StepFailed",
            "Retry wf/call 0ms",
            "Step wf/refresh #1",
            "Sent wf/refresh POST https://api.example.com/v1/token",
            "Ok wf/refresh 200",
            "Step wf/call #2",
            "Sent wf/call GET https://api.example.com/v1/items?tag=fresh",
            "Ok wf/call 200",
            // `refresh` is the next step in order after `call`.
            "Step wf/refresh #1",
            "Sent wf/refresh POST https://api.example.com/v1/token",
            "Ok wf/refresh 200",
            "Done wf"
        ]
    );
}

#[test]
fn retry_with_a_workflow_target_runs_that_workflow_then_the_step_after_the_delay() {
    let text = doc(r#"
workflows:
  - workflowId: wf
    steps:
      - stepId: call
        operationId: listItems
        parameters:
          - {name: tag, in: query, value: $workflows.login.outputs.token}
        successCriteria:
          - condition: $statusCode == 200
        onFailure:
          - {name: reauth, type: retry, workflowId: login, retryAfter: 1}
  - workflowId: login
    steps:
      - stepId: token
        operationId: refreshToken
        outputs:
          token: $response.body#/token
    outputs:
      token: $steps.token.outputs.token
"#);
    let mut d = decider(bundle(&text), Some("wf"));
    let run = drive(&mut d, json!({}), |r| {
        match (r.method.as_str(), r.url.contains("tag=")) {
            ("POST", _) => ok(r#"{"token": "t2"}"#),
            ("GET", false) => Ok(response(401, "expired")),
            _ => ok("[]"),
        }
    });
    assert_eq!(
        run.trace()[3..],
        [
            "Fail wf/call Arazzo.StepFailed",
            "Retry wf/call 1000ms",
            "Started login",
            "Step login/token #1",
            "Sent login/token POST https://api.example.com/v1/token",
            "Ok login/token 200",
            "Done login",
            "Step wf/call #2",
            "Sent wf/call GET https://api.example.com/v1/items?tag=t2",
            "Ok wf/call 200",
            "Done wf"
        ]
    );
    assert_eq!(crate::timers_of(&run), [t0() + Duration::seconds(1)]);
}

fn timers_of(run: &Run) -> Vec<chrono::DateTime<chrono::Utc>> {
    run.commands
        .iter()
        .filter_map(|c| match c {
            Command::StartTimer { fire_at, .. } => Some(*fire_at),
            _ => None,
        })
        .collect()
}

const NESTED: &str = r#"
workflows:
  - workflowId: parent
    inputs:
      type: object
      properties:
        id: {type: string}
    steps:
      - stepId: callChild
        workflowId: child
        parameters:
          - {name: itemId, value: $inputs.id}
        outputs:
          viaOutputs: $outputs.name
          viaWorkflows: $workflows.child.outputs.name
      - stepId: after
        operationId: listItems
        parameters:
          - {name: tag, in: query, value: $steps.callChild.outputs.viaOutputs}
    outputs:
      name: $steps.callChild.outputs.viaWorkflows
  - workflowId: child
    inputs:
      type: object
      required: [itemId]
      properties:
        itemId: {type: string}
    steps:
      - stepId: fetch
        operationId: getItem
        parameters:
          - {name: itemId, in: path, value: $inputs.itemId}
        successCriteria:
          - condition: $statusCode == 200
        outputs:
          name: $response.body#/name
    outputs:
      name: $steps.fetch.outputs.name
"#;

#[test]
fn a_workflow_step_runs_the_child_with_its_parameters_as_inputs_and_reads_its_outputs() {
    let mut d = decider(bundle(&doc(NESTED)), Some("parent"));
    let run = drive(&mut d, json!({"id": "42"}), |r| {
        if r.url.ends_with("/items/42") {
            ok(r#"{"name": "Answer"}"#)
        } else {
            ok("[]")
        }
    });
    assert_eq!(
        run.trace(),
        [
            "Started parent",
            "Step parent/callChild #1",
            "Started child",
            "Step child/fetch #1",
            "Sent child/fetch GET https://api.example.com/v1/items/42",
            "Ok child/fetch 200",
            "Done child",
            "Ok parent/callChild",
            "Step parent/after #1",
            "Sent parent/after GET https://api.example.com/v1/items?tag=Answer",
            "Ok parent/after 200",
            "Done parent"
        ]
    );
    match &run.events[2] {
        Event::WorkflowStarted { inputs, .. } => assert_eq!(inputs, &json!({"itemId": "42"})),
        other => panic!("{other:?}"),
    }
    assert_eq!(json!(succeeded(&d)), json!({"name": "Answer"}));
}

#[test]
fn a_failing_child_fails_the_workflow_step_and_the_parent() {
    let mut d = decider(bundle(&doc(NESTED)), Some("parent"));
    let run = drive(&mut d, json!({"id": "42"}), |_| Ok(response(500, "down")));
    assert_eq!(
        run.trace(),
        [
            "Started parent",
            "Step parent/callChild #1",
            "Started child",
            "Step child/fetch #1",
            "Sent child/fetch GET https://api.example.com/v1/items/42",
            "Fail child/fetch Arazzo.StepFailed",
            "Failed child Arazzo.StepFailed",
            "Fail parent/callChild Arazzo.StepFailed",
            "Failed parent Arazzo.StepFailed"
        ]
    );
    let (_, cause) = failed(&d);
    assert!(
        cause.contains("'callChild'") && cause.contains("'fetch'"),
        "{cause}"
    );
}

#[test]
fn a_child_failure_goes_through_the_parent_step_failure_actions() {
    let text = doc(&NESTED.replace(
        "          viaWorkflows: $workflows.child.outputs.name\n",
        "          viaWorkflows: $workflows.child.outputs.name\n        onFailure:\n          - {name: skip, type: goto, stepId: after}\n",
    ));
    let mut d = decider(bundle(&text), Some("parent"));
    let run = drive(&mut d, json!({"id": "42"}), |r| {
        if r.url.contains("/items/") {
            Ok(response(500, "down"))
        } else {
            ok("[]")
        }
    });
    assert_eq!(
        run.trace()[7..],
        [
            "Fail parent/callChild Arazzo.StepFailed",
            "Step parent/after #1",
            "Sent parent/after GET https://api.example.com/v1/items",
            "Ok parent/after 200",
            "Done parent"
        ]
    );
}

#[test]
fn invalid_child_inputs_fail_the_child_before_any_request() {
    let text = doc(&NESTED.replace(
        "{name: itemId, value: $inputs.id}",
        "{name: other, value: 1}",
    ));
    let mut d = decider(bundle(&text), Some("parent"));
    let run = drive(&mut d, json!({"id": "42"}), |_| ok("{}"));
    assert!(run.requests.is_empty());
    assert_eq!(
        run.trace()[2..],
        [
            "Started child",
            "Failed child Arazzo.InvalidInputs",
            "Fail parent/callChild Arazzo.InvalidInputs",
            "Failed parent Arazzo.InvalidInputs"
        ]
    );
}

#[test]
fn a_workflow_calling_itself_stops_at_the_depth_limit() {
    let text = doc(r#"
workflows:
  - workflowId: again
    steps:
      - stepId: recurse
        workflowId: again
"#);
    let mut d = decider(bundle(&text), None);
    let run = drive(&mut d, json!({}), |_| ok("{}"));
    let started = run.trace().iter().filter(|l| *l == "Started again").count();
    assert_eq!(started, weft_arazzo::decider::MAX_DEPTH);
    assert_eq!(failed(&d).0, errors::MAX_DEPTH_EXCEEDED);
}

const DEPENDS: &str = r#"
workflows:
  - workflowId: main
    dependsOn: [login, setup]
    inputs:
      type: object
      properties:
        user: {type: string}
    steps:
      - stepId: use
        operationId: listItems
        parameters:
          - {name: tag, in: query, value: $workflows.login.outputs.token}
  - workflowId: login
    inputs:
      type: object
      properties:
        user: {type: string}
    steps:
      - stepId: auth
        operationId: refreshToken
        parameters:
          - {name: X-User, in: header, value: $inputs.user}
        outputs:
          token: $response.body#/token
    outputs:
      token: $steps.auth.outputs.token
  - workflowId: setup
    dependsOn: [login]
    steps:
      - stepId: prepare
        operationId: createItem
"#;

#[test]
fn depends_on_runs_each_dependency_once_in_order_with_the_inputs() {
    let mut d = decider(bundle(&doc(DEPENDS)), Some("main"));
    let run = drive(&mut d, json!({"user": "ann"}), |r| {
        if r.url.ends_with("/token") {
            ok(r#"{"token": "abc"}"#)
        } else {
            ok("{}")
        }
    });
    assert_eq!(
        run.trace(),
        [
            "Started main",
            "Started login",
            "Step login/auth #1",
            "Sent login/auth POST https://api.example.com/v1/token",
            "Ok login/auth 200",
            "Done login",
            // setup depends on login too, which already ran.
            "Started setup",
            "Step setup/prepare #1",
            "Sent setup/prepare POST https://api.example.com/v1/items",
            "Ok setup/prepare 200",
            "Done setup",
            "Step main/use #1",
            "Sent main/use GET https://api.example.com/v1/items?tag=abc",
            "Ok main/use 200",
            "Done main"
        ]
    );
    assert_eq!(run.requests[0].header("X-User"), Some("ann"));
}

#[test]
fn a_failed_dependency_fails_the_dependent_workflow() {
    let mut d = decider(bundle(&doc(DEPENDS)), Some("main"));
    let run = drive(&mut d, json!({"user": "ann"}), |_| Ok(response(403, "no")));
    assert_eq!(
        run.trace(),
        [
            "Started main",
            "Started login",
            "Step login/auth #1",
            "Sent login/auth POST https://api.example.com/v1/token",
            "Fail login/auth Arazzo.StepFailed",
            "Failed login Arazzo.StepFailed",
            "Failed main Arazzo.StepFailed"
        ]
    );
    let (_, cause) = failed(&d);
    assert!(
        cause.contains("'login'") && cause.contains("'main'"),
        "{cause}"
    );
}

#[test]
fn a_dependency_cycle_fails() {
    let text = doc(r#"
workflows:
  - workflowId: a
    dependsOn: [b]
    steps:
      - {stepId: s, operationId: listItems}
  - workflowId: b
    dependsOn: [a]
    steps:
      - {stepId: s, operationId: listItems}
"#);
    let mut d = decider(bundle(&text), Some("a"));
    let run = drive(&mut d, json!({}), |_| ok("{}"));
    assert!(run.requests.is_empty());
    assert_eq!(failed(&d).0, errors::DEPENDENCY_CYCLE);
}

#[test]
fn stop_between_requests_aborts_and_a_late_response_is_ignored() {
    let mut d = decider(bundle(&doc(TWO_STEPS)), None);
    let start = d.handle(
        t0(),
        Input::Start {
            inputs: json!({"id": "1"}),
        },
    );
    let (id, _) = sends(&start)[0].clone();
    let stop = d.handle(
        t0(),
        Input::Stop {
            error: Some("User.Stop".into()),
            cause: Some("enough".into()),
        },
    );
    assert_eq!(trace(&stop.events), ["Aborted"]);
    assert_eq!(
        d.status(),
        &Status::Aborted {
            error: Some("User.Stop".into()),
            cause: Some("enough".into())
        }
    );
    let late = d.handle(
        t0(),
        Input::Response {
            request: id,
            response: response(200, "{}"),
        },
    );
    assert!(late.events.is_empty() && late.commands.is_empty());
    let again = d.handle(
        t0(),
        Input::Stop {
            error: None,
            cause: None,
        },
    );
    assert!(again.events.is_empty());
}

#[test]
fn stop_while_a_retry_waits_cancels_its_timer() {
    let text = retry_doc("{name: r, type: retry, retryAfter: 60}");
    let mut d = decider(bundle(&text), None);
    let start = d.handle(t0(), Input::Start { inputs: json!({}) });
    let (id, _) = sends(&start)[0].clone();
    let failed_once = d.handle(
        t0(),
        Input::Response {
            request: id,
            response: response(503, ""),
        },
    );
    let (timer, _) = timers(&failed_once)[0];
    let stop = d.handle(
        t0(),
        Input::Stop {
            error: None,
            cause: None,
        },
    );
    assert_eq!(stop.commands, [Command::CancelTimer { timer }]);
    let fired = d.handle(t0() + Duration::seconds(60), Input::TimerFired { timer });
    assert!(fired.events.is_empty() && fired.commands.is_empty());
}

const INPUTS: &str = r#"
workflows:
  - workflowId: wf
    inputs:
      type: object
      required: [cluster]
      properties:
        cluster: {type: string}
        reason: {type: string, default: Stopped by Arazzo workflow}
        limit: {type: integer}
    steps:
      - stepId: s
        operationId: createItem
        requestBody:
          payload:
            cluster: $inputs.cluster
            reason: $inputs.reason
"#;

#[test]
fn invalid_inputs_fail_the_execution_before_any_request() {
    let mut d = decider(bundle(&doc(INPUTS)), None);
    let decision = d.handle(
        t0(),
        Input::Start {
            inputs: json!({"limit": "ten"}),
        },
    );
    assert_eq!(
        trace(&decision.events),
        ["Started wf", "Failed wf Arazzo.InvalidInputs"]
    );
    assert!(decision.commands.is_empty());
    let (error, cause) = failed(&d);
    assert_eq!(error, errors::INVALID_INPUTS);
    assert!(
        cause.contains("cluster") && cause.contains("/limit"),
        "{cause}"
    );
}

#[test]
fn schema_defaults_fill_missing_inputs() {
    let mut d = decider(bundle(&doc(INPUTS)), None);
    let decision = d.handle(
        t0(),
        Input::Start {
            inputs: json!({"cluster": "prod"}),
        },
    );
    match &decision.events[0] {
        Event::WorkflowStarted { inputs, .. } => assert_eq!(
            inputs,
            &json!({"cluster": "prod", "reason": "Stopped by Arazzo workflow"})
        ),
        other => panic!("{other:?}"),
    }
    let (_, http) = sends(&decision)[0].clone();
    let body: serde_json::Value =
        serde_json::from_str(http.body.as_deref().unwrap_or("")).expect("JSON");
    assert_eq!(
        body,
        json!({"cluster": "prod", "reason": "Stopped by Arazzo workflow"})
    );
}

#[test]
fn components_supply_parameters_actions_and_input_schemas() {
    let text = doc(r#"
workflows:
  - workflowId: wf
    inputs:
      $ref: '#/components/inputs/paging'
    parameters:
      - reference: $components.parameters.tenant
    steps:
      - stepId: s
        operationId: listItems
        parameters:
          - reference: $components.parameters.page
            value: $inputs.page
        successCriteria:
          - condition: $statusCode == 200
        onFailure:
          - reference: $components.failureActions.retryBusy
components:
  inputs:
    paging:
      type: object
      properties:
        page: {type: integer, default: 3}
  parameters:
    tenant: {name: X-Tenant, in: header, value: acme}
    page: {name: page, in: query, value: 1}
  failureActions:
    retryBusy:
      name: retryBusy
      type: retry
      retryLimit: 1
      criteria:
        - condition: $statusCode == 503
"#);
    let mut d = decider(bundle(&text), None);
    let mut n = 0;
    let run = drive(&mut d, json!({}), |_| {
        n += 1;
        Ok(response(if n == 1 { 503 } else { 200 }, "{}"))
    });
    assert_eq!(run.requests.len(), 2);
    assert_eq!(
        run.requests[0].url,
        "https://api.example.com/v1/items?page=3"
    );
    assert_eq!(run.requests[0].header("x-tenant"), Some("acme"));
    assert!(matches!(d.status(), Status::Succeeded { .. }));
}

#[test]
fn an_unknown_operation_fails_the_step() {
    let text = doc(r#"
workflows:
  - workflowId: wf
    steps:
      - {stepId: s, operationId: nothingLikeThis}
"#);
    let mut d = decider(bundle(&text), None);
    let run = drive(&mut d, json!({}), |_| ok("{}"));
    assert!(run.requests.is_empty());
    assert_eq!(run.trace()[2], "Fail wf/s Arazzo.OperationNotFound");
    assert_eq!(failed(&d).0, errors::OPERATION_NOT_FOUND);
}

#[test]
fn new_rejects_an_unknown_workflow() {
    let err = weft_arazzo::decider::Decider::new(
        bundle(&doc(TWO_STEPS)),
        Some("nope"),
        Options::default(),
    )
    .expect_err("unknown");
    assert!(err.0.contains("nope"), "{err}");
}

#[test]
fn replaying_the_same_inputs_reproduces_the_same_events_and_commands() {
    let text = doc(FAILURES);
    let script = |n: &mut u32, r: &weft_arazzo::exchange::HttpRequest| {
        *n += 1;
        if r.method == "GET" && *n < 3 {
            Ok(with_header(response(503, "busy"), "Retry-After", "3"))
        } else {
            ok("{}")
        }
    };
    let mut first = decider(bundle(&text), None);
    let mut n = 0;
    let a = drive(&mut first, json!({}), |r| script(&mut n, r));
    let mut second = decider(bundle(&text), None);
    let mut n = 0;
    let b = drive(&mut second, json!({}), |r| script(&mut n, r));
    assert_eq!(a.events, b.events);
    assert_eq!(a.commands, b.commands);
    assert_eq!(first.status(), second.status());
    assert!(a.events.len() > 5);
}

#[test]
fn a_failure_goto_to_a_workflow_hands_over_and_its_success_ends_the_workflow() {
    let text = doc(r#"
workflows:
  - workflowId: main
    steps:
      - stepId: risky
        operationId: listItems
        onFailure:
          - {name: cleanUp, type: goto, workflowId: cleanup}
      - stepId: never
        operationId: createItem
  - workflowId: cleanup
    steps:
      - stepId: remove
        operationId: deleteItem
        parameters:
          - {name: itemId, in: path, value: leftover}
"#);
    let mut d = decider(bundle(&text), Some("main"));
    let run = drive(&mut d, json!({}), |r| {
        if r.method == "GET" {
            Ok(response(500, "down"))
        } else {
            Ok(response(204, ""))
        }
    });
    assert_eq!(
        run.trace()[3..],
        [
            "Fail main/risky Arazzo.StepFailed",
            "Started cleanup",
            "Step cleanup/remove #1",
            "Sent cleanup/remove DELETE https://api.example.com/v1/items/leftover",
            "Ok cleanup/remove 204",
            "Done cleanup",
            "Done main"
        ]
    );
    assert!(matches!(d.status(), Status::Succeeded { .. }));
}

#[test]
fn a_goto_to_a_step_that_does_not_exist_fails_the_workflow() {
    let text = doc(r#"
workflows:
  - workflowId: wf
    steps:
      - stepId: s
        operationId: listItems
        onSuccess:
          - {name: lost, type: goto, stepId: nowhere}
"#);
    let mut d = decider(bundle(&text), None);
    let run = drive(&mut d, json!({}), |_| ok("{}"));
    assert_eq!(
        run.trace().last().map(String::as_str),
        Some("Failed wf Arazzo.StepNotFound")
    );
    let (_, cause) = failed(&d);
    assert!(cause.contains("nowhere"), "{cause}");
}

#[test]
fn a_workflow_of_another_document_runs_with_that_document_components() {
    let root = r#"
arazzo: 1.0.1
info: {title: root, version: '1'}
sourceDescriptions:
  - {name: lib, url: ./lib.arazzo.yaml, type: arazzo}
workflows:
  - workflowId: main
    steps:
      - stepId: viaLib
        workflowId: $sourceDescriptions.lib.fetch
        parameters:
          - {name: id, value: '5'}
        outputs:
          name: $outputs.name
    outputs:
      name: $steps.viaLib.outputs.name
components:
  parameters:
    auth: {name: X-Key, in: header, value: root-key}
"#;
    let lib = r#"
arazzo: 1.0.1
info: {title: lib, version: '1'}
sourceDescriptions:
  - {name: api, url: ./api.yaml, type: openapi}
workflows:
  - workflowId: fetch
    inputs: {type: object, properties: {id: {type: string}}}
    steps:
      - stepId: get
        operationId: getItem
        parameters:
          - reference: $components.parameters.auth
          - {name: itemId, in: path, value: $inputs.id}
        outputs:
          name: $response.body#/name
    outputs:
      name: $steps.get.outputs.name
components:
  parameters:
    auth: {name: X-Key, in: header, value: lib-key}
"#;
    let b = bundle_with(root, &[("lib.arazzo.yaml", lib), ("api.yaml", API)]);
    let mut d = decider(b, None);
    let run = drive(&mut d, json!({}), |_| ok(r#"{"name": "Five"}"#));
    assert_eq!(run.requests.len(), 1);
    assert_eq!(run.requests[0].url, "https://api.example.com/v1/items/5");
    assert_eq!(run.requests[0].header("X-Key"), Some("lib-key"));
    assert_eq!(json!(succeeded(&d)), json!({"name": "Five"}));
}

//! The Arazzo conformance corpus: every YAML file under `tests/conformance/arazzo/` at
//! the repository root (except the shared OpenAPI descriptions in `apis/`) is one case:
//! an Arazzo document, the descriptions it names, inputs, a scripted HTTP server and the
//! expected outcome. Each case drives the decider directly on a virtual clock. The
//! format is described in that folder's README.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use weft_arazzo::bundle::Bundle;
use weft_arazzo::decider::{Command, Decider, Event, Input, Options, RequestId, Status, TimerId};
use weft_arazzo::document::{Severity, validate};
use weft_arazzo::exchange::{HttpRequest, HttpResponse};

/// Where the case's document is said to live; sources resolve against it.
const DOCUMENT_URL: &str = "http://cases.test/case.arazzo.yaml";
const START_TIME: &str = "2026-01-01T00:00:00Z";
/// A decider that keeps asking for work past this many inputs is looping.
const MAX_INPUTS: usize = 10_000;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/arazzo");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let known = known_failures(&root);
    let name_of = |path: &Path| {
        path.strip_prefix(&root)
            .unwrap_or(path)
            .with_extension("")
            .to_string_lossy()
            .replace('\\', "/")
    };
    let names: Vec<String> = files.iter().map(|p| name_of(p)).collect();
    let stale: Vec<String> = known
        .keys()
        .filter(|k| !names.contains(k))
        .cloned()
        .collect();
    let mut trials: Vec<Trial> = files
        .into_iter()
        .map(|path| {
            let name = name_of(&path);
            let root = root.clone();
            let known = known.get(&name).cloned();
            Trial::test(format!("arazzo::{name}"), move || {
                expect_known(known.as_deref(), run_case(&root, &path))
            })
        })
        .collect();
    trials.push(Trial::test("arazzo::known_failures_exist", move || {
        if stale.is_empty() {
            Ok(())
        } else {
            Err(format!("known_failures.txt names cases that do not exist: {stale:?}").into())
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}

/// `known_failures.txt`: one case per line (`name  why`), for implementation bugs the
/// corpus has found and that are not fixed yet. Such a case must fail; once it passes it
/// must be taken off the list.
fn known_failures(root: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root.join("known_failures.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| match line.split_once(char::is_whitespace) {
            Some((name, why)) => (name.to_string(), why.trim().to_string()),
            None => (line.to_string(), String::new()),
        })
        .collect()
}

fn expect_known(known: Option<&str>, outcome: Result<(), Failed>) -> Result<(), Failed> {
    match (known, outcome) {
        (None, outcome) => outcome,
        (Some(_), Err(_)) => Ok(()),
        (Some(why), Ok(())) => Err(format!(
            "listed in known_failures.txt ({why}) but passes: take it off the list"
        )
        .into()),
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path != root.join("apis") {
                collect(root, &path, out);
            }
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

// ---------------------------------------------------------------------------------
// The case format (see tests/conformance/arazzo/README.md).

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code)]
    description: String,
    #[allow(dead_code)]
    spec: String,
    document: Value,
    /// Relative URL → an OpenAPI/Arazzo object, or the name of a file in `apis/`.
    #[serde(default)]
    sources: IndexMap<String, Value>,
    workflow: Option<String>,
    #[serde(default = "empty_object")]
    inputs: Value,
    max_steps: Option<u32>,
    #[serde(default)]
    responses: Vec<Scripted>,
    /// Stop the execution once this many requests have been sent (the last one is left
    /// in flight; its scripted response, if any, is delivered after the stop).
    stop_after: Option<usize>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Scripted {
    /// Checked against the request this response answers.
    request: Option<RequestMatch>,
    status: Option<u16>,
    #[serde(default)]
    headers: IndexMap<String, Value>,
    body: Option<Value>,
    /// The request fails instead of getting a response.
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    status: ExpectedStatus,
    error: Option<String>,
    outputs: Option<Map<String, Value>>,
    requests: Vec<RequestMatch>,
    delays_ms: Option<Vec<u64>>,
    events: Option<Vec<String>>,
    /// The codes of the errors validation reports for the bundle, in any order
    /// (warnings are not checked). Most documents are valid: default none.
    #[serde(default)]
    validation_errors: Vec<String>,
}

#[derive(Debug, Deserialize, PartialEq, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum ExpectedStatus {
    Succeeded,
    Failed,
    Aborted,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RequestMatch {
    method: Option<String>,
    /// The whole URL, query string included.
    url: Option<String>,
    /// The URL without its query string.
    url_base: Option<String>,
    /// The decoded query parameters, in any order: name → value (or list of values
    /// for a repeated name). Every parameter of the request must be listed.
    query: Option<IndexMap<String, Value>>,
    /// Name (any case) → value; `null` means the header must be absent. Headers not
    /// listed are not checked.
    #[serde(default)]
    headers: IndexMap<String, Value>,
    /// A string is compared with the body text; anything else with the body parsed as
    /// JSON.
    body: Option<Value>,
    /// The body decoded as `application/x-www-form-urlencoded`, in order.
    form: Option<IndexMap<String, String>>,
    /// Milliseconds of virtual time at which the request was sent.
    at_ms: Option<u64>,
    aws_signing: Option<Value>,
}

fn empty_object() -> Value {
    json!({})
}

// ---------------------------------------------------------------------------------
// Running a case.

struct SentRequest {
    http: HttpRequest,
    at_ms: u64,
}

struct Run {
    status: Status,
    events: Vec<Event>,
    requests: Vec<SentRequest>,
    journal: Vec<(DateTime<Utc>, Input)>,
}

fn run_case(root: &Path, path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("read: {e}"))?;
    let case = parse_case(&text)?;
    let bundle = Arc::new(load_bundle(root, &case)?);
    check_validation(&case.expect.validation_errors, &bundle)?;
    let run = drive(&bundle, &case)?;

    check_status(&case.expect, &run.status)?;
    check_requests(&case.expect.requests, &run.requests)?;
    if let Some(want) = &case.expect.delays_ms {
        let got: Vec<u64> = run
            .events
            .iter()
            .filter_map(|e| match e {
                Event::StepRetryScheduled { delay_ms, .. } => Some(*delay_ms),
                _ => None,
            })
            .collect();
        if &got != want {
            return Err(format!("retry delays (ms)\n expected {want:?}\n      got {got:?}").into());
        }
    }
    if let Some(want) = &case.expect.events {
        let got = event_types(&run.events);
        if &got != want {
            return Err(format!("events\n expected {want:?}\n      got {got:?}").into());
        }
    }
    check_history_shape(&run)?;
    check_replay(&bundle, &case, &run)?;
    Ok(())
}

fn parse_case(text: &str) -> Result<Case, Failed> {
    let options = serde_saphyr::options! { strict_booleans: true };
    let value: Value = serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| format!("case is not YAML: {e}"))?;
    let case: Case =
        serde_json::from_value(value).map_err(|e| format!("case does not fit the format: {e}"))?;
    Ok(case)
}

fn load_bundle(root: &Path, case: &Case) -> Result<Bundle, Failed> {
    let base = DOCUMENT_URL.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for (relative, source) in &case.sources {
        let text = match source {
            Value::String(fixture) => {
                let file = root.join("apis").join(format!("{fixture}.yaml"));
                std::fs::read_to_string(&file)
                    .map_err(|e| format!("fixture {}: {e}", file.display()))?
            }
            other => other.to_string(),
        };
        texts.insert(format!("{base}/{relative}"), text);
    }
    let mut reader = |url: &str| -> Result<String, String> {
        let absolute = if url.contains("://") {
            url.to_string()
        } else {
            format!("{base}/{url}")
        };
        // The fragment (if any) never reaches a server.
        let absolute = absolute.split('#').next().unwrap_or_default();
        texts
            .get(absolute)
            .cloned()
            .ok_or_else(|| format!("no source at {url}"))
    };
    Bundle::load(DOCUMENT_URL, &case.document.to_string(), &mut reader)
        .map_err(|e| format!("bundle refused: {e}").into())
}

fn start_time() -> DateTime<Utc> {
    START_TIME.parse().unwrap_or_default()
}

fn millis_since_start(now: DateTime<Utc>) -> u64 {
    u64::try_from((now - start_time()).num_milliseconds()).unwrap_or(0)
}

/// Runs the case's workflow to its end: every request is answered with the next
/// scripted response, every timer fires as soon as nothing else is pending (the clock
/// jumps to it).
fn drive(bundle: &Arc<Bundle>, case: &Case) -> Result<Run, Failed> {
    let mut options = Options::default();
    if let Some(max_steps) = case.max_steps {
        options.max_steps = max_steps;
    }
    let mut decider = Decider::new(Arc::clone(bundle), case.workflow.as_deref(), options)
        .map_err(|e| format!("decider refused the workflow: {e}"))?;

    let mut now = start_time();
    let mut pending: VecDeque<Input> = VecDeque::from([Input::Start {
        inputs: case.inputs.clone(),
    }]);
    let mut timers: BTreeMap<(DateTime<Utc>, TimerId), ()> = BTreeMap::new();
    let mut script = case.responses.iter();
    let mut run = Run {
        status: Status::Pending,
        events: Vec::new(),
        requests: Vec::new(),
        journal: Vec::new(),
    };
    let mut stopped_in_flight: Option<RequestId> = None;

    loop {
        let input = match pending.pop_front() {
            Some(input) => input,
            None => match timers.pop_first() {
                Some(((fire_at, timer), ())) => {
                    now = now.max(fire_at);
                    Input::TimerFired { timer }
                }
                None => break,
            },
        };
        if run.journal.len() >= MAX_INPUTS {
            return Err(format!("still running after {MAX_INPUTS} inputs").into());
        }
        let was_terminal = decider.status().is_terminal();
        run.journal.push((now, input.clone()));
        let decision = decider.handle(now, input);
        if was_terminal && !(decision.events.is_empty() && decision.commands.is_empty()) {
            return Err(format!(
                "an input after the end changed something: {:?} {:?}",
                decision.events, decision.commands
            )
            .into());
        }
        run.events.extend(decision.events);
        for command in decision.commands {
            match command {
                Command::Send { request, http } => {
                    let index = run.requests.len();
                    run.requests.push(SentRequest {
                        http: http.clone(),
                        at_ms: millis_since_start(now),
                    });
                    if case.stop_after == Some(index + 1) {
                        pending.push_back(Input::Stop {
                            error: Some("Conformance.Stop".into()),
                            cause: Some("stopped by the case".into()),
                        });
                        stopped_in_flight = Some(request);
                        continue;
                    }
                    let scripted = script.next().ok_or_else(|| {
                        format!(
                            "request {} has no scripted response: {} {}",
                            index + 1,
                            http.method,
                            http.url
                        )
                    })?;
                    pending.push_back(answer(request, &http, index, scripted)?);
                }
                Command::StartTimer { timer, fire_at } => {
                    timers.insert((fire_at, timer), ());
                }
                Command::CancelTimer { timer } => {
                    timers.retain(|(_, t), ()| *t != timer);
                }
            }
        }
        if decider.status().is_terminal() && pending.is_empty() {
            // A response that arrives for the request a stop abandoned must change
            // nothing.
            if let Some(request) = stopped_in_flight.take()
                && let Some(scripted) = script.next()
            {
                let index = run.requests.len() - 1;
                let http = run.requests[index].http.clone();
                pending.push_back(answer(request, &http, index, scripted)?);
                continue;
            }
            break;
        }
    }
    let unused = script.count();
    if unused > 0 {
        return Err(format!("{unused} scripted responses were never asked for").into());
    }
    run.status = decider.status().clone();
    Ok(run)
}

/// The input that answers request `index` (0-based) with a scripted response.
fn answer(
    request: RequestId,
    http: &HttpRequest,
    index: usize,
    scripted: &Scripted,
) -> Result<Input, Failed> {
    if let Some(matcher) = &scripted.request {
        let sent = SentRequest {
            http: http.clone(),
            at_ms: 0,
        };
        let problems = request_problems(matcher, &sent);
        if !problems.is_empty() {
            return Err(format!(
                "request {} does not match its scripted response's `request`:\n  {}",
                index + 1,
                problems.join("\n  ")
            )
            .into());
        }
    }
    if let Some(error) = &scripted.error {
        return Ok(Input::RequestFailed {
            request,
            error: error.clone(),
        });
    }
    let mut headers: Vec<(String, String)> = scripted
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), scalar_text(value)))
        .collect();
    let body = match &scripted.body {
        None => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => {
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("content-type".into(), "application/json".into()));
            }
            other.to_string()
        }
    };
    Ok(Input::Response {
        request,
        response: HttpResponse {
            status: scripted.status.unwrap_or(200),
            headers,
            body,
        },
    })
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------
// Checks.

fn check_status(expect: &Expect, status: &Status) -> Result<(), Failed> {
    let got = match status {
        Status::Succeeded { .. } => Some(ExpectedStatus::Succeeded),
        Status::Failed { .. } => Some(ExpectedStatus::Failed),
        Status::Aborted { .. } => Some(ExpectedStatus::Aborted),
        Status::Pending | Status::Running => None,
    };
    if got != Some(expect.status) {
        return Err(format!("status: expected {:?}, got {status:?}", expect.status).into());
    }
    if let (Some(want), Status::Failed { error, cause }) = (&expect.error, status)
        && want != error
    {
        return Err(format!("error: expected {want}, got {error} ({cause})").into());
    }
    if let Some(want) = &expect.outputs {
        let Status::Succeeded { outputs } = status else {
            return Err("outputs are expected but the workflow did not succeed".into());
        };
        if want != outputs {
            return Err(format!(
                "outputs\n expected {}\n      got {}",
                Value::Object(want.clone()),
                Value::Object(outputs.clone())
            )
            .into());
        }
    }
    Ok(())
}

fn check_validation(want: &[String], bundle: &Bundle) -> Result<(), Failed> {
    let errors: Vec<_> = validate(bundle)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let mut got: Vec<&str> = errors.iter().map(|d| d.code.as_str()).collect();
    let mut expected: Vec<&str> = want.iter().map(String::as_str).collect();
    got.sort_unstable();
    expected.sort_unstable();
    if got != expected {
        let details: Vec<String> = errors
            .iter()
            .map(|d| format!("{} at {}: {}", d.code, d.location, d.message))
            .collect();
        return Err(
            format!("validation errors\n expected {expected:?}\n      got {details:#?}").into(),
        );
    }
    Ok(())
}

fn check_requests(want: &[RequestMatch], got: &[SentRequest]) -> Result<(), Failed> {
    let mut report = Vec::new();
    for (i, sent) in got.iter().enumerate() {
        match want.get(i) {
            Some(matcher) => {
                let problems = request_problems(matcher, sent);
                if !problems.is_empty() {
                    report.push(format!(
                        "request {}: {} {}\n    {}",
                        i + 1,
                        sent.http.method,
                        sent.http.url,
                        problems.join("\n    ")
                    ));
                }
            }
            None => report.push(format!(
                "request {} was not expected: {} {}",
                i + 1,
                sent.http.method,
                sent.http.url
            )),
        }
    }
    for (i, matcher) in want.iter().enumerate().skip(got.len()) {
        report.push(format!(
            "request {} was expected but not sent: {} {}",
            i + 1,
            matcher.method.as_deref().unwrap_or("?"),
            matcher
                .url
                .as_deref()
                .or(matcher.url_base.as_deref())
                .unwrap_or("?")
        ));
    }
    if report.is_empty() {
        Ok(())
    } else {
        let log: Vec<String> = got
            .iter()
            .map(|s| format!("{} {}", s.http.method, s.http.url))
            .collect();
        Err(format!(
            "requests differ\n  {}\n  sent: {log:#?}",
            report.join("\n  ")
        )
        .into())
    }
}

/// What is wrong with a request, one line per problem.
fn request_problems(want: &RequestMatch, sent: &SentRequest) -> Vec<String> {
    let http = &sent.http;
    let mut problems = Vec::new();
    if let Some(method) = &want.method
        && method != &http.method
    {
        problems.push(format!("method: expected {method}, got {}", http.method));
    }
    if let Some(url) = &want.url
        && url != &http.url
    {
        problems.push(format!("url: expected {url}, got {}", http.url));
    }
    let (base, query) = http.url.split_once('?').unwrap_or((&http.url, ""));
    if let Some(url_base) = &want.url_base
        && url_base != base
    {
        problems.push(format!(
            "url without query: expected {url_base}, got {base}"
        ));
    }
    if let Some(expected) = &want.query {
        let got = group_pairs(&decode_pairs(query));
        let expected: IndexMap<String, Vec<String>> = expected
            .iter()
            .map(|(k, v)| {
                let values = match v {
                    Value::Array(items) => items.iter().map(scalar_text).collect(),
                    other => vec![scalar_text(other)],
                };
                (k.clone(), values)
            })
            .collect();
        let mut got_sorted: Vec<_> = got.iter().collect();
        let mut want_sorted: Vec<_> = expected.iter().collect();
        got_sorted.sort();
        want_sorted.sort();
        if got_sorted != want_sorted {
            problems.push(format!("query: expected {expected:?}, got {got:?}"));
        }
    }
    for (name, value) in &want.headers {
        let got = http.header(name);
        match (value, got) {
            (Value::Null, None) => {}
            (Value::Null, Some(got)) => {
                problems.push(format!("header {name}: expected none, got {got:?}"))
            }
            (value, got) => {
                let value = scalar_text(value);
                if got != Some(value.as_str()) {
                    problems.push(format!("header {name}: expected {value:?}, got {got:?}"));
                }
            }
        }
    }
    if let Some(body) = &want.body {
        let text = http.body.as_deref();
        match body {
            Value::String(expected) => {
                if text != Some(expected.as_str()) {
                    problems.push(format!("body: expected text {expected:?}, got {text:?}"));
                }
            }
            expected => {
                let parsed = text.map(serde_json::from_str::<Value>);
                match parsed {
                    Some(Ok(got)) if &got == expected => {}
                    Some(Ok(got)) => {
                        problems.push(format!("body: expected JSON {expected}, got {got}"))
                    }
                    _ => problems.push(format!("body: expected JSON {expected}, got {text:?}")),
                }
            }
        }
    }
    if let Some(form) = &want.form {
        let got = decode_pairs(http.body.as_deref().unwrap_or(""));
        let expected: Vec<(String, String)> =
            form.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        if got != expected {
            problems.push(format!("form body: expected {expected:?}, got {got:?}"));
        }
    }
    if let Some(at) = want.at_ms
        && at != sent.at_ms
    {
        problems.push(format!("sent at: expected {at} ms, got {} ms", sent.at_ms));
    }
    if let Some(signing) = &want.aws_signing {
        let got = serde_json::to_value(&http.aws_signing).unwrap_or(Value::Null);
        if &got != signing {
            problems.push(format!("aws_signing: expected {signing}, got {got}"));
        }
    }
    problems
}

/// `a=1&b=x+y` → [(a, 1), (b, "x y")], percent-decoded.
fn decode_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

fn group_pairs(pairs: &[(String, String)]) -> IndexMap<String, Vec<String>> {
    let mut grouped: IndexMap<String, Vec<String>> = IndexMap::new();
    for (name, value) in pairs {
        grouped.entry(name.clone()).or_default().push(value.clone());
    }
    grouped
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn event_types(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            serde_json::to_value(e)
                .ok()
                .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default()
        })
        .collect()
}

/// The history starts with the workflow and ends with exactly the outcome the status
/// reports.
fn check_history_shape(run: &Run) -> Result<(), Failed> {
    if !matches!(run.events.first(), Some(Event::WorkflowStarted { .. })) {
        return Err(format!(
            "the history does not start with WorkflowStarted: {:?}",
            run.events.first()
        )
        .into());
    }
    let last = run.events.last();
    let consistent = match (&run.status, last) {
        (Status::Succeeded { outputs }, Some(Event::WorkflowSucceeded { outputs: o, .. })) => {
            outputs == o
        }
        (Status::Failed { error, .. }, Some(Event::WorkflowFailed { error: e, .. })) => error == e,
        (Status::Aborted { .. }, Some(Event::ExecutionAborted { .. })) => true,
        _ => false,
    };
    if !consistent {
        return Err(format!(
            "the last event does not match the status {:?}: {last:?}",
            run.status
        )
        .into());
    }
    let sent = run
        .events
        .iter()
        .filter(|e| matches!(e, Event::RequestSent { .. }))
        .count();
    if sent != run.requests.len() {
        return Err(format!(
            "{} requests were sent but the history records {sent}",
            run.requests.len()
        )
        .into());
    }
    Ok(())
}

/// Replaying the journal (each input through its serialised form, as an engine stores
/// it) into a fresh decider reproduces the same events and status.
fn check_replay(bundle: &Arc<Bundle>, case: &Case, run: &Run) -> Result<(), Failed> {
    let mut options = Options::default();
    if let Some(max_steps) = case.max_steps {
        options.max_steps = max_steps;
    }
    let mut decider = Decider::new(Arc::clone(bundle), case.workflow.as_deref(), options)
        .map_err(|e| format!("replay: {e}"))?;
    let mut events = Vec::new();
    for (now, input) in &run.journal {
        let text = serde_json::to_string(input).map_err(|e| format!("journal: {e}"))?;
        let input: Input = serde_json::from_str(&text).map_err(|e| format!("journal: {e}"))?;
        events.extend(decider.handle(*now, input).events);
    }
    if events != run.events || decider.status() != &run.status {
        return Err("replaying the same inputs gave a different history".into());
    }
    Ok(())
}

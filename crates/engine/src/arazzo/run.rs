//! Runs one Arazzo workflow to completion in this process, without a store: what
//! `weft run` does for an Arazzo document, and what tests use with a scripted
//! [`Transport`] and a virtual clock.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::oneshot;
use weft_arazzo::decider::{Command, Decider, Event, Input, RequestId, Status, TimerId};
use weft_arazzo::exchange::HttpRequest;

use super::transport::{Exchange, SendFuture, Transport};
use crate::local::Clock;

/// Feeds the decider `Start` with `inputs`, carries out its commands until the
/// execution ends, and returns its final status.
///
/// * Requests go out one at a time, in the order they were asked for (a workflow's
///   steps are sequential).
/// * Timers really wait under [`Clock::Real`]; under [`Clock::Virtual`] time jumps to
///   the next timer whenever no request is in flight.
/// * `stop`, when it fires, stops the execution: a request in flight is abandoned and
///   its response never reaches the decider.
/// * `on_events` sees every event as it is recorded; `on_exchange` sees every request
///   that went out, as sent, with its response or error and timings, before the
///   decider does.
pub async fn run_to_completion(
    decider: &mut Decider,
    inputs: Value,
    transport: &dyn Transport,
    clock: Clock,
    mut stop: Option<oneshot::Receiver<()>>,
    mut on_events: impl FnMut(&[Event]),
    mut on_exchange: impl FnMut(RequestId, &Exchange),
) -> Status {
    let mut now = match clock {
        Clock::Real => Utc::now(),
        Clock::Virtual(start) => start,
    };
    let mut timers = Timers::default();
    let mut queue: VecDeque<(RequestId, HttpRequest)> = VecDeque::new();
    let mut in_flight: Option<(RequestId, SendFuture<'_>)> = None;
    let mut pending = Some(Input::Start { inputs });

    loop {
        if let Some(input) = pending.take() {
            if let Clock::Real = clock {
                now = Utc::now();
            }
            let decision = decider.handle(now, input);
            on_events(&decision.events);
            for command in decision.commands {
                match command {
                    Command::Send { request, http } => queue.push_back((request, http)),
                    Command::StartTimer { timer, fire_at } => timers.start(timer, fire_at),
                    Command::CancelTimer { timer } => timers.cancel(timer),
                }
            }
        }
        if decider.status().is_terminal() {
            return decider.status().clone();
        }
        if in_flight.is_none()
            && let Some((request, http)) = queue.pop_front()
        {
            in_flight = Some((request, transport.send(http)));
        }
        if in_flight.is_none() {
            let Some((at, timer)) = timers.next() else {
                // Nothing can happen any more; the decider ends an execution before
                // that, so this only guards against waiting forever.
                return decider.status().clone();
            };
            if let Clock::Virtual(_) = clock {
                // Time jumps to the timer, unless a stop came first.
                if stop_requested(&mut stop) {
                    pending = Some(stop_input());
                    continue;
                }
                timers.cancel(timer);
                now = now.max(at);
                pending = Some(Input::TimerFired { timer });
                continue;
            }
        }

        let sleep_for = match (clock, timers.next()) {
            (Clock::Real, Some((at, _))) => Some((at - Utc::now()).to_std().unwrap_or_default()),
            _ => None,
        };
        tokio::select! {
            // A stop wins over a response that is ready at the same moment.
            biased;
            stopped = async {
                match stop.as_mut() {
                    Some(rx) => rx.await.is_ok(),
                    None => std::future::pending().await,
                }
            } => {
                stop = None;
                if stopped {
                    in_flight = None;
                    pending = Some(stop_input());
                }
            }
            exchange = async {
                match in_flight.as_mut() {
                    Some((_, send)) => send.as_mut().await,
                    None => std::future::pending().await,
                }
            } => {
                if let Some((request, _)) = in_flight.take() {
                    on_exchange(request, &exchange);
                    pending = Some(match exchange.outcome {
                        Ok(response) => Input::Response { request, response },
                        Err(error) => Input::RequestFailed { request, error },
                    });
                }
            }
            () = async {
                match sleep_for {
                    Some(duration) => tokio::time::sleep(duration).await,
                    None => std::future::pending().await,
                }
            } => {
                if let Some((_, timer)) = timers.next() {
                    timers.cancel(timer);
                    pending = Some(Input::TimerFired { timer });
                }
            }
        }
    }
}

fn stop_input() -> Input {
    Input::Stop {
        error: None,
        cause: None,
    }
}

/// Whether the stop signal has fired; a sender that went away never will.
fn stop_requested(stop: &mut Option<oneshot::Receiver<()>>) -> bool {
    let Some(rx) = stop.as_mut() else {
        return false;
    };
    match rx.try_recv() {
        Ok(()) => {
            *stop = None;
            true
        }
        Err(oneshot::error::TryRecvError::Empty) => false,
        Err(oneshot::error::TryRecvError::Closed) => {
            *stop = None;
            false
        }
    }
}

/// Armed timers in the order they fire (ties in the order they were started).
#[derive(Default)]
struct Timers {
    due: BTreeMap<(DateTime<Utc>, u64), TimerId>,
    keys: HashMap<TimerId, (DateTime<Utc>, u64)>,
    sequence: u64,
}

impl Timers {
    fn start(&mut self, timer: TimerId, at: DateTime<Utc>) {
        self.cancel(timer);
        self.sequence += 1;
        self.due.insert((at, self.sequence), timer);
        self.keys.insert(timer, (at, self.sequence));
    }

    fn cancel(&mut self, timer: TimerId) {
        if let Some(key) = self.keys.remove(&timer) {
            self.due.remove(&key);
        }
    }

    fn next(&self) -> Option<(DateTime<Utc>, TimerId)> {
        self.due.iter().next().map(|((at, _), timer)| (*at, *timer))
    }
}

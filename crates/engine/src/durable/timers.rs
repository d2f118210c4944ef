//! Durable timers fire from here. The rows that make them durable are written with
//! the decision that starts them; this queue only wakes up at the right time. A timer
//! that was cancelled meanwhile still fires here, and the decider ignores it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use weft_asl::decider::TimerId;

/// A timer of one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Due {
    pub fire_at_ms: i64,
    pub execution: i64,
    pub timer: TimerId,
}

#[derive(Clone)]
pub struct Timers {
    queue: mpsc::UnboundedSender<Due>,
}

impl Timers {
    /// Starts the queue; `fire` is called (on the queue's task) for each timer when
    /// it is due and must not block.
    pub fn start(fire: impl Fn(Due) + Send + 'static) -> Timers {
        let (queue, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(receiver, fire));
        Timers { queue }
    }

    pub fn schedule(&self, execution: i64, timer: TimerId, fire_at: DateTime<Utc>) {
        let _ = self.queue.send(Due {
            fire_at_ms: fire_at.timestamp_millis(),
            execution,
            timer,
        });
    }
}

async fn run(mut receiver: mpsc::UnboundedReceiver<Due>, fire: impl Fn(Due)) {
    let mut heap: BinaryHeap<Reverse<Due>> = BinaryHeap::new();
    loop {
        let now = Utc::now().timestamp_millis();
        while heap.peek().is_some_and(|Reverse(d)| d.fire_at_ms <= now) {
            if let Some(Reverse(due)) = heap.pop() {
                fire(due);
            }
        }
        let sleep = match heap.peek() {
            Some(Reverse(next)) => std::time::Duration::from_millis((next.fire_at_ms - now) as u64),
            None => std::time::Duration::from_secs(3600),
        };
        tokio::select! {
            received = receiver.recv() => match received {
                Some(due) => heap.push(Reverse(due)),
                None => return,
            },
            _ = tokio::time::sleep(sleep) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn fires_in_time_order_including_past_due() {
        let fired = Arc::new(Mutex::new(Vec::new()));
        let sink = fired.clone();
        let timers = Timers::start(move |due| sink.lock().unwrap().push(due.timer.0));
        let now = Utc::now();
        timers.schedule(1, TimerId(2), now + chrono::Duration::milliseconds(60));
        timers.schedule(1, TimerId(1), now + chrono::Duration::milliseconds(20));
        timers.schedule(2, TimerId(0), now - chrono::Duration::seconds(5));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        assert_eq!(*fired.lock().unwrap(), vec![0]);
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        assert_eq!(*fired.lock().unwrap(), vec![0, 1, 2]);
    }
}

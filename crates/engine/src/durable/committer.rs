//! Group commit: every decision's write goes through one queue; whatever has queued
//! up while the previous transaction was being made durable goes into the next one.
//! Under load, one fsync then covers hundreds of executions' decisions.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use weft_store::{ExecutionWrite, Store, StoreError};

/// The most writes one transaction takes; the rest wait for the next.
const MAX_BATCH: usize = 1024;

type Reply = oneshot::Sender<Result<(), Arc<StoreError>>>;

/// The sending end of the queue. Writes are committed in the order they are submitted.
#[derive(Clone)]
pub struct Committer {
    queue: mpsc::UnboundedSender<(ExecutionWrite, Reply)>,
}

/// Resolves once the write is durable (or its transaction failed).
pub type Committed = oneshot::Receiver<Result<(), Arc<StoreError>>>;

impl Committer {
    pub fn start(store: Arc<dyn Store>) -> Committer {
        let (queue, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(store, receiver));
        Committer { queue }
    }

    /// Queues a write. Never waits, so it can be called while holding a lock that
    /// orders an execution's decisions.
    pub fn submit(&self, write: ExecutionWrite) -> Committed {
        let (reply, committed) = oneshot::channel();
        // If the committer is gone the receiver reports it when awaited.
        let _ = self.queue.send((write, reply));
        committed
    }
}

async fn run(
    store: Arc<dyn Store>,
    mut receiver: mpsc::UnboundedReceiver<(ExecutionWrite, Reply)>,
) {
    let mut writes = Vec::with_capacity(MAX_BATCH);
    let mut replies = Vec::with_capacity(MAX_BATCH);
    while let Some((write, reply)) = receiver.recv().await {
        writes.push(write);
        replies.push(reply);
        while writes.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok((write, reply)) => {
                    writes.push(write);
                    replies.push(reply);
                }
                Err(_) => break,
            }
        }
        let result = store.commit(&writes).await.map_err(Arc::new);
        writes.clear();
        for reply in replies.drain(..) {
            let _ = reply.send(result.clone());
        }
    }
}

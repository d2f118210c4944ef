//! The bounded pool for CPU-heavy work: reading, validating and compiling a definition,
//! and each decision of a STANDARD execution. Each job runs on tokio's blocking pool, and
//! at most one job per core runs at a time, so however long one job takes within its
//! budgets, the async workers go on answering every other request.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

static PERMITS: OnceLock<Semaphore> = OnceLock::new();

/// Runs `work` on the blocking pool once one of the pool's permits is free. A panic in
/// `work` is resumed in the caller, as if `work` had run there.
pub(super) async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let permits = PERMITS.get_or_init(|| {
        Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    // The semaphore lives as long as the process and is never closed.
    let _permit = permits.acquire().await.ok();
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            // Only a runtime that is shutting down cancels a blocking task.
            Err(error) => panic!("definition work cancelled: {error}"),
        },
    }
}

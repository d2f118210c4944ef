//! The SQLite store: WAL, `synchronous=FULL`.

use crate::*;

pub async fn open(_url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    Err(StoreError::Backend("not implemented yet".into()))
}

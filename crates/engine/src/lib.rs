//! The engine: everything that happens around the pure deciders. For now it performs
//! tasks (mocked responses and real HTTP calls) and drives an execution in-process.

pub mod dispatch;
pub mod http_task;
pub mod local;
pub mod mock_config;

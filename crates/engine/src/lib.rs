//! The engine: everything that happens around the pure deciders. It performs tasks
//! (mocked responses and real HTTP calls), drives an execution in-process (`local`),
//! runs executions durably behind the server (`durable`), and runs Arazzo workflows
//! (`arazzo`).

pub mod arazzo;
pub mod arn;
pub mod dispatch;
pub mod durable;
pub mod http_task;
pub mod local;
pub mod mock_config;

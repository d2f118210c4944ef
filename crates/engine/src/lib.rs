//! The engine.

pub mod http_task;
pub mod mock_config;

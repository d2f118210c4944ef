//! The engine.

pub mod mock_config;

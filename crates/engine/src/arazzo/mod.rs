//! Runs Arazzo workflows: the shell around the pure decider of `weft-arazzo`.
//!
//! * [`transport`]: the [`transport::Transport`] trait the driver sends requests
//!   through, and the reqwest implementation with per-request time-outs.
//! * [`sigv4`] and [`credentials`]: AWS Signature Version 4 for requests that ask for
//!   it, with credentials from the environment or the shared credentials file.
//! * [`sources`]: reads the source descriptions a document names (files and URLs).
//! * [`run`]: drives one workflow to completion in this process, with a real or
//!   virtual clock.

pub mod credentials;
pub mod run;
pub mod sigv4;
pub mod sources;
pub mod transport;

//! Amazon States Language for weft: the definition model and its validation, the
//! JSONPath dialect, payload templates, intrinsic functions and the decider that runs a
//! definition.
//!
//! Everything here is pure: no I/O, no clock, no randomness of its own. Time and random
//! numbers come in with each call, so the same inputs always give the same result.

pub mod decider;
pub mod entropy;
pub mod error;
pub mod intrinsic;
pub mod jsonata;
pub mod model;
pub mod path;
pub mod template;
pub mod validate;

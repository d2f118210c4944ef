//! The decider.

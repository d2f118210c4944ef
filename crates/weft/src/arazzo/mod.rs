//! `weft run` and `weft validate` for Arazzo documents (a root `arazzo` member,
//! whatever the file's extension).
//!
//! * [`load`]: reading the document and its source descriptions.
//! * [`inputs`]: `--input` arguments and `env` inputs from the environment.
//! * [`run`] drives the workflow with the engine's Arazzo driver; [`report`] keeps what
//!   each step did for `--output json`, [`progress`] shows it on stderr and [`har`]
//!   archives the exchanges. [`mask`] keeps secrets out of all three.
//! * [`validate`]: `weft validate`.

mod har;
mod inputs;
mod load;
mod progress;
mod report;
pub mod run;
pub mod validate;

pub use load::is_arazzo_file;

//! Arazzo 1.0 API workflows, without I/O.
//!
//! * [`document`]: the Arazzo document model, parsing (YAML or JSON) and validation.
//! * [`openapi`]: the view of an OpenAPI description that steps need (operations,
//!   servers, parameters, security).
//! * [`bundle`]: an Arazzo document with every source description it names, loaded
//!   through a caller-supplied reader.
//! * [`expression`]: runtime expressions (`$inputs.x`, `$response.body#/a/0`, …) and
//!   strings that embed them (`"Bearer {$inputs.token}"`).
//! * [`criteria`]: Criterion Objects of the four types (simple, regex, jsonpath, xpath).
//! * [`xml`]: XPath 3.1 over XML text (criteria, payload replacements), behind the
//!   `xpath` feature.
//! * [`exchange`]: the HTTP requests a workflow makes and the responses it reads.
//! * [`request`]: building the HTTP request of an operation step.
//! * [`decider`]: runs one workflow as a pure state machine: the caller performs the
//!   HTTP requests and timers it asks for and feeds the results back.
//! * [`mask`]: keeping secrets out of reports and histories.

pub mod bundle;
pub mod criteria;
pub mod decider;
pub mod document;
pub mod exchange;
pub mod expression;
pub mod mask;
pub mod openapi;
pub mod request;
pub mod xml;

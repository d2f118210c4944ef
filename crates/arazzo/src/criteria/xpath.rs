//! XPath criteria: the condition runs with the context (XML text) as the document and
//! passes on its Effective Boolean Value (1.1: "Type conversion MUST follow the
//! Effective Boolean Value (EBV) semantics defined by the XPath version being used").
//!
//! Every version runs on the XPath 3.1 engine, which reads 2.0 and 3.0 expressions the
//! same way; `xpath-10` expressions are first rewritten with 1.0's conversions
//! (`xml::xpath10`), and 1.0's `boolean()` equals 3.1's EBV for every 1.0 value.

use serde_json::Value;

use super::CriterionError;
use crate::xml::{self, XPathVersion};

pub(crate) fn check(condition: &str, version: XPathVersion) -> Result<(), CriterionError> {
    xml::check(condition, version).map_err(|e| CriterionError(e.to_string()))
}

/// 1.1: "If the `context` evaluates to `null` or `undefined` ... the condition MUST
/// evaluate to _fail_."
pub(crate) fn evaluate(
    condition: &str,
    context: Option<&Value>,
    version: XPathVersion,
) -> Result<bool, CriterionError> {
    if !xml::AVAILABLE {
        return Err(CriterionError(xml::XmlError::Unavailable.to_string()));
    }
    match context {
        None | Some(Value::Null) => Ok(false),
        Some(Value::String(text)) => xml::evaluate_boolean(text, condition, version)
            .map_err(|e| CriterionError(e.to_string())),
        Some(other) => Err(CriterionError(format!(
            "an xpath criterion needs XML text as its context, not parsed JSON ({})",
            if other.is_object() {
                "an object"
            } else {
                "a non-string value"
            }
        ))),
    }
}

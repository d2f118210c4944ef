//! `States.UUID`.

use serde_json::Value;

use crate::entropy::Entropy;

/// `States.UUID()`: a version 4 UUID drawn from the injected entropy, so a replayed
/// decision produces the same identifier.
pub(super) fn uuid(entropy: &mut dyn Entropy) -> Value {
    Value::String(entropy.uuid_v4())
}

//! Reusable Objects (`{reference: $components.<kind>.<name>}`) and workflow
//! references (`workflowId`, `dependsOn`, actions).

use indexmap::IndexMap;

use super::{Checker, codes};
use crate::document::ReusableReference;

impl<'a> Checker<'a> {
    /// The component a Reusable Object references, reporting a malformed reference, a
    /// reference of another kind, or a missing component.
    pub(super) fn component<T>(
        &mut self,
        reference: &ReusableReference,
        at: &str,
        kind: &str,
        components: impl Fn(&'a crate::document::Components) -> &'a IndexMap<String, T>,
    ) -> Option<&'a T> {
        let text = reference.reference.as_str();
        let bare = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        let Some((found_kind, name)) = bare
            .strip_prefix("$components.")
            .and_then(|rest| rest.split_once('.'))
        else {
            self.error(
                codes::REFERENCE,
                &format!("{at}/reference"),
                format!("`{text}` is not a reference like `$components.{kind}.<name>`"),
            );
            return None;
        };
        if found_kind != kind {
            self.error(
                codes::REFERENCE,
                &format!("{at}/reference"),
                format!("`{text}` references components.{found_kind}; only {kind} fit here"),
            );
            return None;
        }
        if reference.value.is_some() && kind != "parameters" {
            // 1.0.1, Reusable Object: `value` "is only applicable for parameter object
            // references".
            self.warning(
                codes::REFERENCE_VALUE,
                &format!("{at}/value"),
                "`value` applies only to parameter references and is ignored here".into(),
            );
        }
        let found = self
            .document
            .components
            .as_ref()
            .map(&components)?
            .get(name);
        if found.is_none() {
            self.error(
                codes::REFERENCE,
                &format!("{at}/reference"),
                format!("`{text}`: there is no components.{kind}.{name}"),
            );
        }
        found
    }

    /// Reports a workflow reference that names no workflow, with a hint when the id
    /// exists in an Arazzo source and must be written through it.
    pub(super) fn workflow_reference(&mut self, reference: &str, at: &str) -> bool {
        if self.bundle.workflow(self.index, reference).is_some() {
            return true;
        }
        let through = self
            .document
            .source_descriptions
            .iter()
            .map(|s| format!("$sourceDescriptions.{}.{reference}", s.name))
            .find(|qualified| self.bundle.workflow(self.index, qualified).is_some());
        let message = match through {
            Some(qualified) => format!(
                "no workflow `{reference}` in this document; a workflow of another \
                 document is written `{qualified}`"
            ),
            None => format!("no workflow `{reference}`"),
        };
        self.error(codes::WORKFLOW_NOT_FOUND, at, message);
        false
    }
}

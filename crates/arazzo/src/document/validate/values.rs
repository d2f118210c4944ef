//! Values that hold runtime expressions (parameter values, payloads, outputs) and
//! criteria.

use indexmap::IndexMap;
use serde_json::Value;

use super::super::parse::escape_pointer;
use super::{Checker, codes, is_key};
use crate::criteria;
use crate::document::{Criterion, CriterionType, Workflow};
use crate::expression::{self, Expression, Root};

impl<'a> Checker<'a> {
    /// Checks the strings of a value, at any depth, for runtime expressions.
    pub(super) fn value(&mut self, value: &Value, at: &str, workflow: Option<&'a Workflow>) {
        match value {
            Value::String(text) => self.text(text, at, workflow),
            Value::Array(items) => {
                for (k, item) in items.iter().enumerate() {
                    self.value(item, &format!("{at}/{k}"), workflow);
                }
            }
            Value::Object(members) => {
                for (key, member) in members {
                    self.value(member, &format!("{at}/{}", escape_pointer(key)), workflow);
                }
            }
            _ => {}
        }
    }

    /// A string is a constant, one whole expression, or text embedding `{$…}`; bare
    /// `$inputs.x` inside text is read as an expression too, with a warning, since
    /// 1.0.1 embeds only in braces ("surrounding the expression with `{}` curly
    /// braces").
    fn text(&mut self, text: &str, at: &str, workflow: Option<&'a Workflow>) {
        if !text.contains('$') {
            return;
        }
        match expression::references(text) {
            Err(e) => self.error(codes::EXPRESSION, at, e.0),
            Ok(found) => {
                for expression in &found {
                    self.expression_targets(expression, at, workflow);
                }
            }
        }
        for bare in expression::bare_expressions(text) {
            let message = if expression::parse(&bare).is_ok() {
                format!(
                    "`{bare}` in \"{text}\" is read as a runtime expression, but Arazzo \
                     1.0.1 embeds expressions in strings only in braces: write `{{{bare}}}`"
                )
            } else {
                format!(
                    "`{bare}` in \"{text}\" looks like a runtime expression but is not one, \
                     so it is sent as text"
                )
            };
            self.warning(codes::BARE_EXPRESSION, at, message);
        }
    }

    /// Outputs map names (`^[a-zA-Z0-9\.\-_]+$`) to runtime expressions.
    pub(super) fn outputs(
        &mut self,
        outputs: &IndexMap<String, Value>,
        at: &str,
        workflow: Option<&'a Workflow>,
    ) {
        for (name, value) in outputs {
            let o_at = format!("{at}/{}", escape_pointer(name));
            if !is_key(name) {
                self.error(
                    codes::OUTPUT_NAME,
                    &o_at,
                    format!("output name `{name}` must match ^[a-zA-Z0-9.\\-_]+$"),
                );
            }
            match value {
                Value::String(text) if text.starts_with('$') => match expression::parse(text) {
                    Ok(expression) => self.expression_targets(&expression, &o_at, workflow),
                    Err(e) => self.error(codes::EXPRESSION, &o_at, e.0),
                },
                Value::String(text) if !text.contains('$') => self.warning(
                    codes::OUTPUT_LITERAL,
                    &o_at,
                    format!(
                        "output `{name}` holds no runtime expression; its value is the text itself"
                    ),
                ),
                other => self.value(other, &o_at, workflow),
            }
        }
    }

    pub(super) fn criterion(
        &mut self,
        criterion: &Criterion,
        at: &str,
        workflow: Option<&'a Workflow>,
    ) {
        self.unknown_fields(&criterion.extensions, at);
        let mut context_ok = true;
        if let Some(context) = &criterion.context {
            match expression::parse(context) {
                Ok(expression) => {
                    self.expression_targets(&expression, &format!("{at}/context"), workflow)
                }
                Err(e) => {
                    self.error(codes::EXPRESSION, &format!("{at}/context"), e.0);
                    context_ok = false;
                }
            }
        }
        if let Err(e) = criteria::kind(criterion) {
            self.error(codes::CRITERION_TYPE, &format!("{at}/type"), e.0);
            return;
        }
        if let Some(CriterionType::Expression { kind, version }) = &criterion.kind
            && self.is_1_0()
            && matches!(version.as_str(), "rfc9535" | "xpath-31")
        {
            // 1.0.1 allows draft-goessner-dispatch-jsonpath-00 and xpath-30/20/10; the
            // others came with 1.1.
            self.error(
                codes::CRITERION_TYPE,
                &format!("{at}/type/version"),
                format!("{kind} version `{version}` is Arazzo 1.1; a 1.0 document cannot use it"),
            );
        }
        if criterion.kind.is_some() && criterion.context.is_none() {
            self.error(
                codes::CRITERION_CONTEXT,
                at,
                "a criterion with a `type` needs a `context` (the value the condition applies to)"
                    .into(),
            );
            return;
        }
        if !context_ok {
            return;
        }
        if let Err(e) = criteria::check(criterion) {
            self.error(codes::CRITERION_CONDITION, &format!("{at}/condition"), e.0);
        }
    }

    /// Expressions that name a step, workflow, source description or component that
    /// does not exist read nothing at run time.
    fn expression_targets(
        &mut self,
        expression: &Expression,
        at: &str,
        workflow: Option<&'a Workflow>,
    ) {
        let missing = match &expression.root {
            Root::Steps { step, .. } => workflow
                .filter(|w| w.step(step).is_none())
                .map(|w| format!("step `{step}` is not in workflow `{}`", w.workflow_id)),
            Root::Workflows { workflow: id, .. } => self
                .bundle
                .workflow(self.index, id)
                .is_none()
                .then(|| format!("there is no workflow `{id}`")),
            Root::SourceDescriptions { source, .. } => self
                .document
                .source(source)
                .is_none()
                .then(|| format!("there is no source description `{source}`")),
            Root::Components { kind, name } => {
                let components = self.document.components.as_ref();
                let found = match kind.as_str() {
                    "parameters" => components.is_some_and(|c| c.parameters.contains_key(name)),
                    "successActions" => {
                        components.is_some_and(|c| c.success_actions.contains_key(name))
                    }
                    "failureActions" => {
                        components.is_some_and(|c| c.failure_actions.contains_key(name))
                    }
                    "inputs" => components.is_some_and(|c| c.inputs.contains_key(name)),
                    _ => false,
                };
                (!found).then(|| format!("there is no components.{kind}.{name}"))
            }
            _ => None,
        };
        if let Some(why) = missing {
            self.warning(
                codes::UNKNOWN_REFERENCE,
                at,
                format!("`{}`: {why}, so it reads nothing", expression.text),
            );
            return;
        }
        if let (Root::Steps { step, .. }, Some(current), Some(workflow)) =
            (&expression.root, self.request_of, workflow)
            && let Some(read) = workflow.step_index(step)
            && !super::order::reaches(&self.next_steps, read, current)
        {
            self.warning(
                codes::STEP_ORDER,
                at,
                format!(
                    "`{}`: step `{step}` cannot have run before step `{}`, so it reads nothing",
                    expression.text, workflow.steps[current].step_id
                ),
            );
        }
    }
}

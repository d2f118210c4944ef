//! The Arazzo 1.0 document model, field for field as the specification names them.
//!
//! Values that hold runtime expressions or arbitrary data (parameter values, payloads,
//! outputs, input schemas) stay [`serde_json::Value`]s; they are interpreted when a step
//! runs. Specification extensions (`x-…`) and unknown fields are kept in `extensions`
//! where an object allows them, so tools can read them and validation can flag the
//! unknown ones.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The root object of an Arazzo description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub arazzo: String,
    pub info: Info,
    pub source_descriptions: Vec<SourceDescription>,
    pub workflows: Vec<Workflow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Components>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub version: String,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SourceType {
    #[default]
    Openapi,
    Arazzo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceDescription {
    pub name: String,
    pub url: String,
    /// Absent means the type is found out from the document itself.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<SourceType>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    pub workflow_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A JSON Schema (2020-12) for the workflow's inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success_actions: Vec<Reusable<SuccessAction>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure_actions: Vec<Reusable<FailureAction>>,
    /// Output name → runtime expression (or any value holding expressions).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Reusable<Parameter>>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub step_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Reusable<Parameter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success_criteria: Vec<Criterion>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_success: Vec<Reusable<SuccessAction>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_failure: Vec<Reusable<FailureAction>>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Value>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// What a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTarget<'a> {
    OperationId(&'a str),
    OperationPath(&'a str),
    WorkflowId(&'a str),
}

impl Step {
    /// The step's target, when exactly one of `operationId`, `operationPath` and
    /// `workflowId` is given (validation reports the other cases).
    pub fn target(&self) -> Option<StepTarget<'_>> {
        match (
            self.operation_id.as_deref(),
            self.operation_path.as_deref(),
            self.workflow_id.as_deref(),
        ) {
            (Some(id), None, None) => Some(StepTarget::OperationId(id)),
            (None, Some(path), None) => Some(StepTarget::OperationPath(path)),
            (None, None, Some(id)) => Some(StepTarget::WorkflowId(id)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParameterLocation {
    Path,
    Query,
    Header,
    Cookie,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    /// Required for operation steps; absent for a step that calls a workflow (the
    /// parameter then names one of that workflow's inputs).
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub location: Option<ParameterLocation>,
    pub value: Value,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

/// Either the object itself or a Reusable Object pointing into `components`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reusable<T> {
    Reference(ReusableReference),
    Inline(T),
}

/// `{reference: $components.parameters.x, value: …}`. `value` overrides the referenced
/// parameter's value and applies only to parameter references.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReusableReference {
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replacements: Vec<PayloadReplacement>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayloadReplacement {
    /// A JSON Pointer, or an XPath expression for XML bodies.
    pub target: String,
    pub value: Value,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    pub condition: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<CriterionType>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CriterionType {
    /// `simple`, `regex`, `jsonpath` or `xpath`.
    Name(String),
    /// The Criterion Expression Type Object `{type, version}`.
    Expression {
        #[serde(rename = "type")]
        kind: String,
        version: String,
    },
}

impl Criterion {
    /// The criterion's type name (`simple` when absent).
    pub fn type_name(&self) -> &str {
        match &self.kind {
            None => "simple",
            Some(CriterionType::Name(name)) => name,
            Some(CriterionType::Expression { kind, .. }) => kind,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SuccessActionType {
    End,
    Goto,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuccessAction {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: SuccessActionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<Criterion>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureActionType {
    End,
    Goto,
    Retry,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureAction {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FailureActionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    /// Seconds to wait before retrying (a non-negative decimal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<f64>,
    /// How many retries; absent means one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_limit: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub criteria: Vec<Criterion>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    /// Name → JSON Schema, referenced from workflow `inputs` with `$ref`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub inputs: IndexMap<String, Value>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub success_actions: IndexMap<String, SuccessAction>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub failure_actions: IndexMap<String, FailureAction>,
    #[serde(flatten)]
    pub extensions: Map<String, Value>,
}

impl Document {
    pub fn workflow(&self, id: &str) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.workflow_id == id)
    }

    pub fn source(&self, name: &str) -> Option<&SourceDescription> {
        self.source_descriptions.iter().find(|s| s.name == name)
    }
}

impl Workflow {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.step_id == id)
    }

    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.step_id == id)
    }
}

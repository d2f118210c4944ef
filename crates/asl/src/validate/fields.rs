//! Which fields each object of a definition may carry, in JSONPath and in JSONata mode.

/// Fields every state may carry.
const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];

const PASS: &[&str] = &[
    "Next",
    "End",
    "InputPath",
    "OutputPath",
    "Parameters",
    "Result",
    "ResultPath",
    "Assign",
];

const TASK: &[&str] = &[
    "Next",
    "End",
    "Resource",
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Retry",
    "Catch",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Credentials",
    "Assign",
];

const CHOICE: &[&str] = &["Choices", "Default", "InputPath", "OutputPath", "Assign"];

const WAIT: &[&str] = &[
    "Next",
    "End",
    "Seconds",
    "Timestamp",
    "SecondsPath",
    "TimestampPath",
    "InputPath",
    "OutputPath",
    "Assign",
];

const SUCCEED: &[&str] = &["InputPath", "OutputPath"];

const FAIL: &[&str] = &["Error", "ErrorPath", "Cause", "CausePath"];

const PARALLEL: &[&str] = &[
    "Next",
    "End",
    "Branches",
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Retry",
    "Catch",
    "Assign",
];

const MAP: &[&str] = &[
    "Next",
    "End",
    "ItemProcessor",
    "Iterator",
    "ItemsPath",
    "ItemSelector",
    "Parameters",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "Label",
    "ResultSelector",
    "ResultPath",
    "InputPath",
    "OutputPath",
    "Retry",
    "Catch",
    "Assign",
];

/// The state types of ASL.
pub(crate) const STATE_TYPES: &[&str] = &[
    "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Fields a state of this type may carry, besides [`COMMON`]. `None` for an unknown type.
fn for_type(state_type: &str) -> Option<&'static [&'static str]> {
    Some(match state_type {
        "Pass" => PASS,
        "Task" => TASK,
        "Choice" => CHOICE,
        "Wait" => WAIT,
        "Succeed" => SUCCEED,
        "Fail" => FAIL,
        "Parallel" => PARALLEL,
        "Map" => MAP,
        _ => return None,
    })
}

pub(crate) fn allowed_in_state(state_type: &str, field: &str) -> bool {
    COMMON.contains(&field) || for_type(state_type).is_some_and(|fields| fields.contains(&field))
}

const JSONATA_PASS: &[&str] = &["Next", "End", "Output", "Assign"];

const JSONATA_TASK: &[&str] = &[
    "Next",
    "End",
    "Resource",
    "Arguments",
    "Output",
    "Assign",
    "Retry",
    "Catch",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Credentials",
];

const JSONATA_CHOICE: &[&str] = &["Choices", "Default", "Output", "Assign"];

const JSONATA_WAIT: &[&str] = &["Next", "End", "Seconds", "Timestamp", "Output", "Assign"];

const JSONATA_SUCCEED: &[&str] = &["Output"];

const JSONATA_FAIL: &[&str] = &["Error", "Cause"];

const JSONATA_PARALLEL: &[&str] = &[
    "Next",
    "End",
    "Branches",
    "Arguments",
    "Output",
    "Assign",
    "Retry",
    "Catch",
];

const JSONATA_MAP: &[&str] = &[
    "Next",
    "End",
    "ItemProcessor",
    "Iterator",
    "Items",
    "ItemSelector",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "Label",
    "Output",
    "Assign",
    "Retry",
    "Catch",
];

/// Fields a JSONata state of this type may carry, besides [`COMMON`].
pub(crate) fn allowed_in_jsonata_state(state_type: &str, field: &str) -> bool {
    let fields: &[&str] = match state_type {
        "Pass" => JSONATA_PASS,
        "Task" => JSONATA_TASK,
        "Choice" => JSONATA_CHOICE,
        "Wait" => JSONATA_WAIT,
        "Succeed" => JSONATA_SUCCEED,
        "Fail" => JSONATA_FAIL,
        "Parallel" => JSONATA_PARALLEL,
        "Map" => JSONATA_MAP,
        _ => &[],
    };
    COMMON.contains(&field) || fields.contains(&field)
}

/// Fields that exist only in JSONPath mode; a JSONata state naming one gets the
/// QueryLanguage message rather than a plain "not supported".
pub(crate) const JSONPATH_ONLY: &[&str] = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "Result",
    "ItemsPath",
    "Variable",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
];

/// Fields that exist only in JSONata mode; a JSONPath state naming one gets AWS's
/// QueryLanguage message rather than a plain "not supported".
pub(crate) const JSONATA_ONLY: &[&str] = &["Arguments", "Output", "Items", "Condition"];

/// Valid Distributed Map fields that this implementation cannot run yet: refused, so a
/// definition never silently loses their meaning.
pub(crate) const MAP_NOT_YET_SUPPORTED: &[&str] = &["ItemReader", "ItemBatcher", "ResultWriter"];

pub(crate) const TOP_LEVEL: &[&str] = &[
    "StartAt",
    "States",
    "Comment",
    "Version",
    "TimeoutSeconds",
    "QueryLanguage",
];

/// A Parallel branch, a Map `ItemProcessor` (plus `ProcessorConfig`) or a legacy
/// `Iterator`.
pub(crate) const GRAPH: &[&str] = &["StartAt", "States", "Comment"];

pub(crate) const PROCESSOR_CONFIG: &[&str] = &["Mode", "ExecutionType"];

pub(crate) const RETRIER: &[&str] = &[
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
];

pub(crate) const CATCHER: &[&str] = &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"];

pub(crate) const JSONATA_CATCHER: &[&str] = &["ErrorEquals", "Next", "Output", "Assign", "Comment"];

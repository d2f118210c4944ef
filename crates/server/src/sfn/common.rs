//! Input members several operations share: pages, configuration blocks, tags.

use serde_json::{Map, Value};
use weft_engine::durable::{PageRequest, Tag};

use super::input::{self, Input, Problems, Str};
use crate::protocol::ApiError;

/// `maxResults` (0–1000, 0 meaning the default) and `nextToken`.
pub fn page(
    input: &Input<'_>,
    problems: &mut Problems,
    token: Str,
) -> Result<PageRequest, ApiError> {
    let max_results = input.integer(problems, "maxResults", 0, 1000)?;
    let next_token = input.string(problems, "nextToken", token)?;
    Ok(PageRequest {
        max_results: max_results
            .filter(|n| *n > 0)
            .and_then(|n| u32::try_from(n).ok()),
        next_token: next_token.map(str::to_string),
    })
}

/// `loggingConfiguration`, with AWS's defaults filled in (`level` OFF,
/// `includeExecutionData` false). `InvalidLoggingConfiguration` unless there is exactly
/// one destination when the level is not OFF, and never more than one.
pub fn logging(
    input: &Input<'_>,
    problems: &mut Problems,
) -> Result<Option<LoggingCheck>, ApiError> {
    let Some(config) = input.structure(problems, "loggingConfiguration", false)? else {
        return Ok(None);
    };
    let level = config.enumeration(problems, "level", input::LOG_LEVELS, false)?;
    let include = config.boolean("includeExecutionData")?;
    let mut destinations = Vec::new();
    if let Some(items) = config.list(problems, "destinations", false)? {
        for (path, item) in items {
            let mut destination = Map::new();
            if let Some(d) = input::list_structure(problems, &path, item)?
                && let Some(group) = d.structure(problems, "cloudWatchLogsLogGroup", false)?
            {
                let mut log_group = Map::new();
                if let Some(arn) = group.string(problems, "logGroupArn", input::ARN)? {
                    log_group.insert("logGroupArn".into(), Value::from(arn));
                }
                destination.insert("cloudWatchLogsLogGroup".into(), Value::Object(log_group));
            }
            destinations.push(Value::Object(destination));
        }
    }
    let level = level.unwrap_or("OFF");
    let mut value = Map::new();
    value.insert("level".into(), Value::from(level));
    value.insert(
        "includeExecutionData".into(),
        Value::Bool(include.unwrap_or(false)),
    );
    let count = destinations.len();
    if count > 0 {
        value.insert("destinations".into(), Value::Array(destinations));
    }
    let problem = (count > 1 || (level != "OFF" && count == 0)).then(|| {
        ApiError::new(
            "InvalidLoggingConfiguration",
            "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        )
    });
    Ok(Some(LoggingCheck {
        value: Value::Object(value),
        problem,
    }))
}

/// A logging configuration read from the input, and what the service holds against it
/// (reported only once the model's constraints pass).
#[derive(Debug)]
pub struct LoggingCheck {
    pub value: Value,
    pub problem: Option<ApiError>,
}

/// `tracingConfiguration`, `enabled` defaulting to false.
pub fn tracing(input: &Input<'_>, problems: &mut Problems) -> Result<Option<Value>, ApiError> {
    let Some(config) = input.structure(problems, "tracingConfiguration", false)? else {
        return Ok(None);
    };
    let enabled = config.boolean("enabled")?.unwrap_or(false);
    let mut value = Map::new();
    value.insert("enabled".into(), Value::Bool(enabled));
    Ok(Some(Value::Object(value)))
}

/// `encryptionConfiguration`. weft keeps it as given; it encrypts nothing.
pub fn encryption(input: &Input<'_>, problems: &mut Problems) -> Result<Option<Value>, ApiError> {
    let Some(config) = input.structure(problems, "encryptionConfiguration", false)? else {
        return Ok(None);
    };
    let kms_key = config.string(problems, "kmsKeyId", input::KMS_KEY_ID)?;
    let reuse = config.integer(problems, "kmsDataKeyReusePeriodSeconds", 60, 900)?;
    let kind = config.enumeration(problems, "type", input::ENCRYPTION_TYPES, true)?;
    let mut value = Map::new();
    if let Some(key) = kms_key {
        value.insert("kmsKeyId".into(), Value::from(key));
    }
    if let Some(seconds) = reuse {
        value.insert("kmsDataKeyReusePeriodSeconds".into(), Value::from(seconds));
    }
    if let Some(kind) = kind {
        value.insert("type".into(), Value::from(kind));
    }
    Ok(Some(Value::Object(value)))
}

/// A `tags` list. A tag without a value has the empty value.
pub fn tags(
    input: &Input<'_>,
    problems: &mut Problems,
    required: bool,
) -> Result<Option<Vec<Tag>>, ApiError> {
    let Some(items) = input.list(problems, "tags", required)? else {
        return Ok(None);
    };
    let mut tags = Vec::new();
    for (path, item) in items {
        let Some(tag) = input::list_structure(problems, &path, item)? else {
            continue;
        };
        let key = tag.string(problems, "key", input::TAG_KEY.required())?;
        let value = tag.string(problems, "value", input::TAG_VALUE)?;
        if let Some(key) = key {
            tags.push(Tag {
                key: key.to_string(),
                value: value.unwrap_or_default().to_string(),
            });
        }
    }
    Ok(Some(tags))
}

/// The most tags a resource may carry.
pub const MAX_TAGS: usize = 50;

/// `publish` and `versionDescription`. weft does not publish versions (yet), so a
/// request to publish is refused with a `ValidationException` that says so; a
/// description without `publish` is refused as AWS refuses it.
pub fn no_publishing(publish: Option<bool>, description: Option<&str>) -> Result<(), ApiError> {
    if publish == Some(true) {
        return Err(ApiError::validation(
            "weft does not publish state machine versions yet",
        ));
    }
    if description.is_some() {
        return Err(ApiError::validation(
            "Version description can only be set when publish is true",
        ));
    }
    Ok(())
}

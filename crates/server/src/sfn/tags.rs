//! `TagResource`, `UntagResource`, `ListTagsForResource`.
//!
//! Tags attach to state machines and activities; an ARN of anything else is
//! `InvalidArn`, one of another region or account `ResourceNotFound`. A tag key is
//! 1–128 characters and a value 0–256 (a tag without a value has the empty one). A
//! request with more than 50 tags is `TooManyTags`; whether the tags a resource already
//! has leave room for new ones is the engine's to say.

use serde_json::{Map, Value};
use weft_engine::durable::{Engine, EngineError, Tag};

use super::checks::{self, Expected, Target};
use super::common;
use super::input::{self, Input, Problems};
use super::shapes::{self, Shape};
use crate::protocol::ApiError;

/// A checked `TagResource` request.
#[derive(Debug, Clone)]
pub struct TagRequest {
    pub target: Target,
    pub tags: Vec<Tag>,
}

fn resource(input: &Input<'_>, problems: &mut Problems) -> Result<Option<String>, ApiError> {
    Ok(input
        .string(problems, "resourceArn", input::ARN.required())?
        .map(str::to_string))
}

pub fn parse_tag(body: &Map<String, Value>) -> Result<TagRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = resource(&input, &mut problems)?;
    let tags = common::tags(&input, &mut problems, true)?;
    problems.finish()?;
    let target = checks::check_arn(&arn.unwrap_or_default(), Expected::Taggable)?;
    let tags = tags.unwrap_or_default();
    if tags.len() > common::MAX_TAGS {
        return Err(EngineError::TooManyTags(target.arn).into());
    }
    Ok(TagRequest { target, tags })
}

fn in_scope(engine: &Engine, target: &Target) -> Result<(), ApiError> {
    if target.is_in(engine.scope()) {
        Ok(())
    } else {
        Err(EngineError::ResourceNotFound(target.arn.clone()).into())
    }
}

pub(crate) async fn tag(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let TagRequest { target, tags } = parse_tag(body)?;
    in_scope(engine, &target)?;
    engine.tag_resource(&target.arn, tags).await?;
    Ok(Value::Object(Map::new()))
}

/// A checked `UntagResource` request.
#[derive(Debug, Clone)]
pub struct UntagRequest {
    pub target: Target,
    pub keys: Vec<String>,
}

pub fn parse_untag(body: &Map<String, Value>) -> Result<UntagRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = resource(&input, &mut problems)?;
    let mut keys = Vec::new();
    if let Some(items) = input.list(&mut problems, "tagKeys", true)? {
        for (path, item) in items {
            if let Some(key) = input::list_string(&mut problems, &path, item, input::TAG_KEY)? {
                keys.push(key.to_string());
            }
        }
    }
    problems.finish()?;
    let target = checks::check_arn(&arn.unwrap_or_default(), Expected::Taggable)?;
    Ok(UntagRequest { target, keys })
}

pub(crate) async fn untag(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let UntagRequest { target, keys } = parse_untag(body)?;
    in_scope(engine, &target)?;
    engine.untag_resource(&target.arn, keys).await?;
    Ok(Value::Object(Map::new()))
}

pub fn parse_list(body: &Map<String, Value>) -> Result<Target, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = resource(&input, &mut problems)?;
    problems.finish()?;
    checks::check_arn(&arn.unwrap_or_default(), Expected::Taggable)
}

pub(crate) async fn list(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let target = parse_list(body)?;
    in_scope(engine, &target)?;
    let tags = engine.list_tags(&target.arn).await?;
    Ok(Shape::new().put("tags", shapes::tags(&tags)).build())
}

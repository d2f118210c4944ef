//! `CreateStateMachine`, `DescribeStateMachine`, `UpdateStateMachine`,
//! `DeleteStateMachine`, `ListStateMachines`.
//!
//! * `type` defaults to STANDARD. Configuration blocks reach the engine with AWS's
//!   defaults filled in, so a state machine created without them and one created with
//!   the defaults spelled out are the same (that is what AWS's idempotent create
//!   compares).
//! * `roleArn` is kept as given: weft assumes no IAM role.
//! * `publish: true` is refused (weft has no versions yet), and so is a
//!   `versionDescription` without it.
//! * `UpdateStateMachine` with nothing to change is `MissingRequiredParameter`, with the
//!   message recorded on AWS.
//! * `DeleteStateMachine` of a state machine that does not exist succeeds, as on AWS;
//!   so does one whose ARN is of another region or account.
//! * `includedData` is accepted and has no effect: weft never encrypts a definition, so
//!   there is nothing `METADATA_ONLY` would hold back.

use serde_json::{Map, Value};
use weft_engine::durable::{
    CreateStateMachine, Engine, EngineError, MachineType, PageRequest, UpdateStateMachine,
};

use super::checks::{self, Expected, Target};
use super::common;
use super::input::{self, Input, Problems};
use super::shapes::{self, Shape};
use crate::protocol::ApiError;

/// A checked `CreateStateMachine` request.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub request: CreateStateMachine,
}

pub fn parse_create(body: &Map<String, Value>) -> Result<CreateRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let name = input.string(&mut problems, "name", input::NAME.required())?;
    let definition = input.string(&mut problems, "definition", input::DEFINITION.required())?;
    let role_arn = input.string(&mut problems, "roleArn", input::ARN.required())?;
    let kind = input.enumeration(&mut problems, "type", input::STATE_MACHINE_TYPES, false)?;
    let logging = common::logging(&input, &mut problems)?;
    let tags = common::tags(&input, &mut problems, false)?;
    let tracing = common::tracing(&input, &mut problems)?;
    let publish = input.boolean("publish")?;
    let description = input.string(
        &mut problems,
        "versionDescription",
        input::VERSION_DESCRIPTION,
    )?;
    let encryption = common::encryption(&input, &mut problems)?;
    problems.finish()?;

    // Present: the model requires them and the constraints passed.
    let (name, definition, role_arn) = (
        name.unwrap_or_default(),
        definition.unwrap_or_default(),
        role_arn.unwrap_or_default(),
    );
    checks::check_name(name)?;
    common::no_publishing(publish, description)?;
    let logging = match logging {
        Some(check) => match check.problem {
            Some(problem) => return Err(problem),
            None => check.value,
        },
        None => shapes::logging(&Value::Null),
    };
    Ok(CreateRequest {
        request: CreateStateMachine {
            name: name.to_string(),
            definition: definition.to_string(),
            role_arn: role_arn.to_string(),
            machine_type: kind
                .and_then(MachineType::from_api_name)
                .unwrap_or(MachineType::Standard),
            logging,
            tracing: tracing.unwrap_or_else(|| shapes::tracing(&Value::Null)),
            encryption: encryption.unwrap_or_else(|| shapes::encryption(&Value::Null)),
            tags: tags.unwrap_or_default(),
        },
    })
}

pub(crate) async fn create(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let CreateRequest { request } = parse_create(body)?;
    if request.tags.len() > common::MAX_TAGS {
        let arn = engine.scope().state_machine(&request.name);
        return Err(EngineError::TooManyTags(arn).into());
    }
    let created = engine.create_state_machine(request).await?;
    Ok(Shape::new()
        .put("stateMachineArn", created.state_machine_arn)
        .put_date("creationDate", created.creation_date)
        .build())
}

/// The state machine ARN of `DescribeStateMachine` and `DeleteStateMachine`.
pub fn parse_state_machine_arn(body: &Map<String, Value>) -> Result<Target, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = input.string(&mut problems, "stateMachineArn", input::ARN.required())?;
    input.enumeration(&mut problems, "includedData", input::INCLUDED_DATA, false)?;
    problems.finish()?;
    checks::check_arn(arn.unwrap_or_default(), Expected::StateMachine)
}

pub(crate) async fn describe(
    engine: &Engine,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let target = parse_state_machine_arn(body)?;
    if !target.is_in(engine.scope()) {
        return Err(EngineError::StateMachineDoesNotExist(target.arn).into());
    }
    let description = engine.describe_state_machine(&target.arn).await?;
    Ok(shapes::state_machine(&description))
}

pub(crate) async fn delete(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let target = parse_state_machine_arn(body)?;
    if target.is_in(engine.scope()) {
        engine.delete_state_machine(&target.arn).await?;
    }
    Ok(Value::Object(Map::new()))
}

/// A checked `UpdateStateMachine` request.
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    pub target: Target,
    pub request: UpdateStateMachine,
}

pub fn parse_update(body: &Map<String, Value>) -> Result<UpdateRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let arn = input.string(&mut problems, "stateMachineArn", input::ARN.required())?;
    let definition = input.string(&mut problems, "definition", input::DEFINITION)?;
    let role_arn = input.string(&mut problems, "roleArn", input::ARN)?;
    let logging = common::logging(&input, &mut problems)?;
    let tracing = common::tracing(&input, &mut problems)?;
    let publish = input.boolean("publish")?;
    let description = input.string(
        &mut problems,
        "versionDescription",
        input::VERSION_DESCRIPTION,
    )?;
    let encryption = common::encryption(&input, &mut problems)?;
    problems.finish()?;

    let target = checks::check_arn(arn.unwrap_or_default(), Expected::StateMachine)?;
    let logging = match logging {
        Some(check) => match check.problem {
            Some(problem) => return Err(problem),
            None => Some(check.value),
        },
        None => None,
    };
    let request = UpdateStateMachine {
        state_machine_arn: target.arn.clone(),
        definition: definition.map(str::to_string),
        role_arn: role_arn.map(str::to_string),
        logging,
        tracing,
        encryption,
    };
    if request.changes_nothing() {
        return Err(EngineError::nothing_to_update().into());
    }
    common::no_publishing(publish, description)?;
    Ok(UpdateRequest { request, target })
}

pub(crate) async fn update(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let UpdateRequest { target, request } = parse_update(body)?;
    if !target.is_in(engine.scope()) {
        return Err(EngineError::StateMachineDoesNotExist(target.arn).into());
    }
    let updated = engine.update_state_machine(request).await?;
    Ok(Shape::new()
        .put_date("updateDate", updated.update_date)
        .put("revisionId", updated.revision_id)
        .build())
}

pub fn parse_list(body: &Map<String, Value>) -> Result<PageRequest, ApiError> {
    let input = Input::new(body);
    let mut problems = Problems::default();
    let page = common::page(&input, &mut problems, input::PAGE_TOKEN)?;
    problems.finish()?;
    Ok(page)
}

pub(crate) async fn list(engine: &Engine, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let page = engine.list_state_machines(parse_list(body)?).await?;
    Ok(Shape::new()
        .put(
            "stateMachines",
            Value::Array(page.items.iter().map(shapes::state_machine_item).collect()),
        )
        .put_opt("nextToken", page.next_token)
        .build())
}

//! A workflow's inputs from the command line (`--input`, any number of times) and,
//! like Redocly Respect, from the environment for the names a workflow declares under
//! `inputs.properties.env.properties`.

use serde_json::{Map, Value};
use weft_arazzo::document::{Components, parse_value};

/// How many `$ref`s are followed in a row before giving up (a schema may refer to
/// itself).
const MAX_REFS: usize = 32;

/// Merges the `--input` arguments in order; a later value for a name replaces an
/// earlier one. Each is a JSON object, `@FILE` (a JSON or YAML object), or
/// `NAME=VALUE` (VALUE as JSON when it parses, else the text itself).
pub fn from_arguments(
    arguments: &[String],
    read: &dyn Fn(&str) -> std::io::Result<String>,
) -> Result<Map<String, Value>, String> {
    let mut inputs = Map::new();
    for argument in arguments {
        let trimmed = argument.trim_start();
        let object = if let Some(path) = argument.strip_prefix('@') {
            let text = read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            let value = parse_value(&text).map_err(|e| format!("{path}: {e}"))?;
            object(value).ok_or_else(|| format!("{path} does not hold an object of inputs"))?
        } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
            let value: Value = serde_json::from_str(argument)
                .map_err(|e| format!("--input is not valid JSON: {e}"))?;
            object(value).ok_or_else(|| "--input JSON must be an object of inputs".to_string())?
        } else if let Some((name, value)) = argument.split_once('=') {
            if name.is_empty() {
                return Err(format!("--input '{argument}' has no name before '='"));
            }
            let value = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
            Map::from_iter([(name.to_string(), value)])
        } else {
            return Err(format!(
                "--input '{argument}' is neither a JSON object, @FILE nor NAME=VALUE"
            ));
        };
        inputs.extend(object);
    }
    Ok(inputs)
}

fn object(value: Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The names declared under `properties.env.properties` of a workflow's inputs schema
/// (following `$ref`s into the document's `components.inputs`).
pub fn env_names(schema: Option<&Value>, components: Option<&Components>) -> Vec<String> {
    let env = schema
        .and_then(|s| resolve(s, components))
        .and_then(|s| s.get("properties"))
        .and_then(|p| p.get("env"))
        .and_then(|e| resolve(e, components))
        .and_then(|e| e.get("properties"))
        .and_then(Value::as_object);
    env.map(|names| names.keys().cloned().collect())
        .unwrap_or_default()
}

/// Sets `inputs.env.<NAME>` from the environment for each name not given already, and
/// returns the values it took (they are masked in every report).
pub fn fill_env(
    inputs: &mut Map<String, Value>,
    names: &[String],
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let found: Vec<(String, String)> = names
        .iter()
        .filter_map(|name| env(name).map(|value| (name.clone(), value)))
        .collect();
    if found.is_empty() {
        return Vec::new();
    }
    let slot = inputs
        .entry("env")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(given) = slot else {
        // `env` was given as something else: what was given wins.
        return Vec::new();
    };
    let mut taken = Vec::new();
    for (name, value) in found {
        if !given.contains_key(&name) {
            given.insert(name, Value::from(value.clone()));
            taken.push(value);
        }
    }
    taken
}

/// Follows `$ref: '#/components/inputs/<name>'`; other schemas are returned as they are.
pub fn resolve<'a>(schema: &'a Value, components: Option<&'a Components>) -> Option<&'a Value> {
    let mut schema = schema;
    for _ in 0..MAX_REFS {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return Some(schema);
        };
        let Some(name) = reference.strip_prefix("#/components/inputs/") else {
            return Some(schema);
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        schema = components?.inputs.get(&name)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(arguments: &[&str]) -> Result<Value, String> {
        let arguments: Vec<String> = arguments.iter().map(|a| a.to_string()).collect();
        from_arguments(&arguments, &|path| match path {
            "in.yaml" => Ok("cluster: prod\nlimit: 3\n".into()),
            "list.json" => Ok("[1]".into()),
            _ => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
        })
        .map(Value::Object)
    }

    #[test]
    fn later_inputs_override_earlier_ones() {
        assert_eq!(
            parse(&[
                r#"{"cluster": "dev", "tags": ["a"]}"#,
                "@in.yaml",
                "limit=5",
                "reason=Stopped by hand",
                "flag=true",
                "empty=",
                "obj={\"a\":1}",
            ])
            .unwrap(),
            json!({"cluster": "prod", "tags": ["a"], "limit": 5, "reason": "Stopped by hand",
                   "flag": true, "empty": "", "obj": {"a": 1}})
        );
    }

    #[test]
    fn inputs_that_are_not_objects_are_refused() {
        assert!(parse(&["[1, 2]"]).unwrap_err().contains("object"));
        assert!(
            parse(&["{not json"])
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert!(parse(&["@list.json"]).unwrap_err().contains("object"));
        assert!(
            parse(&["@absent.json"])
                .unwrap_err()
                .contains("cannot read")
        );
        assert!(parse(&["=x"]).unwrap_err().contains("no name"));
        assert!(parse(&["plain"]).unwrap_err().contains("NAME=VALUE"));
    }

    #[test]
    fn declared_env_names_are_filled_from_the_environment_only() {
        let components: Components = serde_json::from_value(json!({
            "inputs": {"creds": {"type": "object", "properties": {
                "env": {"type": "object", "properties": {"API_TOKEN": {}, "REGION": {}, "UNSET": {}}}
            }}}
        }))
        .unwrap();
        let schema = json!({"$ref": "#/components/inputs/creds"});
        let names = env_names(Some(&schema), Some(&components));
        assert_eq!(names, ["API_TOKEN", "REGION", "UNSET"]);

        let mut inputs = Map::from_iter([("env".to_string(), json!({"REGION": "given"}))]);
        let taken = fill_env(&mut inputs, &names, &|name| match name {
            "API_TOKEN" => Some("t0k3n".into()),
            "REGION" => Some("from-env".into()),
            "PATH" => Some("/bin".into()),
            _ => None,
        });
        assert_eq!(taken, ["t0k3n"]);
        assert_eq!(
            Value::Object(inputs),
            json!({"env": {"REGION": "given", "API_TOKEN": "t0k3n"}})
        );
    }

    #[test]
    fn no_env_declaration_takes_nothing() {
        let schema = json!({"type": "object", "properties": {"token": {"type": "string"}}});
        assert!(env_names(Some(&schema), None).is_empty());
        assert!(env_names(None, None).is_empty());
        let mut inputs = Map::new();
        assert!(fill_env(&mut inputs, &[], &|_| Some("x".into())).is_empty());
        assert!(inputs.is_empty());
    }
}

use serde_json::json;

use super::*;

fn api(value: Value) -> OpenApi {
    OpenApi::from_value(&value).expect("a valid description")
}

#[test]
fn server_variables_take_their_defaults() {
    let api = api(json!({
        "openapi": "3.1.0",
        "servers": [
            {"url": "https://{svc}.{region}.example.com:{port}/v1",
             "variables": {"svc": {"default": "ecs"}, "region": {"default": "eu-west-1", "enum": ["eu-west-1"]},
                           "port": {"default": "8443"}}},
            {"url": "/api"}
        ]
    }));
    assert_eq!(
        api.servers,
        vec!["https://ecs.eu-west-1.example.com:8443/v1", "/api"]
    );
    assert!(api.operations.is_empty());
}

#[test]
fn every_method_of_every_path_is_an_operation() {
    let api = api(json!({
        "openapi": "3.2.0",
        "paths": {
            "/pets": {
                "get": {"operationId": "listPets"},
                "post": {"operationId": "addPet"},
                "query": {"operationId": "searchPets"},
                "summary": "not an operation",
                "additionalOperations": {"LINK": {"operationId": "linkPet"}}
            },
            "/pets/{id}": {"delete": {}}
        }
    }));
    let found: Vec<(&str, &str, Option<&str>)> = api
        .operations
        .iter()
        .map(|o| {
            (
                o.method.as_str(),
                o.path.as_str(),
                o.operation_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("GET", "/pets", Some("listPets")),
            ("POST", "/pets", Some("addPet")),
            ("QUERY", "/pets", Some("searchPets")),
            ("LINK", "/pets", Some("linkPet")),
            ("DELETE", "/pets/{id}", None),
        ]
    );
    assert_eq!(api.operation_by_id("addPet").unwrap().method, "POST");
    assert!(api.operation_by_id("nope").is_none());
}

#[test]
fn operation_parameters_override_path_parameters_and_refs_resolve() {
    let api = api(json!({
        "openapi": "3.0.3",
        "paths": {
            "/w/{workspace}/jobs/{id}": {
                "parameters": [
                    {"$ref": "#/components/parameters/WorkspaceId"},
                    {"name": "limit", "in": "query", "style": "form"}
                ],
                "get": {
                    "operationId": "getJob",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true},
                        {"name": "limit", "in": "query", "required": true, "explode": false},
                        {"$ref": "../../openflow.openapi.yaml#/components/parameters/X"},
                        {"$ref": "#/components/parameters/Missing"},
                        {"name": "Authorization", "in": "header"},
                        {"name": "X-Trace", "in": "header"},
                        {"name": "session", "in": "cookie"},
                        {"name": "q", "in": "querystring"}
                    ]
                }
            }
        },
        "components": {"parameters": {"WorkspaceId": {"name": "workspace", "in": "path", "required": true}}}
    }));
    let operation = api.operation_by_id("getJob").unwrap();
    let params: Vec<(&str, ParameterLocation, bool, &str, bool)> = operation
        .parameters
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.location,
                p.required,
                p.style.as_deref().unwrap(),
                p.explode.unwrap(),
            )
        })
        .collect();
    // OpenAPI Parameter Object: style defaults to form for query and cookie, simple for
    // path and header; explode defaults to true for form only; Authorization headers
    // are ignored; path parameters are required.
    assert_eq!(
        params,
        vec![
            ("workspace", ParameterLocation::Path, true, "simple", false),
            ("limit", ParameterLocation::Query, true, "form", false),
            ("id", ParameterLocation::Path, true, "simple", false),
            ("X-Trace", ParameterLocation::Header, false, "simple", false),
            ("session", ParameterLocation::Cookie, false, "form", true),
        ]
    );
}

#[test]
fn request_content_types_follow_a_ref_and_keep_document_order() {
    let api = api(json!({
        "openapi": "3.1.0",
        "paths": {
            "/a": {"post": {"operationId": "a", "requestBody": {"content": {
                "application/x-www-form-urlencoded": {}, "application/json": {}}}}},
            "/b": {"put": {"operationId": "b", "requestBody": {"$ref": "#/components/requestBodies/B"}}},
            "/c": {"put": {"operationId": "c", "requestBody": {"$ref": "other.yaml#/B"}}}
        },
        "components": {"requestBodies": {"B": {"content": {"text/plain": {}}}}}
    }));
    assert_eq!(
        api.operation_by_id("a").unwrap().request_content_types,
        vec!["application/x-www-form-urlencoded", "application/json"]
    );
    assert_eq!(
        api.operation_by_id("b").unwrap().request_content_types,
        vec!["text/plain"]
    );
    assert!(
        api.operation_by_id("c")
            .unwrap()
            .request_content_types
            .is_empty()
    );
}

#[test]
fn fragment_path_keys_request_the_path_before_the_fragment() {
    let api = api(json!({
        "openapi": "3.1.0",
        "paths": {"/#ListTasks": {"post": {"operationId": "listTasks"}}}
    }));
    let operation = api.operation_by_id("listTasks").unwrap();
    assert_eq!(operation.path_key, "/#ListTasks");
    assert_eq!(operation.path, "/");
}

#[test]
fn operations_by_pointer() {
    let api = api(json!({
        "openapi": "3.1.0",
        "paths": {
            "/pets/{id}": {"get": {"operationId": "getPet"}},
            "/#ListTasks": {"post": {"operationId": "listTasks"}},
            "/a~b": {"get": {"operationId": "tilde"}},
            "/x": {"additionalOperations": {"LINK": {"operationId": "link"}}}
        }
    }));
    let id = |p: &str| {
        api.operation_by_pointer(p)
            .and_then(|o| o.operation_id.as_deref())
    };
    assert_eq!(id("/paths/~1pets~1{id}/get"), Some("getPet"));
    assert_eq!(id("/paths/~1#ListTasks/post"), Some("listTasks"));
    assert_eq!(id("/paths/~1a~0b/get"), Some("tilde"));
    assert_eq!(id("/paths/~1x/additionalOperations/LINK"), Some("link"));
    assert_eq!(id("/paths/~1pets~1{id}/post"), None);
    assert_eq!(id("/paths/~1pets~1{id}/GET"), None);
    assert_eq!(id("/paths/~1pets~1{id}"), None);
    assert_eq!(id("paths/~1pets~1{id}/get"), None);
    assert_eq!(id("/paths/~1pets~2{id}/get"), None);
}

#[test]
fn path_items_may_be_references() {
    let api = api(json!({
        "openapi": "3.1.0",
        "paths": {"/pets": {"$ref": "#/components/pathItems/Pets"}, "/ext": {"$ref": "ext.yaml#/x"}},
        "components": {"pathItems": {"Pets": {"get": {"operationId": "listPets"}}}}
    }));
    assert_eq!(api.operation_by_id("listPets").unwrap().path, "/pets");
    assert_eq!(api.operations.len(), 1);
}

#[test]
fn reference_cycles_end() {
    let api = api(json!({
        "openapi": "3.1.0",
        "paths": {"/a": {"get": {"operationId": "a", "parameters": [{"$ref": "#/components/parameters/P"}]}}},
        "components": {"parameters": {"P": {"$ref": "#/components/parameters/Q"}, "Q": {"$ref": "#/components/parameters/P"}}}
    }));
    assert!(api.operation_by_id("a").unwrap().parameters.is_empty());
}

#[test]
fn operation_servers_override_path_servers() {
    let api = api(json!({
        "openapi": "3.1.0",
        "servers": [{"url": "https://doc.example.com"}],
        "paths": {"/a": {
            "servers": [{"url": "https://path.example.com"}],
            "get": {"operationId": "a", "servers": [{"url": "https://op.example.com"}]},
            "put": {"operationId": "b"}
        }, "/c": {"get": {"operationId": "c"}}}
    }));
    assert_eq!(
        api.operation_by_id("a").unwrap().servers,
        vec!["https://op.example.com"]
    );
    assert_eq!(
        api.operation_by_id("b").unwrap().servers,
        vec!["https://path.example.com"]
    );
    assert!(api.operation_by_id("c").unwrap().servers.is_empty());
}

fn signing_of(value: Value, operation_id: &str) -> Option<AwsSigning> {
    api(value)
        .operation_by_id(operation_id)
        .unwrap()
        .aws_signing
        .clone()
}

fn aws(service: &str, region: &str) -> Option<AwsSigning> {
    Some(AwsSigning {
        service: service.into(),
        region: region.into(),
    })
}

#[test]
fn sigv4_from_the_scheme_description_and_the_host() {
    let description = json!({
        "openapi": "3.1.0",
        "servers": [{"url": "https://ecs.{region}.amazonaws.com", "variables": {"region": {"default": "us-east-1"}}}],
        "security": [{"aws_signature_v4": []}],
        "paths": {"/#ListTasks": {"post": {"operationId": "listTasks"}}},
        "components": {"securitySchemes": {"aws_signature_v4": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "AWS Signature Version 4 authentication."}}}
    });
    assert_eq!(
        signing_of(description, "listTasks"),
        aws("ecs", "us-east-1")
    );
}

#[test]
fn sigv4_from_api_gateway_authtype_with_a_regional_host() {
    let description = json!({
        "openapi": "3.0.1",
        "servers": [{"url": "https://a1b2.execute-api.eu-west-1.amazonaws.com/prod"}],
        "paths": {"/items": {"get": {"operationId": "items", "security": [{"iam": []}]}}},
        "components": {"securitySchemes": {"iam": {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "x-amazon-apigateway-authtype": "awsSigv4"}}}
    });
    assert_eq!(
        signing_of(description, "items"),
        aws("execute-api", "eu-west-1")
    );
}

#[test]
fn sigv4_scheme_with_a_non_aws_host_uses_extensions_or_the_first_label() {
    let mut description = json!({
        "openapi": "3.1.0",
        "servers": [{"url": "http://localhost:4566"}],
        "security": [{"sigv4": []}],
        "paths": {"/": {"post": {"operationId": "op"}}},
        "components": {"securitySchemes": {"sigv4": {"type": "apiKey", "in": "header", "name": "Authorization"}}}
    });
    assert_eq!(
        signing_of(description.clone(), "op"),
        aws("localhost", "us-east-1")
    );
    description["components"]["securitySchemes"]["sigv4"]["x-amz-service"] = json!("states");
    description["components"]["securitySchemes"]["sigv4"]["x-amz-region"] = json!("eu-north-1");
    assert_eq!(signing_of(description, "op"), aws("states", "eu-north-1"));
}

#[test]
fn no_sigv4_for_other_schemes_or_an_empty_operation_security() {
    let description = json!({
        "openapi": "3.0.3",
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"bearerAuth": []}, {"sigv4": []}],
        "paths": {"/a": {"get": {"operationId": "a", "security": []},
                         "put": {"operationId": "b", "security": [{"bearerAuth": []}]},
                         "post": {"operationId": "c"}}},
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "sigv4": {"type": "apiKey", "in": "header", "name": "Authorization"}}}
    });
    assert_eq!(signing_of(description.clone(), "a"), None);
    assert_eq!(signing_of(description.clone(), "b"), None);
    // One alternative of the document's requirement is SigV4.
    assert_eq!(signing_of(description, "c"), aws("api", "us-east-1"));
}

#[test]
fn an_aws_host_alone_calls_for_signing() {
    let description = json!({
        "openapi": "3.0.0",
        "servers": [{"url": "https://sts.amazonaws.com"}],
        "paths": {"/": {"post": {"operationId": "assume"}}}
    });
    assert_eq!(signing_of(description, "assume"), aws("sts", "us-east-1"));
}

#[test]
fn what_is_not_openapi_3_is_an_error() {
    for value in [
        json!([]),
        json!({"swagger": "2.0", "paths": {}}),
        json!({"openapi": "4.0.0"}),
        json!({"openapi": 3.1}),
        json!({"info": {}}),
    ] {
        assert!(OpenApi::from_value(&value).is_err(), "{value}");
    }
}

#[test]
fn the_fargate_description_has_its_four_operations() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/arazzo/openapi/amazon-fargate-openapi.yml"
    ))
    .unwrap();
    let api = api(crate::document::parse_value(&text).unwrap());
    assert_eq!(api.version, "3.1.0");
    assert_eq!(api.servers, vec!["https://ecs.us-east-1.amazonaws.com"]);
    for id in ["runTask", "stopTask", "describeTasks", "listTasks"] {
        let operation = api.operation_by_id(id).unwrap();
        assert_eq!(
            (operation.method.as_str(), operation.path.as_str()),
            ("POST", "/")
        );
        assert_eq!(
            operation.request_content_types,
            vec!["application/x-amz-json-1.1"]
        );
        assert_eq!(operation.aws_signing, aws("ecs", "us-east-1"));
    }
}

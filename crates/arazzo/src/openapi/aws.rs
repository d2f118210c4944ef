//! Whether an operation's requests are signed with AWS Signature Version 4, and the
//! credential scope (service, region) to sign them with.

use serde_json::{Map, Value};

use crate::exchange::AwsSigning;

/// When neither the host nor the description names a region. AWS global endpoints
/// (`iam.amazonaws.com`, `sts.amazonaws.com`) sign with us-east-1.
const DEFAULT_REGION: &str = "us-east-1";

/// Extensions that name the signing service on a security scheme or in `info`.
const SERVICE_EXTENSIONS: [&str; 6] = [
    "x-amz-service",
    "x-aws-service",
    "x-amz-signing-name",
    "x-aws-signing-name",
    "x-aws-signingName",
    "x-serviceName",
];
const REGION_EXTENSIONS: [&str; 2] = ["x-amz-region", "x-aws-region"];

/// The signing scope of an operation whose effective security requirement (its own
/// `security`, else the document's) names a SigV4 scheme, or whose server is an AWS
/// host. `None` otherwise, or when no service can be told.
pub(super) fn signing(
    root: &Value,
    operation_security: Option<&Value>,
    server: Option<&str>,
) -> Option<AwsSigning> {
    let security = operation_security.or_else(|| root.get("security"));
    let scheme = sigv4_scheme(root, security);
    let host = server.and_then(host_of);
    let aws_host = host.as_deref().is_some_and(is_aws_host);
    if scheme.is_none() && !aws_host {
        return None;
    }
    let info = root.get("info").and_then(Value::as_object);
    let from_extensions = |names: &[&str]| {
        [scheme, info].into_iter().flatten().find_map(|object| {
            names
                .iter()
                .find_map(|n| object.get(*n).and_then(Value::as_str))
                .map(str::to_string)
        })
    };
    let (host_service, host_region) = host.as_deref().map(scope_of_host).unwrap_or_default();
    let service = from_extensions(&SERVICE_EXTENSIONS).or(host_service)?;
    let region = from_extensions(&REGION_EXTENSIONS)
        .or(host_region)
        .unwrap_or_else(|| DEFAULT_REGION.to_string());
    Some(AwsSigning { service, region })
}

/// The first security scheme named by any requirement that is AWS SigV4.
fn sigv4_scheme<'a>(
    root: &'a Value,
    security: Option<&'a Value>,
) -> Option<&'a Map<String, Value>> {
    let schemes = root.pointer("/components/securitySchemes")?.as_object()?;
    security?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys())
        .find_map(|name| {
            let scheme = schemes.get(name)?.as_object()?;
            is_sigv4(name, scheme).then_some(scheme)
        })
}

/// OpenAPI has no SigV4 scheme type; descriptions model it as an `apiKey` in the
/// `Authorization` header and say what it is in the name, the description, or API
/// Gateway's `x-amazon-apigateway-authtype: awsSigv4`.
fn is_sigv4(name: &str, scheme: &Map<String, Value>) -> bool {
    let says_sigv4 = |text: &str| {
        let text = text.to_ascii_lowercase();
        [
            "sigv4",
            "signature_v4",
            "signaturev4",
            "signature version 4",
            "aws4-hmac-sha256",
        ]
        .iter()
        .any(|needle| text.contains(needle))
    };
    let field = |key: &str| scheme.get(key).and_then(Value::as_str);
    says_sigv4(name)
        || field("description").is_some_and(says_sigv4)
        || field("x-amazon-apigateway-authtype").is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4"))
        || field("scheme").is_some_and(says_sigv4)
}

fn host_of(server: &str) -> Option<String> {
    let url = url::Url::parse(server).ok()?;
    url.host_str().map(str::to_ascii_lowercase)
}

fn is_aws_host(host: &str) -> bool {
    host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
}

/// `<service>.<region>.amazonaws.com` (also `<id>.execute-api.<region>.amazonaws.com`,
/// `<service>.amazonaws.com`); any other host gives its first label as the service.
fn scope_of_host(host: &str) -> (Option<String>, Option<String>) {
    let stem = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"));
    let Some(stem) = stem else {
        let first = host.split('.').next().filter(|l| !l.is_empty());
        return (first.map(str::to_string), None);
    };
    let labels: Vec<&str> = stem.split('.').collect();
    match labels.as_slice() {
        [.., service, region] if is_region(region) => {
            (Some(service.to_string()), Some(region.to_string()))
        }
        [.., service] => (Some(service.to_string()), None),
        [] => (None, None),
    }
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`.
fn is_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_comes_from_regional_and_global_hosts() {
        // AWS General Reference, service endpoints: <service>.<region>.amazonaws.com;
        // API Gateway: <api-id>.execute-api.<region>.amazonaws.com; IAM is global.
        assert_eq!(
            scope_of_host("ecs.eu-west-3.amazonaws.com"),
            (Some("ecs".into()), Some("eu-west-3".into()))
        );
        assert_eq!(
            scope_of_host("abc123.execute-api.us-west-2.amazonaws.com"),
            (Some("execute-api".into()), Some("us-west-2".into()))
        );
        assert_eq!(
            scope_of_host("iam.amazonaws.com"),
            (Some("iam".into()), None)
        );
        assert_eq!(
            scope_of_host("ecs.cn-north-1.amazonaws.com.cn"),
            (Some("ecs".into()), Some("cn-north-1".into()))
        );
        assert_eq!(scope_of_host("api.example.com"), (Some("api".into()), None));
    }

    #[test]
    fn regions() {
        assert!(is_region("us-east-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("execute-api"));
        assert!(!is_region("s3"));
    }
}

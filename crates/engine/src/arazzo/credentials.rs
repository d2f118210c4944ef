//! AWS credentials from the standard places, in the order the AWS SDKs and CLI look:
//! the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`),
//! then the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
//! `~/.aws/credentials`), profile `AWS_PROFILE` or `default`.

use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

// The secret and the token never reach a log through `{:?}`.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"********")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "********"),
            )
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a [{profile}] profile to {file}"
    )]
    Missing { profile: String, file: String },
    #[error("the [{profile}] profile of {file} has no {field}")]
    Incomplete {
        profile: String,
        file: String,
        field: &'static str,
    },
    #[error("cannot read {file}: {message}")]
    Unreadable { file: String, message: String },
}

impl Credentials {
    /// Looks up credentials in this process's environment and the shared file.
    pub fn from_environment() -> Result<Credentials, CredentialsError> {
        Credentials::lookup(&|name| std::env::var(name).ok(), &|path| {
            std::fs::read_to_string(path)
        })
    }

    /// The lookup itself, with the environment and the file system passed in.
    pub fn lookup(
        env: &dyn Fn(&str) -> Option<String>,
        read: &dyn Fn(&PathBuf) -> std::io::Result<String>,
    ) -> Result<Credentials, CredentialsError> {
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        if let (Some(access_key_id), Some(secret_access_key)) =
            (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
        {
            return Ok(Credentials {
                access_key_id,
                secret_access_key,
                session_token: var("AWS_SESSION_TOKEN"),
            });
        }
        let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let file = match var("AWS_SHARED_CREDENTIALS_FILE") {
            Some(path) => PathBuf::from(expand_home(&path, &var)),
            None => {
                let home = var("HOME").or_else(|| var("USERPROFILE"));
                match home {
                    Some(home) => PathBuf::from(home).join(".aws").join("credentials"),
                    None => {
                        return Err(CredentialsError::Missing {
                            profile,
                            file: "~/.aws/credentials".into(),
                        });
                    }
                }
            }
        };
        let shown = file.display().to_string();
        let text = match read(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CredentialsError::Missing {
                    profile,
                    file: shown,
                });
            }
            Err(e) => {
                return Err(CredentialsError::Unreadable {
                    file: shown,
                    message: e.to_string(),
                });
            }
        };
        let Some(fields) = profile_fields(&text, &profile) else {
            return Err(CredentialsError::Missing {
                profile,
                file: shown,
            });
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let incomplete = |field: &'static str| CredentialsError::Incomplete {
            profile: profile.clone(),
            file: shown.clone(),
            field,
        };
        Ok(Credentials {
            access_key_id: field("aws_access_key_id")
                .ok_or_else(|| incomplete("aws_access_key_id"))?,
            secret_access_key: field("aws_secret_access_key")
                .ok_or_else(|| incomplete("aws_secret_access_key"))?,
            // `aws_security_token` is the older name the SDKs still read.
            session_token: field("aws_session_token").or_else(|| field("aws_security_token")),
        })
    }
}

fn expand_home(path: &str, var: &dyn Fn(&str) -> Option<String>) -> String {
    match (path.strip_prefix("~/"), var("HOME")) {
        (Some(rest), Some(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

/// The `key = value` lines of section `[profile]` of an INI-style credentials file
/// (keys lower-cased; `#` and `;` start comment lines). `None` when there is no such
/// section.
fn profile_fields(text: &str, profile: &str) -> Option<Vec<(String, String)>> {
    let mut found = false;
    let mut in_profile = false;
    let mut fields = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_profile = section.trim() == profile;
            found |= in_profile;
            continue;
        }
        if in_profile && let Some((key, value)) = line.split_once('=') {
            fields.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    found.then_some(fields)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(
        env: &[(&str, &str)],
        files: &[(&str, &str)],
    ) -> Result<Credentials, CredentialsError> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let files: HashMap<PathBuf, String> = files
            .iter()
            .map(|(k, v)| (PathBuf::from(k), v.to_string()))
            .collect();
        Credentials::lookup(&|name| env.get(name).cloned(), &|path| {
            files
                .get(path)
                .cloned()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        })
    }

    const FILE: &str = "# keys\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key=secretdefault\n\n[ci]\nAWS_ACCESS_KEY_ID = AKIDCI\naws_secret_access_key = secretci\naws_session_token = tokenci\n[broken]\naws_access_key_id = AKIDBROKEN\n";

    #[test]
    fn the_environment_comes_first() {
        let creds = lookup(
            &[
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
                ("AWS_SECRET_ACCESS_KEY", "secretenv"),
                ("AWS_SESSION_TOKEN", "tokenenv"),
                ("HOME", "/home/u"),
            ],
            &[("/home/u/.aws/credentials", FILE)],
        )
        .unwrap();
        assert_eq!(creds.access_key_id, "AKIDENV");
        assert_eq!(creds.secret_access_key, "secretenv");
        assert_eq!(creds.session_token.as_deref(), Some("tokenenv"));
    }

    #[test]
    fn the_shared_file_default_profile() {
        let creds = lookup(
            &[("HOME", "/home/u")],
            &[("/home/u/.aws/credentials", FILE)],
        )
        .unwrap();
        assert_eq!(creds.access_key_id, "AKIDDEFAULT");
        assert_eq!(creds.secret_access_key, "secretdefault");
        assert_eq!(creds.session_token, None);
    }

    #[test]
    fn a_named_profile_from_a_file_named_in_the_environment() {
        let creds = lookup(
            &[
                ("AWS_PROFILE", "ci"),
                ("AWS_SHARED_CREDENTIALS_FILE", "/etc/creds"),
                // Only one of the two keys in the environment: the file is used.
                ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ],
            &[("/etc/creds", FILE)],
        )
        .unwrap();
        assert_eq!(creds.access_key_id, "AKIDCI");
        assert_eq!(creds.session_token.as_deref(), Some("tokenci"));
    }

    #[test]
    fn missing_and_incomplete_profiles_are_errors() {
        let err = lookup(&[("HOME", "/home/u")], &[]).unwrap_err();
        assert!(matches!(err, CredentialsError::Missing { .. }), "{err}");
        assert!(err.to_string().contains("AWS_ACCESS_KEY_ID"), "{err}");
        let err = lookup(
            &[("HOME", "/home/u"), ("AWS_PROFILE", "other")],
            &[("/home/u/.aws/credentials", FILE)],
        )
        .unwrap_err();
        assert!(err.to_string().contains("[other]"), "{err}");
        let err = lookup(
            &[("HOME", "/home/u"), ("AWS_PROFILE", "broken")],
            &[("/home/u/.aws/credentials", FILE)],
        )
        .unwrap_err();
        assert_eq!(
            err,
            CredentialsError::Incomplete {
                profile: "broken".into(),
                file: "/home/u/.aws/credentials".into(),
                field: "aws_secret_access_key"
            }
        );
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let creds = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "s3cr3t".into(),
            session_token: Some("t0k3n".into()),
        };
        let shown = format!("{creds:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("t0k3n"),
            "{shown}"
        );
    }
}

//! S3 credentials, apart from the client that uses them.
//!
//! Credentials, first match wins (per field for the first two, as node-pre-gyp's
//! `rc("node_pre_gyp")` merged them):
//! 1. `node_pre_gyp_accessKeyId` / `node_pre_gyp_secretAccessKey` environment variables;
//! 2. `~/.node_pre_gyprc` (JSON `{"accessKeyId": "...", "secretAccessKey": "..."}`, or
//!    `key = value` lines as rc's ini format allows);
//! 3. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`);
//! 4. the rest of the AWS default chain (profiles, web identity, ECS, EC2 metadata).
//!
//! Sources 1-3 are read from the `Options.env` snapshot. aws-config only lets tests
//! inject an environment, so source 4 reads the process environment (which is the
//! snapshot's origin in the CLI and the API). Secrets never appear in messages: errors
//! name the source and at most the first characters of the access key id.

use crate::config::options::Env;
use crate::error::cause_text;
use crate::error::{Error, Result};
use aws_config::provider_config::ProviderConfig;
use aws_sdk_s3::config::{
    Credentials, ProvideCredentials, Region, SharedCredentialsProvider, SharedHttpClient,
};
use std::path::Path;

/// Credentials found in an explicit source (not the AWS default chain).
#[derive(Clone, PartialEq, Eq)]
pub struct FoundCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, for temporary credentials.
    pub session_token: Option<String>,
    /// Where they came from, for messages (never the secret).
    pub source: String,
}

impl std::fmt::Debug for FoundCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoundCredentials")
            .field("access_key_id", &mask(&self.access_key_id))
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// An access key id as `aws configure list` shows it: only the last 4 characters.
fn mask(key_id: &str) -> String {
    let chars: Vec<char> = key_id.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// Reads `~/.node_pre_gyprc`: JSON, else `key = value` lines (rc's ini form).
fn read_rc(path: &Path) -> Option<(Option<String>, Option<String>, Option<String>)> {
    let text = std::fs::read_to_string(path).ok()?;
    let get = |k: &str| -> Option<String> {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(&text) {
            return m
                .get(k)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .filter(|s| !s.is_empty());
        }
        text.lines().find_map(|line| {
            let line = line.trim();
            if line.starts_with([';', '#', '[']) {
                return None;
            }
            let (key, value) = line.split_once('=')?;
            (key.trim() == k)
                .then(|| value.trim().trim_matches('"').to_string())
                .filter(|s| !s.is_empty())
        })
    };
    if serde_json::from_str::<serde_json::Value>(&text).is_err() && !text.contains('=') {
        crate::log::warn(format!(
            "{} is neither JSON nor key = value lines; ignoring it",
            path.display()
        ));
        return None;
    }
    Some((
        get("accessKeyId"),
        get("secretAccessKey"),
        get("sessionToken"),
    ))
}

/// Credentials from node-pre-gyp's sources and the `AWS_*` variables, in precedence
/// order (see the module docs); `Ok(None)` leaves the choice to the AWS default chain.
pub fn explicit(env: &Env) -> Result<Option<FoundCredentials>> {
    let rc_path = env.home().map(|h| Path::new(h).join(".node_pre_gyprc"));
    let rc = rc_path.as_deref().and_then(read_rc);
    let rc_label = "~/.node_pre_gyprc";
    let pick = |env_key: &str, rc_value: Option<String>| -> Option<(String, String)> {
        env.non_empty(env_key)
            .map(|v| (v.to_string(), env_key.to_string()))
            .or_else(|| rc_value.map(|v| (v, rc_label.to_string())))
    };
    let (rc_id, rc_secret, rc_token) = rc.unwrap_or((None, None, None));
    let id = pick("node_pre_gyp_accessKeyId", rc_id);
    let secret = pick("node_pre_gyp_secretAccessKey", rc_secret);
    match (id, secret) {
        (Some((id, id_src)), Some((secret, secret_src))) => {
            let source = if id_src == secret_src {
                id_src
            } else if id_src.starts_with("node_pre_gyp_") && secret_src.starts_with("node_pre_gyp_") {
                format!("{id_src}/{secret_src}")
            } else {
                format!("{id_src} + {secret_src}")
            };
            let session_token = env
                .non_empty("node_pre_gyp_sessionToken")
                .map(String::from)
                .or(rc_token);
            return Ok(Some(FoundCredentials {
                access_key_id: id,
                secret_access_key: secret,
                session_token,
                source,
            }));
        }
        (Some((_, src)), None) => {
            return Err(Error::S3Credentials(format!(
                "S3 credentials are incomplete: {src} provides accessKeyId but no secretAccessKey was found (set node_pre_gyp_secretAccessKey or add secretAccessKey to ~/.node_pre_gyprc)"
            )))
        }
        (None, Some((_, src))) => {
            return Err(Error::S3Credentials(format!(
                "S3 credentials are incomplete: {src} provides secretAccessKey but no accessKeyId was found (set node_pre_gyp_accessKeyId or add accessKeyId to ~/.node_pre_gyprc)"
            )))
        }
        (None, None) => {}
    }
    match (
        env.non_empty("AWS_ACCESS_KEY_ID"),
        env.non_empty("AWS_SECRET_ACCESS_KEY"),
    ) {
        (Some(id), Some(secret)) => Ok(Some(FoundCredentials {
            access_key_id: id.to_string(),
            secret_access_key: secret.to_string(),
            session_token: env.non_empty("AWS_SESSION_TOKEN").map(String::from),
            source: "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY".into(),
        })),
        _ => Ok(None),
    }
}

const HOW_TO_SET: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or node_pre_gyp_accessKeyId and node_pre_gyp_secretAccessKey), create ~/.node_pre_gyprc with {\"accessKeyId\": \"...\", \"secretAccessKey\": \"...\"}, or configure an AWS profile";

/// The credentials provider for a client, and where its credentials come from (for
/// messages: the source and the first characters of the access key id, never a secret).
pub async fn provider(
    env: &Env,
    region: Region,
    http: SharedHttpClient,
) -> Result<(SharedCredentialsProvider, String)> {
    let found = match explicit(env)? {
        Some(c) => {
            let source = format!("{} ({})", c.source, mask(&c.access_key_id));
            let creds = Credentials::new(
                c.access_key_id,
                c.secret_access_key,
                c.session_token,
                None,
                "pregyp",
            );
            (SharedCredentialsProvider::new(creds), source)
        }
        None => {
            let chain =
                aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
                    .configure(ProviderConfig::without_region().with_http_client(http))
                    .region(region)
                    .build()
                    .await;
            match chain.provide_credentials().await {
                Ok(c) => {
                    let source = format!("the AWS default chain ({})", mask(c.access_key_id()));
                    (SharedCredentialsProvider::new(chain), source)
                }
                Err(
                    aws_credential_types::provider::error::CredentialsError::CredentialsNotLoaded(
                        _,
                    ),
                ) => {
                    return Err(Error::S3Credentials(format!(
                        "AWS credentials not found: {HOW_TO_SET}"
                    )))
                }
                Err(e) => {
                    return Err(Error::S3Credentials(format!(
                        "AWS credentials could not be loaded ({}): {HOW_TO_SET}",
                        cause_text(&e)
                    )))
                }
            }
        }
    };
    Ok(found)
}

/// Whether any credential source other than instance metadata is configured.
pub fn configured(env: &Env) -> Result<bool> {
    if explicit(env)?.is_some() {
        return Ok(true);
    }
    let set = |k: &str| env.non_empty(k).is_some();
    let aws_files = env.home().is_some_and(|h| {
        let aws = Path::new(h).join(".aws");
        aws.join("credentials").is_file() || aws.join("config").is_file()
    });
    Ok(set("AWS_ACCESS_KEY_ID")
        || set("AWS_PROFILE")
        || set("AWS_WEB_IDENTITY_TOKEN_FILE")
        || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || set("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        || ["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"]
            .iter()
            .any(|k| env.non_empty(k).is_some_and(|f| Path::new(f).is_file()))
        || aws_files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::env;

    #[test]
    fn masks_key_ids() {
        assert_eq!(mask("AKIARZPUZDIKJDB3T6GU"), "****T6GU");
        assert_eq!(mask("ab"), "****ab");
    }

    #[test]
    fn precedence_env_then_rc_then_aws() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap();
        let aws = [
            ("AWS_ACCESS_KEY_ID", "AKIAAWS"),
            ("AWS_SECRET_ACCESS_KEY", "awssecret"),
            ("HOME", h),
        ];
        // Only AWS_*.
        let c = explicit(&env(&aws)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAAWS", "awssecret")
        );
        assert_eq!(c.source, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
        // The rc file beats AWS_*.
        std::fs::write(
            home.path().join(".node_pre_gyprc"),
            r#"{"accessKeyId":"AKIARC","secretAccessKey":"rcsecret"}"#,
        )
        .unwrap();
        let c = explicit(&env(&aws)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIARC", "rcsecret")
        );
        assert_eq!(c.source, "~/.node_pre_gyprc");
        // node_pre_gyp_* beat the rc file, field by field.
        let mut more = aws.to_vec();
        more.push(("node_pre_gyp_accessKeyId", "AKIAENV"));
        let c = explicit(&env(&more)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAENV", "rcsecret")
        );
        assert_eq!(c.source, "node_pre_gyp_accessKeyId + ~/.node_pre_gyprc");
        more.push(("node_pre_gyp_secretAccessKey", "envsecret"));
        let c = explicit(&env(&more)).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAENV", "envsecret")
        );
        // Secrets never show in Debug output.
        assert!(!format!("{c:?}").contains("envsecret"));
        assert!(!format!("{c:?}").contains("AKIAENV"));
    }

    #[test]
    fn rc_ini_form_incomplete_and_none() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path().to_str().unwrap();
        assert!(explicit(&env(&[("HOME", h)])).unwrap().is_none());
        std::fs::write(
            home.path().join(".node_pre_gyprc"),
            "; comment\naccessKeyId = AKIAINI\nsecretAccessKey=\"inisecret\"\n",
        )
        .unwrap();
        let c = explicit(&env(&[("HOME", h)])).unwrap().unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("AKIAINI", "inisecret")
        );
        std::fs::write(
            home.path().join(".node_pre_gyprc"),
            r#"{"accessKeyId":"AKIAONLY"}"#,
        )
        .unwrap();
        let e = explicit(&env(&[("HOME", h)])).unwrap_err();
        assert_eq!(e.code(), "E_S3_CREDENTIALS");
        assert!(e.to_string().contains("no secretAccessKey"), "{e}");
        assert!(!e.to_string().contains("AKIAONLY"));
        // Half of an AWS pair is left to the default chain.
        assert!(explicit(&env(&[("AWS_ACCESS_KEY_ID", "x")]))
            .unwrap()
            .is_none());
    }
}

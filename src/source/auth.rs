//! Authenticating the feed: HTTP Basic, a bearer token, or an OAuth2 password login,
//! with secrets read on a blocking thread and never shown.

use std::time::Duration;

use reqwest::{Client, RequestBuilder, StatusCode, Url};

use super::body::read_body;
use super::fetch_error::{send_error, url_error_text, FetchError};
use super::secret::{Secret, SecretSource};

/// The largest reply accepted from an OAuth token endpoint.
const TOKEN_MAX_BYTES: u64 = 1024 * 1024;

/// How the feed is authenticated. In the config it is the `[feed.auth]` table, whose
/// `kind` (`none`, `basic`, `bearer`, `oauth_password`) picks the fields that must be there.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum Auth {
    None,
    Basic {
        username: String,
        password: SecretSource,
    },
    Bearer {
        token: SecretSource,
    },
    /// OAuth2 username-password flow: POST token_url (form: grant_type=password, client_id,
    /// client_secret, username, password) → access_token (+ instance_url, used only when the
    /// report URL is relative); then Authorization: Bearer.
    #[serde(rename = "oauth_password")]
    OAuthPassword {
        token_url: String,
        client_id: String,
        client_secret: SecretSource,
        username: String,
        password: SecretSource,
    },
}

impl Auth {
    /// Whether getting the credentials again may give other ones.
    pub(super) fn may_refresh(&self) -> bool {
        match self {
            Auth::None => false,
            Auth::Basic { password, .. } => password.may_change(),
            Auth::Bearer { token } => token.may_change(),
            Auth::OAuthPassword { .. } => true,
        }
    }

    /// Reads the secrets and, for OAuth, logs in.
    pub(super) async fn log_in(
        &self,
        client: &Client,
        timeout: Duration,
    ) -> Result<Credentials, FetchError> {
        match self {
            Auth::None => Ok(Credentials::None),
            Auth::Basic { username, password } => Ok(Credentials::Basic {
                username: username.clone(),
                password: resolve(password).await?,
            }),
            Auth::Bearer { token } => Ok(Credentials::Bearer(resolve(token).await?)),
            Auth::OAuthPassword {
                token_url,
                client_id,
                client_secret,
                username,
                password,
            } => {
                let client_secret = resolve(client_secret).await?;
                let password = resolve(password).await?;
                let form = [
                    ("grant_type", "password"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", client_secret.expose()),
                    ("username", username.as_str()),
                    ("password", password.expose()),
                ];
                request_token(client, token_url, &form, timeout).await
            }
        }
    }
}

/// Credentials resolved from their sources, kept until the server refuses them.
pub(super) enum Credentials {
    None,
    Basic {
        username: String,
        password: Secret,
    },
    Bearer(Secret),
    OAuth {
        token: Secret,
        instance_url: Option<Url>,
    },
}

impl Credentials {
    /// The request with its Authorization header, if any.
    pub(super) fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            Credentials::None => request,
            Credentials::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            Credentials::Bearer(token) | Credentials::OAuth { token, .. } => {
                request.bearer_auth(token.expose())
            }
        }
    }

    /// The host an OAuth login named, to complete a report URL that is only a path.
    pub(super) fn instance_url(&self) -> Option<&Url> {
        match self {
            Credentials::OAuth { instance_url, .. } => instance_url.as_ref(),
            _ => None,
        }
    }
}

/// Reads a secret on a blocking thread (a file, or a command that may take seconds).
async fn resolve(source: &SecretSource) -> Result<Secret, FetchError> {
    let source = source.clone();
    match tokio::task::spawn_blocking(move || source.resolve()).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(FetchError::Other {
            detail: "パスワードの取得が中断されました".to_string(),
        }),
    }
}

/// POSTs the login form to the token endpoint and reads the access token.
async fn request_token(
    client: &Client,
    token_url: &str,
    form: &[(&str, &str)],
    timeout: Duration,
) -> Result<Credentials, FetchError> {
    let token_url = Url::parse(token_url.trim()).map_err(|err| FetchError::InvalidUrl {
        reason: url_error_text(err),
    })?;
    let mut response = client
        .post(token_url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .form(form)
        .send()
        .await
        .map_err(|err| send_error(err, &token_url, timeout))?;
    let status = response.status();
    if status == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
        return Err(FetchError::ProxyAuth);
    }
    let body = read_body(&mut response, TOKEN_MAX_BYTES, timeout).await;
    if !status.is_success() {
        return Err(FetchError::Login {
            status: status.as_u16(),
            code: body.ok().and_then(|body| login_error_code(&body)),
        });
    }
    parse_token_reply(&body?)
}

/// The reply of a token endpoint.
#[derive(serde::Deserialize)]
struct TokenReply {
    access_token: Option<String>,
    instance_url: Option<String>,
}

fn parse_token_reply(body: &[u8]) -> Result<Credentials, FetchError> {
    let reply: TokenReply = serde_json::from_slice(body).map_err(|_| FetchError::LoginReply {
        reason: "JSON ではありません".to_string(),
    })?;
    let token = match reply.access_token {
        Some(token) if !token.is_empty() => Secret::new(token),
        _ => {
            return Err(FetchError::LoginReply {
                reason: "access_token がありません".to_string(),
            })
        }
    };
    let instance_url = reply
        .instance_url
        .as_deref()
        .and_then(|text| Url::parse(text.trim()).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"));
    Ok(Credentials::OAuth {
        token,
        instance_url,
    })
}

/// OAuth error codes (RFC 6749 and the platform's own) that may be shown, with a hint.
const LOGIN_ERRORS: [(&str, &str); 10] = [
    (
        "invalid_grant",
        "ユーザー名・パスワード（セキュリティトークン付き）を確認してください",
    ),
    (
        "invalid_client",
        "client_id / client_secret を確認してください",
    ),
    ("invalid_client_id", "client_id を確認してください"),
    (
        "unauthorized_client",
        "このアプリはログインを許可されていません",
    ),
    ("unsupported_grant_type", "このログイン方式は使えません"),
    ("invalid_request", "ログイン要求の形が受け付けられません"),
    ("invalid_scope", "要求した権限が受け付けられません"),
    ("inactive_user", "ユーザーが無効になっています"),
    ("inactive_org", "組織が無効になっています"),
    (
        "rate_limit_exceeded",
        "ログインの回数制限を超えました。しばらく待ってください",
    ),
];

/// The `error` code of an OAuth error reply, if it is one of LOGIN_ERRORS. Nothing else
/// of the reply is shown: it is the server's text, and could echo what was sent.
fn login_error_code(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let code = value.get("error")?.as_str()?;
    LOGIN_ERRORS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(known, _)| known.to_string())
}

/// The hint shown with a known OAuth error code.
pub(super) fn login_hint(code: &str) -> Option<&'static str> {
    LOGIN_ERRORS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, hint)| *hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Table {
        auth: Auth,
    }

    fn auth_of(toml_text: &str) -> Result<Auth, toml::de::Error> {
        toml::from_str::<Table>(toml_text).map(|table| table.auth)
    }

    #[test]
    fn login_error_codes_are_plain_words() {
        assert_eq!(
            login_error_code(br#"{"error":"invalid_grant","error_description":"x"}"#),
            Some("invalid_grant".to_string())
        );
        assert_eq!(login_error_code(br#"{"error":"pw is hunter2"}"#), None);
        assert_eq!(login_error_code(b"<html>"), None);
        assert_eq!(
            login_hint("invalid_scope"),
            Some("要求した権限が受け付けられません")
        );
        assert_eq!(login_hint("pw is hunter2"), None);
    }

    #[test]
    fn the_config_table_names_the_kind() {
        let auth = auth_of(
            "[auth]\nkind = \"oauth_password\"\ntoken_url = \"https://login.example/token\"\n\
             client_id = \"id\"\nclient_secret = { env = \"SECRET\" }\nusername = \"u\"\n\
             password = { file = \"/etc/pw\" }\n",
        )
        .unwrap();
        assert!(matches!(auth, Auth::OAuthPassword { ref client_id, .. } if client_id == "id"));
        let auth = auth_of("[auth]\nkind = \"bearer\"\ntoken = { command = \"pass show t\" }\n");
        assert!(matches!(auth, Ok(Auth::Bearer { .. })));
        assert!(matches!(
            auth_of("[auth]\nkind = \"none\"\n"),
            Ok(Auth::None)
        ));
    }

    #[test]
    fn the_config_table_refuses_what_its_kind_lacks_or_does_not_know() {
        assert!(auth_of("[auth]\nkind = \"basic\"\nusername = \"u\"\n").is_err());
        assert!(
            auth_of("[auth]\nkind = \"bearer\"\ntoken = { env = \"T\" }\nuser = \"u\"\n").is_err()
        );
        assert!(auth_of("[auth]\nkind = \"o_auth_password\"\n").is_err());
    }

    #[test]
    fn a_token_reply_needs_an_access_token() {
        assert!(parse_token_reply(br#"{"instance_url":"https://x.example"}"#).is_err());
        assert!(parse_token_reply(b"not json").is_err());
        let credentials =
            parse_token_reply(br#"{"access_token":"t","instance_url":"ftp://x"}"#).unwrap();
        assert!(
            credentials.instance_url().is_none(),
            "only http(s) hosts complete a URL"
        );
    }
}

//! Polling a report over HTTP(S): conditional GETs, a size cap, auth, and backoff.
//!
//! The client is reqwest with rustls and gzip. Proxies come from `HTTPS_PROXY` /
//! `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` as reqwest reads them; an inspecting proxy's
//! CA is added from a PEM bundle. Errors are told in plain Japanese and never hold a
//! secret or a URL's query string (URLs may carry tokens): only `host:port` is named.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

use super::secret::{Secret, SecretError, SecretSource};

/// How long one request may take, from connecting to the body's last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest report body accepted.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The largest reply accepted from an OAuth token endpoint.
const TOKEN_MAX_BYTES: u64 = 1024 * 1024;
/// The longest wait between polls after failures (unless the poll interval is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);

/// How the feed is authenticated.
#[derive(Clone, Debug)]
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
    OAuthPassword {
        token_url: String,
        client_id: String,
        client_secret: SecretSource,
        username: String,
        password: SecretSource,
    },
}

/// Everything the fetcher needs to know.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// The report's URL. With OAuth it may be a path (`/services/data/...`), joined to the
    /// `instance_url` of the token reply.
    pub url: String,
    /// Limit for one request, from connecting to the last byte (default 30 s).
    pub timeout: Duration,
    /// Largest body accepted, after gzip decoding (default 64 MiB).
    pub max_bytes: u64,
    /// PEM bundle with the CA of a proxy that inspects TLS, trusted besides the usual roots.
    pub extra_ca: Option<PathBuf>,
    pub auth: Auth,
    pub user_agent: String,
}

impl HttpOptions {
    /// Options with the defaults: 30 s timeout, 64 MiB cap, no extra CA, no auth.
    pub fn new(url: impl Into<String>) -> Self {
        HttpOptions {
            url: url.into(),
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
            extra_ca: None,
            auth: Auth::None,
            user_agent: default_user_agent(),
        }
    }
}

/// `bedboard/<version>`.
pub fn default_user_agent() -> String {
    concat!("bedboard/", env!("CARGO_PKG_VERSION")).to_string()
}

/// What one poll brought.
pub enum Fetched {
    /// 304: the report is as it was at the last 200.
    NotModified,
    /// A new body; `url` is the final one, after redirects.
    Body {
        bytes: Vec<u8>,
        content_type: Option<String>,
        url: String,
    },
}

impl fmt::Debug for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fetched::NotModified => f.write_str("NotModified"),
            Fetched::Body {
                bytes,
                content_type,
                url,
            } => f
                .debug_struct("Body")
                .field("len", &bytes.len())
                .field("content_type", content_type)
                .field("url", &redact_url(url))
                .finish(),
        }
    }
}

/// Why a poll failed, in words a dispatcher understands.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("フィードの URL が正しくありません（{reason}）")]
    InvalidUrl { reason: String },
    #[error("接続できません（{host}）")]
    Connect { host: String },
    #[error("応答の前に接続が切れました（{host}）")]
    Dropped { host: String },
    #[error("応答がありません（{} 秒で打ち切りました）", seconds_text(*.after))]
    Timeout { after: Duration },
    #[error("サーバーがエラーを返しました（HTTP {status}）")]
    Status { status: u16 },
    #[error("認証に失敗しました（HTTP {status}）")]
    Auth { status: u16 },
    #[error("ログインに失敗しました（HTTP {status}{}）", code_text(.code))]
    Login { status: u16, code: Option<String> },
    #[error("ログインの応答を読めません（{reason}）")]
    LoginReply { reason: String },
    #[error("プロキシの認証に失敗しました（HTTP 407）")]
    ProxyAuth,
    #[error("プロキシ経由で接続できません（{host}、{reason}）")]
    ProxyTunnel { host: String, reason: String },
    #[error("応答が大きすぎます（上限 {}）", size_text(*.limit))]
    TooLarge { limit: u64 },
    #[error("応答が途中で切れました")]
    Truncated,
    #[error("応答を展開できません（gzip が壊れています）")]
    Decode,
    #[error("転送（リダイレクト）が多すぎます")]
    Redirects,
    #[error("証明書を確認できません（{detail}）")]
    Certificate { detail: String },
    #[error("暗号化通信（TLS）を始められません（{detail}）")]
    Tls { detail: String },
    #[error("CA ファイル {path} を読めません（{reason}）")]
    CaFile { path: String, reason: String },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("通信エラー（{detail}）")]
    Other { detail: String },
}

impl FetchError {
    /// Whether the credentials were refused (the report's, the login's or the proxy's).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            FetchError::Auth { .. } | FetchError::Login { .. } | FetchError::ProxyAuth
        )
    }
}

/// `30`, or `0.3` for a timeout under ten seconds that is not whole.
fn seconds_text(after: Duration) -> String {
    let millis = after.as_millis();
    if millis.is_multiple_of(1000) || millis >= 10_000 {
        format!("{}", after.as_secs())
    } else {
        let text = format!("{:.1}", after.as_secs_f64());
        if text == "0.0" {
            format!("{:.3}", after.as_secs_f64())
        } else {
            text
        }
    }
}

/// `64 MiB`, `512 KiB`, `1000 バイト`.
fn size_text(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} バイト")
    }
}

fn code_text(code: &Option<String>) -> String {
    let Some(code) = code else {
        return String::new();
    };
    match LOGIN_ERRORS.iter().find(|(known, _)| known == code) {
        Some((_, hint)) => format!("、{code}：{hint}"),
        None => format!("、{code}"),
    }
}

/// A URL fit to show: no user name, password, query or fragment.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => {
            let end = url.find(['?', '#']).unwrap_or(url.len());
            let text = &url[..end];
            // A user-info part (`user:pw@`) is dropped too.
            match (text.find("://"), text.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    format!("{}{}", &text[..scheme_end + 3], &text[at + 1..])
                }
                _ => text.to_string(),
            }
        }
    }
}

/// `host:port` of a URL, for error text.
fn host_label(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The parse error of `Url` (reqwest re-exports `Url` only).
type UrlError = <Url as std::str::FromStr>::Err;

/// Checks the report URL: absolute http(s), or a path when OAuth supplies the host.
fn parse_report_url(url: &str, auth: &Auth) -> Result<Option<Url>, FetchError> {
    match Url::parse(url.trim()) {
        Ok(parsed) => {
            check_scheme(&parsed)?;
            Ok(Some(parsed))
        }
        Err(UrlError::RelativeUrlWithoutBase)
            if url.trim().starts_with('/') && matches!(auth, Auth::OAuthPassword { .. }) =>
        {
            Ok(None)
        }
        Err(UrlError::RelativeUrlWithoutBase) => Err(FetchError::InvalidUrl {
            reason: "http:// か https:// で始まる URL を指定してください".to_string(),
        }),
        Err(err) => Err(FetchError::InvalidUrl {
            reason: url_error_text(err),
        }),
    }
}

fn check_scheme(url: &Url) -> Result<(), FetchError> {
    match url.scheme() {
        "http" | "https" => Ok(()),
        _ => Err(FetchError::InvalidUrl {
            reason: "http:// か https:// で始まる URL を指定してください".to_string(),
        }),
    }
}

fn url_error_text(err: UrlError) -> String {
    match err {
        UrlError::EmptyHost => "ホスト名がありません".to_string(),
        UrlError::InvalidPort => "ポート番号が正しくありません".to_string(),
        UrlError::InvalidIpv4Address | UrlError::InvalidIpv6Address => {
            "IP アドレスが正しくありません".to_string()
        }
        UrlError::InvalidDomainCharacter | UrlError::IdnaError => {
            "ホスト名に使えない文字があります".to_string()
        }
        _ => "形が正しくありません".to_string(),
    }
}

/// Credentials resolved from their sources, kept until the server refuses them.
enum Credentials {
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

/// Validators of the last 200, sent back so that an unchanged report costs a 304.
struct Validators {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// Polls one report URL.
pub struct Fetcher {
    options: HttpOptions,
    client: reqwest::Client,
    /// The report URL when it is absolute; `None` when OAuth's `instance_url` completes it.
    url: Option<Url>,
    credentials: Option<Credentials>,
    validators: Option<Validators>,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("url", &redact_url(&self.options.url))
            .field("timeout", &self.options.timeout)
            .field("max_bytes", &self.options.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// Builds the client: rustls, gzip, the timeout, proxies from the environment, and the
    /// extra CA. Secrets are read at the first fetch (and kept), so that a file or variable
    /// fixed after start-up is picked up by the next poll.
    pub fn new(options: HttpOptions) -> Result<Fetcher, FetchError> {
        let url = parse_report_url(&options.url, &options.auth)?;
        if let Auth::OAuthPassword { token_url, .. } = &options.auth {
            let token = Url::parse(token_url.trim()).map_err(|_| FetchError::InvalidUrl {
                reason: "ログイン先（token_url）は http:// か https:// で始まる URL にしてください"
                    .to_string(),
            })?;
            check_scheme(&token)?;
        }

        let user_agent = if options.user_agent.trim().is_empty() {
            default_user_agent()
        } else {
            options.user_agent.clone()
        };
        let mut headers = HeaderMap::new();
        // Ask any caching proxy on the way to check with the origin.
        headers.insert(
            reqwest::header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        );
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .default_headers(headers)
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .gzip(true)
            // One request a minute gains nothing from idle connections, and a proxy or
            // server that silently dropped one would fail the next poll.
            .pool_max_idle_per_host(0)
            .use_rustls_tls();
        if let Some(path) = &options.extra_ca {
            for cert in read_ca_bundle(path)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder.build().map_err(|err| match &options.extra_ca {
            Some(path) => FetchError::CaFile {
                path: path.display().to_string(),
                reason: "証明書として読めません".to_string(),
            },
            None => FetchError::Other {
                detail: innermost_text(&err),
            },
        })?;
        Ok(Fetcher {
            options,
            client,
            url,
            credentials: None,
            validators: None,
        })
    }

    /// The options this fetcher was built with.
    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// Forgets the last ETag / Last-Modified, so that the next fetch gets the whole body
    /// (for example after the caller rejected it, or on the user's "poll now").
    pub fn forget_validators(&mut self) {
        self.validators = None;
    }

    /// One conditional GET: sends If-None-Match / If-Modified-Since from the last 200; 304 →
    /// NotModified. Streams the body and stops at max_bytes (Content-Length is checked first,
    /// then bytes are counted while reading). On a 401, credentials that may have changed
    /// (an OAuth login, a secret from a file or a command) are got anew once and the request
    /// is tried once more; a second refusal is reported.
    pub async fn fetch(&mut self) -> Result<Fetched, FetchError> {
        let mut retried = false;
        loop {
            if self.credentials.is_none() {
                self.credentials = Some(self.login().await?);
            }
            let credentials = self.credentials.as_ref().expect("credentials were set");
            let url = self.report_url(credentials)?;
            let mut request = self.client.get(url.clone());
            request = match credentials {
                Credentials::None => request,
                Credentials::Basic { username, password } => {
                    request.basic_auth(username, Some(password.expose()))
                }
                Credentials::Bearer(token) | Credentials::OAuth { token, .. } => {
                    request.bearer_auth(token.expose())
                }
            };
            if let Some(validators) = &self.validators {
                if validators.url == url.as_str() {
                    if let Some(etag) = &validators.etag {
                        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
                    }
                    if let Some(date) = &validators.last_modified {
                        request = request.header(reqwest::header::IF_MODIFIED_SINCE, date);
                    }
                }
            }
            let mut response = request
                .send()
                .await
                .map_err(|err| self.request_error(err, &url))?;
            let status = response.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if status == StatusCode::UNAUTHORIZED {
                if !retried && self.may_refresh() {
                    retried = true;
                    self.credentials = None;
                    continue;
                }
                // Read afresh at the next poll: the fix may be on its way.
                if self.may_refresh() {
                    self.credentials = None;
                }
                return Err(FetchError::Auth {
                    status: status.as_u16(),
                });
            }
            if status == StatusCode::FORBIDDEN {
                return Err(FetchError::Auth {
                    status: status.as_u16(),
                });
            }
            if status == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
                return Err(FetchError::ProxyAuth);
            }
            if !status.is_success() {
                return Err(FetchError::Status {
                    status: status.as_u16(),
                });
            }

            let content_type = header_text(response.headers(), reqwest::header::CONTENT_TYPE);
            let etag = header_text(response.headers(), reqwest::header::ETAG);
            let last_modified = header_text(response.headers(), reqwest::header::LAST_MODIFIED);
            let final_url = response.url().to_string();
            let bytes =
                read_body(&mut response, self.options.max_bytes, self.options.timeout).await?;
            self.validators = if etag.is_some() || last_modified.is_some() {
                Some(Validators {
                    url: url.to_string(),
                    etag,
                    last_modified,
                })
            } else {
                None
            };
            return Ok(Fetched::Body {
                bytes,
                content_type,
                url: final_url,
            });
        }
    }

    /// Whether getting the credentials again may give other ones.
    fn may_refresh(&self) -> bool {
        match &self.options.auth {
            Auth::None => false,
            Auth::Basic { password, .. } => password.may_change(),
            Auth::Bearer { token } => token.may_change(),
            Auth::OAuthPassword { .. } => true,
        }
    }

    fn report_url(&self, credentials: &Credentials) -> Result<Url, FetchError> {
        if let Some(url) = &self.url {
            return Ok(url.clone());
        }
        let base = match credentials {
            Credentials::OAuth {
                instance_url: Some(base),
                ..
            } => base,
            _ => {
                return Err(FetchError::LoginReply {
                    reason: "instance_url がないため、レポートの URL を完全な形で指定してください"
                        .to_string(),
                })
            }
        };
        let url = base
            .join(self.options.url.trim())
            .map_err(|err| FetchError::InvalidUrl {
                reason: url_error_text(err),
            })?;
        check_scheme(&url)?;
        Ok(url)
    }

    /// Reads the secrets and, for OAuth, logs in.
    async fn login(&self) -> Result<Credentials, FetchError> {
        match &self.options.auth {
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
                let token_url =
                    Url::parse(token_url.trim()).map_err(|err| FetchError::InvalidUrl {
                        reason: url_error_text(err),
                    })?;
                let form = [
                    ("grant_type", "password"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", client_secret.expose()),
                    ("username", username.as_str()),
                    ("password", password.expose()),
                ];
                let mut response = self
                    .client
                    .post(token_url.clone())
                    .header(reqwest::header::ACCEPT, "application/json")
                    .form(&form)
                    .send()
                    .await
                    .map_err(|err| self.request_error(err, &token_url))?;
                let status = response.status();
                if status == StatusCode::PROXY_AUTHENTICATION_REQUIRED {
                    return Err(FetchError::ProxyAuth);
                }
                let body = read_body(&mut response, TOKEN_MAX_BYTES, self.options.timeout).await;
                if !status.is_success() {
                    return Err(FetchError::Login {
                        status: status.as_u16(),
                        code: body.ok().and_then(|body| login_error_code(&body)),
                    });
                }
                parse_token_reply(&body?)
            }
        }
    }

    /// A send error in a dispatcher's words.
    fn request_error(&self, err: reqwest::Error, url: &Url) -> FetchError {
        let err = err.without_url();
        let host = host_label(url);
        if err.is_timeout() {
            return FetchError::Timeout {
                after: self.options.timeout,
            };
        }
        if err.is_redirect() {
            return FetchError::Redirects;
        }
        let joined = chain_texts(&err).join(" / ").to_ascii_lowercase();
        if let Some(detail) = certificate_problem(&joined) {
            return FetchError::Certificate { detail };
        }
        if joined.contains("tunnel error") {
            if joined.contains("proxy authorization required") {
                return FetchError::ProxyAuth;
            }
            let reason = if joined.contains("failed to create underlying connection") {
                "プロキシに接続できません"
            } else if joined.contains("unsuccessful") {
                "プロキシが中継を断りました"
            } else {
                "プロキシとの通信が途中で切れました"
            };
            return FetchError::ProxyTunnel {
                host,
                reason: reason.to_string(),
            };
        }
        if joined.contains("tls")
            || joined.contains("handshake")
            || joined.contains("corrupt message")
            || joined.contains("alert")
        {
            return FetchError::Tls {
                detail: innermost_text(&err),
            };
        }
        if err.is_connect() {
            return FetchError::Connect { host };
        }
        match io_kind(&err) {
            Some(std::io::ErrorKind::ConnectionRefused) => FetchError::Connect { host },
            Some(
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof,
            ) => FetchError::Dropped { host },
            _ if joined.contains("connection closed")
                || joined.contains("incomplete")
                || joined.contains("canceled") =>
            {
                FetchError::Dropped { host }
            }
            _ => FetchError::Other {
                detail: innermost_text(&err),
            },
        }
    }
}

/// Reads a secret on a blocking thread (a command may take seconds).
async fn resolve(source: &SecretSource) -> Result<Secret, FetchError> {
    let source = source.clone();
    match tokio::task::spawn_blocking(move || source.resolve()).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(FetchError::Other {
            detail: "パスワードの取得が中断されました".to_string(),
        }),
    }
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

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

/// Reads a body, refusing it past `max` bytes (after decoding).
async fn read_body(
    response: &mut reqwest::Response,
    max: u64,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    // Known only when the body is not gzip-encoded.
    if let Some(length) = response.content_length() {
        if length > max {
            return Err(FetchError::TooLarge { limit: max });
        }
    }
    let capacity = response.content_length().unwrap_or(64 * 1024).min(max);
    let mut bytes = Vec::with_capacity(capacity.min(8 * 1024 * 1024) as usize);
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(err) => return Err(body_error(err.without_url(), timeout)),
        };
        if bytes.len() as u64 + chunk.len() as u64 > max {
            return Err(FetchError::TooLarge { limit: max });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// An error while the body streams in.
fn body_error(err: reqwest::Error, timeout: Duration) -> FetchError {
    if err.is_timeout() {
        return FetchError::Timeout { after: timeout };
    }
    let joined = chain_texts(&err).join(" / ").to_ascii_lowercase();
    let cut_short = joined.contains("incomplete")
        || joined.contains("unexpected end")
        || joined.contains("unexpected eof")
        || joined.contains("connection closed")
        || joined.contains("connection reset")
        || matches!(
            io_kind(&err),
            Some(
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            )
        );
    if err.is_decode() && !cut_short {
        FetchError::Decode
    } else {
        FetchError::Truncated
    }
}

/// The Display text of an error and of each of its sources.
fn chain_texts(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut texts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(inner) = source {
        texts.push(inner.to_string());
        source = inner.source();
    }
    texts
}

/// The text of the deepest source: the most precise, and free of URLs.
fn innermost_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest: &(dyn std::error::Error + 'static) = err;
    while let Some(inner) = deepest.source() {
        deepest = inner;
    }
    let text = deepest.to_string();
    // Whatever it says, a query string is never shown.
    let text = match text.find('?') {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    text.chars().take(200).collect()
}

/// The kind of the first I/O error in the chain.
fn io_kind(err: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = inner.source();
    }
    None
}

/// A certificate failure in words, from rustls's (lower-cased) text.
fn certificate_problem(text: &str) -> Option<String> {
    if !text.contains("certificate") {
        return None;
    }
    let detail = if text.contains("unknownissuer") || text.contains("unknown issuer") {
        "発行元が信頼されていません。検査型プロキシを通す場合はその CA を extra_ca に指定してください"
    } else if text.contains("expired") {
        "有効期限が切れています"
    } else if text.contains("notvalidyet") || text.contains("not valid yet") {
        "まだ有効になっていません。この端末の時計を確認してください"
    } else if text.contains("notvalidforname") || text.contains("not valid for name") {
        "証明書の名前が接続先と一致しません"
    } else if text.contains("revoked") {
        "失効しています"
    } else if text.contains("badsignature") || text.contains("bad signature") {
        "署名が正しくありません"
    } else {
        "サーバーの証明書が受け入れられません"
    };
    Some(detail.to_string())
}

/// Reads a PEM bundle of CA certificates.
fn read_ca_bundle(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, FetchError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|err| FetchError::CaFile {
        path: shown.clone(),
        reason: crate::files::io_error_text(&err),
    })?;
    let certs = reqwest::Certificate::from_pem_bundle(&bytes).map_err(|_| FetchError::CaFile {
        path: shown.clone(),
        reason: "PEM 形式の証明書として読めません".to_string(),
    })?;
    if certs.is_empty() {
        return Err(FetchError::CaFile {
            path: shown,
            reason: "PEM 形式の証明書（-----BEGIN CERTIFICATE-----）が含まれていません".to_string(),
        });
    }
    Ok(certs)
}

/// Exponential backoff with jitter after failures: the base is the poll interval, doubled
/// per consecutive failure, capped at 5 minutes (or at the interval, if that is longer),
/// with ±20 % jitter that never goes past the cap; reset after a success. The jittered
/// delay is drawn once per failure, so `next_delay` is stable between failures.
pub struct Backoff {
    interval: Duration,
    failures: u32,
    delay: Duration,
    rng: fastrand::Rng,
}

impl fmt::Debug for Backoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backoff")
            .field("interval", &self.interval)
            .field("failures", &self.failures)
            .field("delay", &self.delay)
            .finish()
    }
}

impl Backoff {
    pub fn new(interval: Duration) -> Self {
        Backoff {
            interval,
            failures: 0,
            delay: interval,
            rng: fastrand::Rng::new(),
        }
    }

    /// The cap: 5 minutes, or the interval itself if longer.
    pub fn cap(&self) -> Duration {
        MAX_BACKOFF.max(self.interval)
    }

    pub fn success(&mut self) {
        self.failures = 0;
        self.delay = self.interval;
    }

    pub fn failure(&mut self) {
        self.failures = self.failures.saturating_add(1);
        let cap = self.cap();
        let factor = 2u32.saturating_pow(self.failures.min(31));
        let base = self.interval.checked_mul(factor).unwrap_or(cap).min(cap);
        let jitter = 0.8 + 0.4 * self.rng.f64();
        self.delay = base.mul_f64(jitter).min(cap);
    }

    /// How long to wait before the next poll: the interval, or the backoff after failures.
    pub fn next_delay(&self) -> Duration {
        self.delay
    }

    /// Consecutive failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        assert_eq!(seconds_text(Duration::from_secs(30)), "30");
        assert_eq!(seconds_text(Duration::from_millis(300)), "0.3");
        assert_eq!(seconds_text(Duration::from_millis(2500)), "2.5");
        assert_eq!(size_text(64 * 1024 * 1024), "64 MiB");
        assert_eq!(size_text(512 * 1024), "512 KiB");
        assert_eq!(size_text(1000), "1000 バイト");
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("https://u:pw@feed.example/r.csv?token=abc#x"),
            "https://feed.example/r.csv"
        );
        assert_eq!(redact_url("/services/data?x=1"), "/services/data");
    }

    #[test]
    fn login_error_codes_are_plain_words() {
        assert_eq!(
            login_error_code(br#"{"error":"invalid_grant","error_description":"x"}"#),
            Some("invalid_grant".to_string())
        );
        assert_eq!(login_error_code(br#"{"error":"pw is hunter2"}"#), None);
        assert_eq!(login_error_code(b"<html>"), None);
    }

    #[test]
    fn relative_url_needs_oauth() {
        assert!(parse_report_url("/services/data/v60.0/x", &Auth::None).is_err());
        assert!(parse_report_url("ftp://x/y", &Auth::None).is_err());
        assert!(parse_report_url("http://127.0.0.1:1/x", &Auth::None)
            .unwrap()
            .is_some());
    }
}

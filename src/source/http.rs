//! Polling a report over HTTP(S): conditional GETs, a size cap, and the client that
//! does them. Authentication, error wording, URL redaction, the extra CA and backoff
//! live in their own modules and are re-exported here.
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

use super::auth::Credentials;
use super::body::read_body;
use super::ca::read_ca_bundle;
use super::fetch_error::{innermost_text, send_error, url_error_text, UrlError};

pub use super::auth::Auth;
pub use super::backoff::{Backoff, MAX_RETRY_AFTER};
pub use super::fetch_error::FetchError;
pub use super::redact::redact_url;

/// How long one request may take, from connecting to the body's last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest report body accepted.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

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
        check_token_url(&options.auth)?;
        let client = build_client(&options)?;
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
            let (url, response) = self.send().await?;
            let status = response.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            let may_refresh = self.options.auth.may_refresh();
            if status == StatusCode::UNAUTHORIZED && may_refresh {
                // Read afresh, now once more or at the next poll: the fix may be on its way.
                self.credentials = None;
                if !retried {
                    retried = true;
                    continue;
                }
            }
            if status.is_redirection() {
                return Err(redirect_error(&response));
            }
            refuse_status(status, retry_after(response.headers()))?;
            return self.take_body(url, response).await;
        }
    }

    /// Sends the GET with the credentials (logging in first if needed) and the validators
    /// of the last 200 for this URL.
    async fn send(&mut self) -> Result<(Url, reqwest::Response), FetchError> {
        if self.credentials.is_none() {
            let credentials = self
                .options
                .auth
                .log_in(&self.client, self.options.timeout)
                .await?;
            self.credentials = Some(credentials);
        }
        let credentials = self.credentials.as_ref().expect("credentials were set");
        let url = self.report_url(credentials)?;
        let mut request = credentials.authorize(self.client.get(url.clone()));
        if let Some(validators) = self.validators.as_ref().filter(|v| v.url == url.as_str()) {
            if let Some(etag) = &validators.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &validators.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
            }
        }
        let response = request
            .send()
            .await
            .map_err(|err| send_error(err, &url, self.options.timeout))?;
        Ok((url, response))
    }

    /// Reads a 200's body and keeps its validators for the next poll.
    async fn take_body(
        &mut self,
        url: Url,
        mut response: reqwest::Response,
    ) -> Result<Fetched, FetchError> {
        let content_type = header_text(response.headers(), reqwest::header::CONTENT_TYPE);
        let etag = header_text(response.headers(), reqwest::header::ETAG);
        let last_modified = header_text(response.headers(), reqwest::header::LAST_MODIFIED);
        let final_url = response.url().to_string();
        let bytes = read_body(&mut response, self.options.max_bytes, self.options.timeout).await?;
        self.validators = (etag.is_some() || last_modified.is_some()).then(|| Validators {
            url: url.to_string(),
            etag,
            last_modified,
        });
        Ok(Fetched::Body {
            bytes,
            content_type,
            url: final_url,
        })
    }

    fn report_url(&self, credentials: &Credentials) -> Result<Url, FetchError> {
        if let Some(url) = &self.url {
            return Ok(url.clone());
        }
        let Some(base) = credentials.instance_url() else {
            return Err(FetchError::LoginReply {
                reason: "instance_url がないため、レポートの URL を完全な形で指定してください"
                    .to_string(),
            });
        };
        let url = base
            .join(self.options.url.trim())
            .map_err(|err| FetchError::InvalidUrl {
                reason: url_error_text(err),
            })?;
        check_scheme(&url)?;
        Ok(url)
    }
}

/// An OAuth login needs an absolute http(s) token URL.
fn check_token_url(auth: &Auth) -> Result<(), FetchError> {
    let Auth::OAuthPassword { token_url, .. } = auth else {
        return Ok(());
    };
    let token = Url::parse(token_url.trim()).map_err(|_| FetchError::InvalidUrl {
        reason: "ログイン先（token_url）は http:// か https:// で始まる URL にしてください"
            .to_string(),
    })?;
    check_scheme(&token)
}

/// The client: rustls, gzip, the timeout, proxies from the environment, the extra CA.
fn build_client(options: &HttpOptions) -> Result<reqwest::Client, FetchError> {
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
        // The report URL may hold a token in its query: never sent anywhere as a Referer.
        .referer(false)
        .redirect(same_origin_redirects())
        // One request a minute gains nothing from idle connections, and a proxy or
        // server that silently dropped one would fail the next poll.
        .pool_max_idle_per_host(0)
        .use_rustls_tls();
    if let Some(path) = &options.extra_ca {
        for cert in read_ca_bundle(path)? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|err| match &options.extra_ca {
        Some(path) => FetchError::CaFile {
            path: path.display().to_string(),
            reason: "証明書として読めません".to_string(),
        },
        None => FetchError::Other {
            detail: innermost_text(&err),
        },
    })
}

/// How many redirects within one origin are followed.
const MAX_REDIRECTS: usize = 10;

/// Redirects are followed only within the same scheme, host and port, so that the query
/// string and the credentials never go elsewhere. Any other one stops there: its 3xx
/// reaches [`redirect_error`], which names where it pointed.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .last()
            .is_some_and(|from| from.origin() == attempt.url().origin());
        if !same_origin {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(TooManyRedirects)
        } else {
            attempt.follow()
        }
    })
}

/// Reported by reqwest as a redirect error, which [`send_error`] tells as such.
#[derive(Debug)]
struct TooManyRedirects;

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("too many redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

/// A redirect that was not followed, with where it pointed (redacted and sanitised).
fn redirect_error(response: &reqwest::Response) -> FetchError {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok());
    let Some(target) = location.and_then(|text| response.url().join(text.trim()).ok()) else {
        return FetchError::RedirectNowhere { status };
    };
    let to = crate::text::sanitize(&redact_url(target.as_str())).into_owned();
    match target.scheme() {
        "http" | "https" => FetchError::RedirectElsewhere { status, to },
        _ => FetchError::RedirectScheme { status, to },
    }
}

/// A status other than success in a dispatcher's words; `retry_after` is what the
/// server asked for, used with 429 and 503.
fn refuse_status(status: StatusCode, retry_after: Option<Duration>) -> Result<(), FetchError> {
    let code = status.as_u16();
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(FetchError::Auth { status: code }),
        StatusCode::PROXY_AUTHENTICATION_REQUIRED => Err(FetchError::ProxyAuth),
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            if retry_after.is_some() =>
        {
            Err(FetchError::RetryLater {
                status: code,
                retry_after: retry_after.unwrap_or_default(),
            })
        }
        _ if !status.is_success() => Err(FetchError::Status { status: code }),
        _ => Ok(()),
    }
}

/// The Retry-After header: delay-seconds, or an HTTP-date (a date past is no wait).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = header_text(headers, reqwest::header::RETRY_AFTER)?;
    parse_retry_after(&text, chrono::Utc::now())
}

fn parse_retry_after(text: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    Some(
        (date.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or_default(),
    )
}

fn header_text(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_url_needs_oauth() {
        assert!(parse_report_url("/services/data/v60.0/x", &Auth::None).is_err());
        assert!(parse_report_url("ftp://x/y", &Auth::None).is_err());
        assert!(parse_report_url("http://127.0.0.1:1/x", &Auth::None)
            .unwrap()
            .is_some());
    }

    #[test]
    fn refusals_are_told_by_status() {
        assert!(refuse_status(StatusCode::OK, None).is_ok());
        assert!(matches!(
            refuse_status(StatusCode::FORBIDDEN, None),
            Err(FetchError::Auth { status: 403 })
        ));
        assert!(matches!(
            refuse_status(StatusCode::PROXY_AUTHENTICATION_REQUIRED, None),
            Err(FetchError::ProxyAuth)
        ));
        assert!(matches!(
            refuse_status(StatusCode::SERVICE_UNAVAILABLE, None),
            Err(FetchError::Status { status: 503 })
        ));
        let minute = Some(Duration::from_secs(60));
        let busy = refuse_status(StatusCode::TOO_MANY_REQUESTS, minute).unwrap_err();
        assert_eq!(busy.retry_after(), minute);
        assert_eq!(
            busy.to_string(),
            "サーバーが混み合っています（HTTP 429、60 秒後の再試行を求めています）"
        );
        // Only 429 and 503 are told to wait.
        assert!(matches!(
            refuse_status(StatusCode::INTERNAL_SERVER_ERROR, minute),
            Err(FetchError::Status { status: 500 })
        ));
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        let now = chrono::DateTime::parse_from_rfc2822("Tue, 01 Dec 2026 10:00:00 GMT")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let parse = |text| parse_retry_after(text, now);
        assert_eq!(parse("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse("Tue, 01 Dec 2026 10:01:30 GMT"),
            Some(Duration::from_secs(90))
        );
        assert_eq!(parse("Tue, 01 Dec 2026 09:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(parse("-5"), None);
        assert_eq!(parse("soon"), None);
    }
}

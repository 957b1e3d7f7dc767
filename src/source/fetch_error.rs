//! Why a fetch failed, in plain Japanese a dispatcher understands, and how reqwest's
//! errors map to it. No text made here holds a secret or a URL's query string.

use std::time::Duration;

use reqwest::Url;

use super::auth::login_hint;
use super::redact::host_label;
use super::secret::SecretError;

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
    /// 429 or 503 with a Retry-After: the next try waits at least that long.
    #[error("サーバーが混み合っています（HTTP {status}、{} 秒後の再試行を求めています）", .retry_after.as_secs())]
    RetryLater { status: u16, retry_after: Duration },
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
    /// Fewer bytes came than the Content-Length announced.
    #[error("応答が途中で切れました（{} バイト中 {} バイト）", grouped(*.expected), grouped(*.received))]
    ShortBody { expected: u64, received: u64 },
    #[error("応答を展開できません（gzip が壊れています）")]
    Decode,
    #[error("転送（リダイレクト）が多すぎます")]
    Redirects,
    /// A redirect to another host, port or scheme; `to` is the target, redacted and sanitised.
    #[error("別の接続先への転送（HTTP {status}）には従いません（転送先 {to}）")]
    RedirectElsewhere { status: u16, to: String },
    /// A redirect to something other than http(s), such as `file://`.
    #[error("http(s) ではない転送先（HTTP {status}）には従いません（転送先 {to}）")]
    RedirectScheme { status: u16, to: String },
    /// A redirect without a usable Location.
    #[error("転送先のない転送です（HTTP {status}）")]
    RedirectNowhere { status: u16 },
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

    /// How long the server asked to be left alone (Retry-After), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::RetryLater { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

/// `2,048`: digits grouped by thousands.
fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
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
    match login_hint(code) {
        Some(hint) => format!("、{code}：{hint}"),
        None => format!("、{code}"),
    }
}

/// The parse error of `Url` (reqwest re-exports `Url` only).
pub(super) type UrlError = <Url as std::str::FromStr>::Err;

pub(super) fn url_error_text(err: UrlError) -> String {
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

/// A send error in a dispatcher's words; `timeout` is the limit that was set.
pub(super) fn send_error(err: reqwest::Error, url: &Url, timeout: Duration) -> FetchError {
    let err = err.without_url();
    if err.is_timeout() {
        return FetchError::Timeout { after: timeout };
    }
    if err.is_redirect() {
        return FetchError::Redirects;
    }
    let host = host_label(url);
    let joined = chain_texts(&err).join(" / ").to_ascii_lowercase();
    if let Some(detail) = certificate_problem(&joined) {
        return FetchError::Certificate { detail };
    }
    if joined.contains("tunnel error") {
        return tunnel_error(&joined, host);
    }
    if is_tls_failure(&joined) {
        return FetchError::Tls {
            detail: innermost_text(&err),
        };
    }
    if err.is_connect() {
        return FetchError::Connect { host };
    }
    connection_error(&err, &joined, host)
}

/// A proxy that would not or could not relay the connection.
fn tunnel_error(joined: &str, host: String) -> FetchError {
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
    FetchError::ProxyTunnel {
        host,
        reason: reason.to_string(),
    }
}

fn is_tls_failure(joined: &str) -> bool {
    ["tls", "handshake", "corrupt message", "alert"]
        .iter()
        .any(|word| joined.contains(word))
}

/// A connection refused, dropped before the reply, or failing some other way.
fn connection_error(err: &reqwest::Error, joined: &str, host: String) -> FetchError {
    match io_kind(err) {
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
            detail: innermost_text(err),
        },
    }
}

/// An error while the body streams in.
pub(super) fn body_error(err: reqwest::Error, timeout: Duration) -> FetchError {
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
pub(super) fn innermost_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest: &(dyn std::error::Error + 'static) = err;
    while let Some(inner) = deepest.source() {
        deepest = inner;
    }
    let text = deepest.to_string();
    // Whatever it says, a query string is never shown.
    let text = match text.find('?') {
        Some(at) => &text[..at],
        None => &text,
    };
    // It may quote what a server or proxy sent.
    crate::text::sanitize(text).chars().take(200).collect()
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
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(2048), "2,048");
        assert_eq!(grouped(1_234_567), "1,234,567");
        let short = FetchError::ShortBody {
            expected: 2048,
            received: 1024,
        };
        assert_eq!(
            short.to_string(),
            "応答が途中で切れました（2,048 バイト中 1,024 バイト）"
        );
    }

    #[test]
    fn error_details_are_sanitised_and_lose_their_query() {
        let err = std::io::Error::other("bad \x1b]0;title\x07 reply\u{9b}2J from /r?token=abc");
        assert_eq!(innermost_text(&err), "bad ?]0;title? reply?2J from /r");
    }

    #[test]
    fn login_codes_come_with_their_hint() {
        let known = FetchError::Login {
            status: 400,
            code: Some("invalid_client_id".to_string()),
        };
        assert_eq!(
            known.to_string(),
            "ログインに失敗しました（HTTP 400、invalid_client_id：client_id を確認してください）"
        );
        let bare = FetchError::Login {
            status: 401,
            code: None,
        };
        assert_eq!(bare.to_string(), "ログインに失敗しました（HTTP 401）");
    }
}

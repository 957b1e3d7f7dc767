//! URLs fit to show on the status line and in logs: a URL may carry a token in its
//! user-info or query string, so only the scheme, host, port and path are kept.

use reqwest::Url;

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
pub(super) fn host_label(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("https://u:pw@feed.example/r.csv?token=abc#x"),
            "https://feed.example/r.csv"
        );
        assert_eq!(redact_url("/services/data?x=1"), "/services/data");
        assert_eq!(
            redact_url("not a url://u:pw@host/p?q"),
            "not a url://host/p"
        );
    }

    #[test]
    fn host_labels_name_the_port() {
        let url = Url::parse("https://feed.example/r.csv?token=abc").unwrap();
        assert_eq!(host_label(&url), "feed.example:443");
    }
}

//! Reading a response body under a size cap.

use std::time::Duration;

use super::fetch_error::{body_error, FetchError};

/// Reads a body, refusing it past `max` bytes (after decoding), and refusing one that
/// ends before its Content-Length.
pub(super) async fn read_body(
    response: &mut reqwest::Response,
    max: u64,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    // Known only when the body is not gzip-encoded: reqwest drops the length of a body it
    // decodes, and a cut gzip body is the decoder's error instead.
    let announced = response.content_length();
    if let Some(length) = announced {
        if length > max {
            return Err(FetchError::TooLarge { limit: max });
        }
    }
    let capacity = announced.unwrap_or(64 * 1024).min(max);
    let mut bytes = Vec::with_capacity(capacity.min(8 * 1024 * 1024) as usize);
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(err) => {
                let error = body_error(err.without_url(), timeout);
                return Err(with_counts(error, announced, bytes.len()));
            }
        };
        if bytes.len() as u64 + chunk.len() as u64 > max {
            return Err(FetchError::TooLarge { limit: max });
        }
        bytes.extend_from_slice(&chunk);
    }
    check_length(announced, bytes.len())?;
    Ok(bytes)
}

/// A body that ended early, told with how much of it came when its length is known.
fn with_counts(error: FetchError, announced: Option<u64>, received: usize) -> FetchError {
    match (error, announced) {
        (FetchError::Truncated, Some(expected)) => FetchError::ShortBody {
            expected,
            received: received as u64,
        },
        (error, _) => error,
    }
}

/// The whole body or a failure: fewer bytes than the Content-Length announced is a cut.
fn check_length(announced: Option<u64>, received: usize) -> Result<(), FetchError> {
    match announced {
        Some(expected) if (received as u64) < expected => Err(FetchError::ShortBody {
            expected,
            received: received as u64,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_bytes_than_announced_is_a_cut() {
        assert!(check_length(None, 10).is_ok());
        assert!(check_length(Some(10), 10).is_ok());
        assert!(matches!(
            check_length(Some(2048), 1024),
            Err(FetchError::ShortBody {
                expected: 2048,
                received: 1024
            })
        ));
        assert!(matches!(
            with_counts(FetchError::Truncated, Some(100), 40),
            FetchError::ShortBody {
                expected: 100,
                received: 40
            }
        ));
        assert!(matches!(
            with_counts(FetchError::Truncated, None, 40),
            FetchError::Truncated
        ));
        assert!(matches!(
            with_counts(FetchError::Decode, Some(100), 40),
            FetchError::Decode
        ));
    }
}

//! Reading a response body under a size cap.

use std::time::Duration;

use super::fetch_error::{body_error, FetchError};

/// Reads a body, refusing it past `max` bytes (after decoding).
pub(super) async fn read_body(
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

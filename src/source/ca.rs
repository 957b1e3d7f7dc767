//! Extra CA certificates: the PEM bundle of a proxy that inspects TLS.

use std::path::Path;

use super::fetch_error::FetchError;

/// Reads a PEM bundle of CA certificates.
pub(super) fn read_ca_bundle(path: &Path) -> Result<Vec<reqwest::Certificate>, FetchError> {
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

//! Secret keys from configuration, or generated once into the data folder
//! so a laptop install works with nothing configured.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

/// Parses a key given as 64 hex characters or as base64 of 32+ bytes.
pub fn parse_key(raw: &str) -> anyhow::Result<Vec<u8>> {
    let raw = raw.trim();
    let bytes = if raw.len() >= 64 && raw.chars().all(|c| c.is_ascii_hexdigit()) {
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(raw.as_bytes())
            .context("the key is not valid hex")?
    } else {
        data_encoding::BASE64
            .decode(raw.as_bytes())
            .context("the key is neither 64 hex characters nor base64")?
    };
    if bytes.len() < 32 {
        bail!("the key must be at least 32 bytes");
    }
    Ok(bytes)
}

/// The key from `configured`, else the one in `<data_dir>/<file>`, created
/// with 32 random bytes (mode 0600) on first use.
pub fn load_or_create(
    configured: Option<&str>,
    data_dir: &Path,
    file: &str,
) -> anyhow::Result<Vec<u8>> {
    if let Some(raw) = configured.filter(|s| !s.trim().is_empty()) {
        return parse_key(raw);
    }
    let path = data_dir.join(file);
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the key file {}", path.display()))?;
        return parse_key(&text).with_context(|| format!("bad key file {}", path.display()));
    }
    std::fs::create_dir_all(data_dir)?;
    let mut key = [0u8; 32];
    rand::Rng::fill_bytes(&mut rand::rng(), &mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(&path)
        .with_context(|| format!("cannot create the key file {}", path.display()))?;
    writeln!(f, "{}", data_encoding::HEXLOWER.encode(&key))?;
    tracing::info!(file = %path.display(), "generated a new key file");
    Ok(key.to_vec())
}

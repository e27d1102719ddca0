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
    let text = format!("{}\n", data_encoding::HEXLOWER.encode(&key));
    if !create_private(&path, &text)
        .with_context(|| format!("cannot create the key file {}", path.display()))?
    {
        // Another process created it first: use theirs.
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the key file {}", path.display()))?;
        return parse_key(&text).with_context(|| format!("bad key file {}", path.display()));
    }
    tracing::info!(file = %path.display(), "generated a new key file");
    Ok(key.to_vec())
}

/// Creates the data folder if need be and makes it private (mode 0700 on
/// Unix): it holds the SQLite database, the keys and the search index. A
/// folder others could read is tightened, with a line in the log.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            tracing::info!(folder = %dir.display(), "made the data folder private (0700)");
        }
    }
    Ok(())
}

/// Makes `path` private (mode 0600 on Unix), creating it empty when it
/// does not exist; for the SQLite database, whose journal files SQLite then
/// creates with the same mode.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    drop(options.open(path)?);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path)?.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}

/// Makes an existing `path` private (mode 0600 on Unix) without opening
/// it: for files another part of this process may hold open (closing any
/// descriptor of a SQLite file drops every POSIX lock this process holds
/// on it, and SQLite then fails with "disk I/O error").
pub fn tighten(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path)?.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `path` holding `text` (mode 0600 on Unix) all at once: the text
/// goes to a temporary file in the same folder, is synced, then linked to
/// `path`. A process killed half-way leaves no file (or a stray temporary
/// one), never an empty or partial key that would stop every later start.
/// Returns false, writing nothing, when `path` already exists.
pub fn create_private(path: &Path, text: &str) -> std::io::Result<bool> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    // A hard link, unlike a rename, never replaces a key another process
    // created meanwhile.
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_whole_once_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.key");
        assert!(create_private(&path, "first\n").unwrap());
        assert!(!create_private(&path, "second\n").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.key"], "no temporary file is left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn load_or_create_keeps_the_key_across_calls() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(None, dir.path(), "signing.key").unwrap();
        let again = load_or_create(None, dir.path(), "signing.key").unwrap();
        assert_eq!(first, again);
    }
}

//! Content-addressed download cache: `content/<sha256>` blobs plus an index
//! `index/<sha256(url)>` naming the blob for a URL. Blobs are verified on reuse
//! and a corrupt one is deleted (the install then downloads again).

use crate::error::{IoContext, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// The cache at a folder.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    /// A private stand-in folder, when the configured one cannot be used (kept alive here).
    _fallback: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// The configured cache folder (`--pregyp-cache`, `PREGYP_CACHE`, `<npm cache>/_pregyp`,
/// `~/.npm/_pregyp`), else a folder of this user's in the temp dir: never a shared one
/// another user could fill with tarballs first.
pub fn dir_for(configured: Option<&Path>) -> PathBuf {
    if let Some(d) = configured {
        return d.to_path_buf();
    }
    #[cfg(unix)]
    let user = unsafe { libc::getuid() }.to_string(); // SAFETY: getuid cannot fail.
    #[cfg(not(unix))]
    let user = std::env::var("USERNAME").unwrap_or_default();
    std::env::temp_dir().join(format!("pregyp-cache-{user}"))
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Cache {
    /// A cache rooted at `root` (created lazily).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache {
            root: root.into(),
            _fallback: None,
        }
    }

    /// The cache for an install: the configured folder if it can be created (private to
    /// this user when it is the temp-dir default), else a throw-away folder, so that an
    /// unwritable `~/.npm` slows an install down instead of failing it.
    pub fn open(configured: Option<&Path>) -> Self {
        let dir = dir_for(configured);
        let usable = fs::create_dir_all(&dir).is_ok() && private_enough(&dir, configured.is_none());
        if usable {
            return Cache::new(dir);
        }
        crate::log::warn(format!(
            "cannot use the download cache at {}; continuing without a cache",
            dir.display()
        ));
        match tempfile::Builder::new().prefix("pregyp-cache-").tempdir() {
            Ok(t) => Cache {
                root: t.path().to_path_buf(),
                _fallback: Some(std::sync::Arc::new(t)),
            },
            Err(_) => Cache::new(dir),
        }
    }

    /// The cache folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn index_path(&self, url: &str) -> PathBuf {
        self.root.join("index").join(sha256_hex(url.as_bytes()))
    }

    /// Path of the blob with this hash.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.root.join("content").join(sha256)
    }

    /// Lock file for an install target, so concurrent installs serialize.
    pub fn lock_path(&self, target: &Path) -> Result<PathBuf> {
        let dir = self.root.join("locks");
        fs::create_dir_all(&dir).at("create directory", &dir)?;
        Ok(dir.join(sha256_hex(target.to_string_lossy().as_bytes())))
    }

    /// Where downloads in progress are written (same file system as the blobs).
    pub fn tmp_dir(&self) -> Result<PathBuf> {
        let dir = self.root.join("tmp");
        fs::create_dir_all(&dir).at("create directory", &dir)?;
        Ok(dir)
    }

    /// The verified blob cached for `url` without changing anything (for `explain`).
    pub fn peek(&self, url: &str, expected: Option<&str>) -> Option<(PathBuf, String)> {
        let sha = fs::read_to_string(self.index_path(url))
            .ok()?
            .trim()
            .to_string();
        let blob = self.blob_path(&sha);
        match crate::packing::pack::sha256_file(&blob) {
            Ok((actual, _)) if actual == sha && expected.is_none_or(|e| e == sha) => {
                Some((blob, sha))
            }
            _ => None,
        }
    }

    /// The verified blob cached for `url`, if any. When `expected` is known the blob must
    /// match it too. A corrupt or mismatching entry is removed.
    pub fn lookup(&self, url: &str, expected: Option<&str>) -> Option<(PathBuf, String)> {
        let index = self.index_path(url);
        let sha = fs::read_to_string(&index).ok()?.trim().to_string();
        if sha.len() != 64 || !sha.bytes().all(|c| c.is_ascii_hexdigit()) {
            let _ = fs::remove_file(&index);
            return None;
        }
        let blob = self.blob_path(&sha);
        match crate::packing::pack::sha256_file(&blob).map(|(sha, _)| sha) {
            Ok(actual) if actual == sha && expected.is_none_or(|e| e == sha) => Some((blob, sha)),
            Ok(_) => {
                crate::log::warn(format!(
                    "cache entry for {} is corrupt or outdated; downloading again",
                    crate::redact::redact_url(url)
                ));
                let _ = fs::remove_file(&blob);
                let _ = fs::remove_file(&index);
                None
            }
            Err(_) => {
                let _ = fs::remove_file(&index);
                None
            }
        }
    }

    /// Moves a downloaded file into the cache under its hash and records it for `url`.
    pub fn store(&self, url: &str, file: &Path, sha256: &str) -> Result<PathBuf> {
        let blob = self.blob_path(sha256);
        let content = self.root.join("content");
        fs::create_dir_all(&content).at("create directory", &content)?;
        fs::rename(file, &blob).at("store in cache", &blob)?;
        let index = self.index_path(url);
        let index_dir = self.root.join("index");
        fs::create_dir_all(&index_dir).at("create directory", &index_dir)?;
        // Write-then-rename so readers never see half an index entry.
        let tmp = index.with_extension("tmp");
        fs::write(&tmp, sha256).at("write", &tmp)?;
        fs::rename(&tmp, &index).at("write", &index)?;
        Ok(blob)
    }
}

/// The temp-dir default must be ours and closed to others (it is shared by path).
#[cfg(unix)]
fn private_enough(dir: &Path, is_default: bool) -> bool {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if !is_default {
        return true;
    }
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o077 == 0)
}

#[cfg(not(unix))]
fn private_enough(_dir: &Path, _is_default: bool) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_lookup_and_self_heal() {
        let d = tempfile::tempdir().unwrap();
        let cache = Cache::new(d.path());
        let f = d.path().join("dl");
        fs::write(&f, b"tarball").unwrap();
        let sha = sha256_hex(b"tarball");
        cache.store("https://h/x.tgz", &f, &sha).unwrap();
        let (blob, got) = cache.lookup("https://h/x.tgz", None).unwrap();
        assert_eq!(got, sha);
        assert!(
            cache
                .lookup("https://h/x.tgz", Some(&"0".repeat(64)))
                .is_none(),
            "expected checksum must match"
        );
        // The mismatch above removed the entry; store again, then corrupt the blob.
        fs::write(&f, b"tarball").unwrap();
        cache.store("https://h/x.tgz", &f, &sha).unwrap();
        fs::write(&blob, b"corrupted").unwrap();
        assert!(cache.lookup("https://h/x.tgz", None).is_none());
        assert!(!blob.exists(), "corrupt blob removed");
        assert!(cache.lookup("https://h/other.tgz", None).is_none());
    }

    #[test]
    fn unusable_folder_falls_back_to_a_private_one() {
        let c = Cache::open(Some(Path::new("/proc/pregyp-cannot-exist")));
        assert!(c.root().exists());
        assert!(c.tmp_dir().is_ok());
        let root = c.root().to_path_buf();
        drop(c);
        assert!(!root.exists(), "the stand-in folder is removed");
    }
}

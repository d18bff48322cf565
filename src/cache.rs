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
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Cache {
    /// A cache rooted at `root` (created lazily).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache { root: root.into() }
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
        match crate::pack::sha256_file(&blob).map(|(sha, _)| sha) {
            Ok(actual) if actual == sha && expected.is_none_or(|e| e == sha) => Some((blob, sha)),
            Ok(_) => {
                crate::log::warn(format!(
                    "cache entry for {} is corrupt or outdated; downloading again",
                    crate::error::redact_url(url)
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
}

//! The staged tarball that `package` leaves, as `checksums`, `publish` and
//! `testpackage` find and hash it.

use crate::config::versioning::Config;
use crate::error::{Error, Result};
use crate::packing::pack;
use std::path::{Path, PathBuf};

/// The staged tarball of `config`, which `action` needs (the reference's message when
/// it is missing).
pub fn staged_tarball(config: &Config, action: &'static str) -> Result<PathBuf> {
    let tarball = config.staged_tarball.clone();
    if !tarball.exists() {
        return Err(Error::StagedTarballMissing { action, tarball });
    }
    Ok(tarball)
}

/// sha256 and size of a file, read off the async threads.
pub async fn sha256_of(path: &Path) -> Result<(String, u64)> {
    let p = path.to_path_buf();
    tokio::task::spawn_blocking(move || pack::sha256_file(&p))
        .await
        .map_err(Error::task("hashing"))?
}

//! Staging and atomic placement of an install, and the install lock.
//!
//! An install unpacks into a folder beside `module_path` and moves it into place only
//! when the archive is complete and verified. A killed install leaves that folder (and
//! the previous binding) behind; the next install of the same module_path removes it
//! under the lock. The lock is the kernel's (flock), so a dead holder releases it, and
//! a live one is waited for at most [`LOCK_WAIT`], with an error naming the lock file.

use crate::config::options::Env;
use crate::config::target::HostInfo;
use crate::error::{Error, IoContext, Result};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A folder that replaces module_path on commit, and the parent folders created for it
/// (removed again if the install fails, so nothing outside module_path is left behind).
pub struct Staging {
    dir: Option<tempfile::TempDir>,
    created_parents: Vec<PathBuf>,
    module_path: PathBuf,
}

impl Staging {
    /// A fresh staging folder beside `module_path` (creating its parents if needed).
    pub fn new(module_path: &Path) -> Result<Self> {
        let parent = module_path.parent().unwrap_or(Path::new("/")).to_path_buf();
        let mut created = Vec::new();
        let mut p = parent.as_path();
        while !p.exists() {
            created.push(p.to_path_buf());
            match p.parent() {
                Some(pp) => p = pp,
                None => break,
            }
        }
        fs::create_dir_all(&parent).at("create directory", &parent)?;
        let name = module_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "binding".into());
        let dir = tempfile::Builder::new()
            .prefix(&format!(".{name}.pregyp-"))
            .tempdir_in(&parent)
            .at("create temp directory in", &parent)?;
        Ok(Staging {
            dir: Some(dir),
            created_parents: created,
            module_path: module_path.to_path_buf(),
        })
    }

    /// The staging folder.
    pub fn path(&self) -> &Path {
        self.dir.as_ref().expect("not committed").path()
    }

    /// Loads the staged binding in a child runtime: a binary that cannot load here
    /// (wrong libc, missing symbols) must not replace anything.
    pub async fn verify_load(&self, module_name: &str, host: &HostInfo, env: &Env) -> Result<()> {
        let module = self.path().join(format!("{module_name}.node"));
        crate::building::process::can_load(&module, host, env).await
    }

    /// Puts the staged files in place. A missing module_path is renamed into place whole;
    /// an existing one gets each top-level entry replaced by its namesake (the binding
    /// last), leaving other files there alone, as the reference's `tar.extract` does.
    pub fn commit(mut self, module_file: &str, pause: Option<Duration>) -> Result<()> {
        let dir = self.dir.take().expect("not committed");
        let staged = dir.path().to_path_buf();
        let target = self.module_path.clone();
        match fs::symlink_metadata(&target) {
            Err(_) => {
                crate::place::fsutil::rename(&staged, &target).at("move into place", &target)?;
                let _ = dir.keep();
            }
            Ok(m) if !m.is_dir() => {
                return Err(Error::io(
                    "install into",
                    &target,
                    io::Error::other("module_path exists and is not a directory"),
                ))
            }
            Ok(_) => {
                let mut entries: Vec<_> = fs::read_dir(&staged)
                    .at("read", &staged)?
                    .flatten()
                    .map(|e| e.file_name())
                    .collect();
                // The binding goes last: when it appears, what it links against is there.
                entries.sort_by_key(|n| n == module_file);
                for (i, name) in entries.into_iter().enumerate() {
                    if let (1, Some(p)) = (i, pause) {
                        crate::log::warn(format!("pausing in the commit for {} ms", p.as_millis()));
                        std::thread::sleep(p);
                    }
                    let from = staged.join(&name);
                    let to = target.join(&name);
                    let from_dir = fs::symlink_metadata(&from).at("stat", &from)?.is_dir();
                    match fs::symlink_metadata(&to) {
                        Ok(m) if m.is_dir() && from_dir && exchange(&from, &to).is_ok() => {}
                        Ok(m) if m.is_dir() || from_dir => {
                            crate::place::fsutil::remove_no_follow(&to)?;
                            crate::place::fsutil::rename(&from, &to).at("move into place", &to)?;
                        }
                        _ => replace_file(&from, &to)?,
                    }
                }
                // `staged` now holds only what was replaced; the TempDir removes it.
                drop(dir);
            }
        }
        self.created_parents.clear();
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        drop(self.dir.take());
        for p in &self.created_parents {
            let _ = fs::remove_dir(p);
        }
    }
}

/// Moves the file `from` over `to`: rename(2) replaces a file or symlink atomically.
/// Windows will not replace a DLL that a process has loaded (access denied) but lets it
/// be renamed: the old file then takes `from`'s place in the staging folder, which goes
/// with it (or, while that process still has it, with the next placing install's
/// [`remove_stale_staging`]), and the new one takes its name. Running processes keep the
/// old binding; new ones load the new. Other refusals get `fsutil::rename`'s retries for
/// antivirus and indexer handles.
fn replace_file(from: &Path, to: &Path) -> Result<()> {
    use crate::place::fsutil::rename;
    if cfg!(windows) && to.is_file() {
        match fs::rename(from, to) {
            Ok(()) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(5) => {
                let aside = from.with_extension("replaced");
                rename(to, &aside).at("move the loaded binding aside", to)?;
                return rename(from, to)
                    .inspect_err(|_| {
                        let _ = rename(&aside, to);
                    })
                    .at("move into place", to);
            }
            Err(_) => {}
        }
    }
    rename(from, to).at("move into place", to)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // The raw system call, not libc's renameat2(): musl 1.2.3 (Debian 12, Alpine 3.17) has
    // no such symbol, and a binary importing it would not load there.
    // SAFETY: two valid NUL-terminated paths; renameat2 only touches the file system.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic exchange",
    ))
}

/// Holds an exclusive lock on a file for as long as it lives. The lock is the kernel's
/// (flock), so a killed install releases it; the file itself may stay, harmlessly.
pub struct InstallLock(#[allow(dead_code)] fs::File);

/// Longest wait for another install of the same module_path.
pub const LOCK_WAIT: Duration = Duration::from_secs(300);

/// Takes the install lock at `path` for `module_path`, waiting at most [`LOCK_WAIT`]
/// for another install to finish; the error names the lock file.
pub async fn lock(path: PathBuf, module_path: &Path) -> Result<InstallLock> {
    lock_for("install", path, module_path).await
}

/// [`lock`] for another kind of run (`what`: "migrate"), named so in the wait message.
pub async fn lock_for(what: &str, path: PathBuf, module_path: &Path) -> Result<InstallLock> {
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .at("open lock", &path)?;
    let started = std::time::Instant::now();
    let mut told = false;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(InstallLock(f)),
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(e)) => return Err(Error::io("lock", &path, e)),
        }
        if started.elapsed() >= LOCK_WAIT {
            return Err(Error::Locked {
                lock: path,
                target: module_path.to_path_buf(),
                waited: LOCK_WAIT,
            });
        }
        if !told {
            crate::log::info(format!(
                "waiting for another {what} of {} to finish (lock {})",
                module_path.display(),
                path.display()
            ));
            told = true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Removes the staging folders that installs killed before they finished left beside
/// module_path (`.<name>.pregyp-*`). Called under the install lock, so none is in use.
pub fn remove_stale_staging(module_path: &Path) {
    let (Some(parent), Some(name)) = (module_path.parent(), module_path.file_name()) else {
        return;
    };
    let prefix = format!(".{}.pregyp-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) {
            crate::log::verbose(format!(
                "removing {} (left by an interrupted install)",
                e.path().display()
            ));
            let _ = crate::place::fsutil::remove_no_follow(&e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_commit_replaces_and_failure_cleans_up() {
        let d = tempfile::tempdir().unwrap();
        let module_path = d.path().join("lib/binding/Release");
        // Failure: parents created for staging are removed again.
        drop(Staging::new(&module_path).unwrap());
        assert!(!d.path().join("lib").exists());
        // First install.
        let s = Staging::new(&module_path).unwrap();
        fs::write(s.path().join("m.node"), b"v1").unwrap();
        s.commit("m.node", None).unwrap();
        assert_eq!(fs::read(module_path.join("m.node")).unwrap(), b"v1");
        // Replacement.
        // Replacement: entries are replaced, other files in module_path stay.
        fs::write(module_path.join("user.txt"), b"mine").unwrap();
        fs::create_dir(module_path.join("sub")).unwrap();
        fs::write(module_path.join("sub/old"), b"old").unwrap();
        let s = Staging::new(&module_path).unwrap();
        fs::write(s.path().join("m.node"), b"v2").unwrap();
        fs::create_dir(s.path().join("sub")).unwrap();
        fs::write(s.path().join("sub/new"), b"new").unwrap();
        s.commit("m.node", None).unwrap();
        assert_eq!(fs::read(module_path.join("m.node")).unwrap(), b"v2");
        assert_eq!(fs::read(module_path.join("user.txt")).unwrap(), b"mine");
        assert!(module_path.join("sub/new").exists() && !module_path.join("sub/old").exists());
        let leftovers: Vec<_> = fs::read_dir(module_path.parent().unwrap())
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(leftovers.len(), 1, "no temp dirs left: {leftovers:?}");
        // An abandoned replacement leaves v2 alone.
        let s = Staging::new(&module_path).unwrap();
        fs::write(s.path().join("m.node"), b"v3").unwrap();
        drop(s);
        assert_eq!(fs::read(module_path.join("m.node")).unwrap(), b"v2");
    }
}

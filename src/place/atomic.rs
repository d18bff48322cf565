//! Writing files whole or not at all: one file through a temp file and a rename
//! ([`write_file`]), and a set of files that either all change or all stay as they were
//! ([`write_all`]).
//!
//! A temp file beside its target and a rename: readers never see a half-written file,
//! and a file that a package manager hard-linked from its store (pnpm does) is replaced
//! rather than changed in place, so the store's copy stays as it was.

use crate::error::{Error, IoContext, Result};
use std::path::{Path, PathBuf};

/// The mode a new file gets (tempfile creates 0600; an existing file keeps its own).
#[cfg(unix)]
const NEW_FILE_MODE: u32 = 0o644;

/// Writes `bytes` into a temp file in `path`'s folder, with `path`'s permissions (or
/// the usual ones for a new file), and returns it, not yet in place.
fn stage(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.pregyp-"))
        .tempfile_in(dir)
        .at("create temp file in", dir)?;
    std::io::Write::write_all(&mut tmp, bytes).at("write", tmp.path())?;
    tmp.as_file().sync_all().at("write", tmp.path())?;
    match std::fs::metadata(path) {
        Ok(meta) => std::fs::set_permissions(tmp.path(), meta.permissions())
            .at("set permissions of", tmp.path())?,
        Err(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(
                    tmp.path(),
                    std::fs::Permissions::from_mode(NEW_FILE_MODE),
                )
                .at("set permissions of", tmp.path())?;
            }
        }
    }
    Ok(tmp)
}

/// Replaces (or creates) the file `path` with `bytes`, atomically: a failure leaves the
/// old file as it was. Its folder must exist.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    stage(path, bytes)?
        .persist(path)
        .map_err(|e| Error::io("rename into", path, e.error))?;
    Ok(())
}

/// Why [`write_all`] failed, and what it could not put back.
#[derive(Debug)]
pub struct WriteAllError {
    /// The failure that stopped the writing.
    pub error: Error,
    /// Files that stay changed because putting them back failed too (normally none).
    pub left_changed: Vec<PathBuf>,
}

/// Writes every `(path, bytes)`, or none: all the new contents go to temp files first
/// (with a hard link, or a copy, of each file they replace), and only then is each
/// renamed into place. A failure before the renames leaves every file as it was; a
/// failure during them moves the already renamed files back. Folders it created are
/// removed again on failure.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> std::result::Result<(), Box<WriteAllError>> {
    let fail = |error| {
        Box::new(WriteAllError {
            error,
            left_changed: Vec::new(),
        })
    };
    let mut created: Vec<PathBuf> = Vec::new();
    let mut staged: Vec<(tempfile::NamedTempFile, Option<tempfile::TempPath>)> = Vec::new();
    let prepared = (|| -> Result<()> {
        for (path, bytes) in files {
            let dir = path.parent().unwrap_or(Path::new("."));
            create_dirs(dir, &mut created)?;
            let tmp = stage(path, bytes)?;
            let backup = if path.is_file() {
                Some(keep_copy(path)?)
            } else {
                None
            };
            staged.push((tmp, backup));
        }
        Ok(())
    })();
    if let Err(e) = prepared {
        drop(staged);
        remove_dirs(&created);
        return Err(fail(e));
    }
    let mut done: Vec<(PathBuf, Option<tempfile::TempPath>)> = Vec::new();
    for ((path, _), (tmp, backup)) in files.iter().zip(staged) {
        if let Err(e) = tmp.persist(path) {
            let error = Error::io("rename into", path, e.error);
            // Put back what was renamed already, last first.
            let mut left_changed = Vec::new();
            for (p, b) in done.into_iter().rev() {
                let restored = match b {
                    Some(b) => b.persist(&p).map_err(|e| e.error),
                    None => std::fs::remove_file(&p),
                };
                if restored.is_err() {
                    left_changed.push(p);
                }
            }
            remove_dirs(&created);
            return Err(Box::new(WriteAllError {
                error,
                left_changed,
            }));
        }
        done.push((path.clone(), backup));
    }
    Ok(())
}

/// Creates `dir` and its missing parents, recording each created one (outermost first).
fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.as_os_str().is_empty() && !d.exists() {
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    for m in missing.into_iter().rev() {
        std::fs::create_dir(&m).at("create directory", &m)?;
        created.push(m);
    }
    Ok(())
}

/// Removes the folders `create_dirs` made (innermost first), where they are empty again.
fn remove_dirs(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = std::fs::remove_dir(d);
    }
}

/// A second name for `path`'s current content beside it (a hard link, else a copy):
/// renaming it back restores the file exactly. Removed when dropped.
fn keep_copy(path: &Path) -> Result<tempfile::TempPath> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slot = tempfile::Builder::new()
        .prefix(&format!(".{name}.pregyp-old-"))
        .tempfile_in(dir)
        .at("create temp file in", dir)?
        .into_temp_path();
    let at = slot.to_path_buf();
    std::fs::remove_file(&at).at("remove", &at)?;
    if std::fs::hard_link(path, &at).is_err() {
        std::fs::copy(path, &at).at("copy", path)?;
    }
    Ok(slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_or_nothing() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a.txt");
        std::fs::write(&a, "old a").unwrap();
        let b = t.path().join("new/dir/b.txt");
        // A folder where the last file must go: its rename fails after the others'.
        let c = t.path().join("c");
        std::fs::create_dir_all(c.join("inside")).unwrap();
        let files = vec![
            (a.clone(), b"new a".to_vec()),
            (b.clone(), b"new b".to_vec()),
            (c.clone(), b"new c".to_vec()),
        ];
        let e = write_all(&files).unwrap_err();
        assert!(e.left_changed.is_empty());
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(
            !t.path().join("new").exists(),
            "created folders are removed"
        );
        let mut names: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a.txt", "c"], "no temp file is left");
        // Without the obstacle, everything is written.
        std::fs::remove_dir_all(&c).unwrap();
        write_all(&files).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(std::fs::read_to_string(&c).unwrap(), "new c");
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn write_file_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("x.sh");
        std::fs::write(&p, "1").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_file(&p, b"2").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "2");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o755
        );
        let n = t.path().join("new.txt");
        write_file(&n, b"3").unwrap();
        assert_eq!(
            std::fs::metadata(&n).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }
}

//! File-system helpers shared by the commands.

use crate::error::{Error, IoContext, Result};
use std::path::Path;
use std::time::Duration;

/// How to remove what is at a path, known from its metadata (links not followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// A real folder: the whole tree.
    Tree,
    /// A Windows link to a folder (a junction, as pnpm makes, or a directory symlink):
    /// `remove_dir` removes the link itself; `remove_file` fails on it.
    DirLink,
    /// A file, or a link that `remove_file` deletes (any symlink on Unix).
    File,
}

/// The removal for an entry: `is_dir` and `is_symlink` from `symlink_metadata` (std counts
/// junctions as symlinks), `dir_attribute`: Windows' FILE_ATTRIBUTE_DIRECTORY.
pub fn removal(is_dir: bool, is_symlink: bool, dir_attribute: bool, windows: bool) -> Removal {
    if is_symlink && windows && dir_attribute {
        Removal::DirLink
    } else if is_dir && !is_symlink {
        Removal::Tree
    } else {
        Removal::File
    }
}

#[cfg(windows)]
fn dir_attribute(m: &std::fs::Metadata) -> bool {
    use std::os::windows::fs::MetadataExt;
    m.file_attributes() & 0x10 != 0
}

#[cfg(not(windows))]
fn dir_attribute(_: &std::fs::Metadata) -> bool {
    false
}

/// Removes a file, a symlink or junction (never following it) or a whole tree.
/// Returns whether something was there.
pub fn remove_no_follow(p: &Path) -> Result<bool> {
    let m = match std::fs::symlink_metadata(p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io("stat", p, e)),
        Ok(m) => m,
    };
    let ft = m.file_type();
    match removal(
        m.is_dir(),
        ft.is_symlink(),
        dir_attribute(&m),
        cfg!(windows),
    ) {
        Removal::Tree => std::fs::remove_dir_all(p),
        Removal::DirLink => std::fs::remove_dir(p),
        Removal::File => std::fs::remove_file(p),
    }
    .at("remove", p)
    .map(|_| true)
}

/// How long to wait before renaming again after `code` (the OS error) on attempt
/// `attempt` (0-based), or None to give up. On Windows an antivirus scanner or the search
/// indexer briefly holds freshly written files open, and a rename then fails with
/// access denied (5), a sharing violation (32) or a lock violation (33): npm's
/// graceful-fs retries those too. 8 tries, 10 ms doubling: at most about 2.5 s.
pub fn rename_retry_delay(code: Option<i32>, attempt: u32, windows: bool) -> Option<Duration> {
    const TRANSIENT: [i32; 3] = [5, 32, 33];
    (windows && attempt < 8 && code.is_some_and(|c| TRANSIENT.contains(&c)))
        .then(|| Duration::from_millis(10 << attempt))
}

/// `fs::rename`, retried (bounded) while Windows reports the files busy.
pub fn rename(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut attempt = 0;
    loop {
        match std::fs::rename(from, to) {
            Err(e) => match rename_retry_delay(e.raw_os_error(), attempt, cfg!(windows)) {
                Some(d) => std::thread::sleep(d),
                None => return Err(e),
            },
            ok => return ok,
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_files_are_renamed_again_on_windows_only_and_not_forever() {
        let delays: Vec<_> = (0..10)
            .map_while(|a| rename_retry_delay(Some(32), a, true))
            .collect();
        assert_eq!(delays.len(), 8);
        assert!(delays.iter().sum::<Duration>() < Duration::from_secs(3));
        assert!(rename_retry_delay(Some(5), 0, true).is_some());
        assert!(rename_retry_delay(Some(33), 0, true).is_some());
        // Not found, or anything on Unix (EACCES is 13, and 5 is EIO there): no retry.
        assert_eq!(rename_retry_delay(Some(2), 0, true), None);
        assert_eq!(rename_retry_delay(None, 0, true), None);
        assert_eq!(rename_retry_delay(Some(5), 0, false), None);
        assert_eq!(rename_retry_delay(Some(32), 0, false), None);
    }

    #[test]
    fn windows_folder_links_are_removed_as_folders() {
        // A junction or directory symlink on Windows: remove_dir, never the tree behind it.
        assert_eq!(removal(false, true, true, true), Removal::DirLink);
        // A file symlink there, and every symlink on Unix: remove_file.
        assert_eq!(removal(false, true, false, true), Removal::File);
        assert_eq!(removal(false, true, false, false), Removal::File);
        assert_eq!(removal(false, true, true, false), Removal::File);
        assert_eq!(removal(true, false, true, true), Removal::Tree);
        assert_eq!(removal(true, false, false, false), Removal::Tree);
        assert_eq!(removal(false, false, false, false), Removal::File);
    }

    #[test]
    fn removes_links_not_their_targets() {
        let t = tempfile::tempdir().unwrap();
        let target = t.path().join("target");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), "x").unwrap();
        #[cfg(unix)]
        {
            let link = t.path().join("link");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            assert!(remove_no_follow(&link).unwrap());
            assert!(target.join("keep").exists());
        }
        // (Under Wine, and on Windows with the right to make symlinks.)
        #[cfg(windows)]
        {
            let link = t.path().join("dirlink");
            if std::os::windows::fs::symlink_dir(&target, &link).is_ok() {
                assert!(remove_no_follow(&link).unwrap());
                assert!(!link.exists() && target.join("keep").exists());
            }
        }
        assert!(remove_no_follow(&target).unwrap());
        assert!(!remove_no_follow(&target).unwrap());
        let tree = t.path().join("tree/a/b");
        std::fs::create_dir_all(&tree).unwrap();
        std::fs::write(tree.join("f"), "x").unwrap();
        assert!(remove_no_follow(&t.path().join("tree")).unwrap());
        assert!(!t.path().join("tree").exists());
    }
}

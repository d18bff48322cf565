//! File-system helpers shared by the commands.

use crate::error::{Error, IoContext, Result};
use std::path::Path;

/// Removes a file, a symlink (never following it) or a whole tree.
/// Returns whether something was there.
pub fn remove_no_follow(p: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("stat", p, e)),
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p).at("remove", p).map(|_| true),
        Ok(_) => std::fs::remove_file(p).at("remove", p).map(|_| true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(remove_no_follow(&target).unwrap());
        assert!(!remove_no_follow(&target).unwrap());
        let tree = t.path().join("tree/a/b");
        std::fs::create_dir_all(&tree).unwrap();
        std::fs::write(tree.join("f"), "x").unwrap();
        assert!(remove_no_follow(&t.path().join("tree")).unwrap());
        assert!(!t.path().join("tree").exists());
    }
}

//! The few file-system questions find() asks: read a file, is this a file, the real
//! path of a folder, does a folder hold anything. Natively they go to `std::fs`; in the
//! WebAssembly fallback (wasm32-unknown-unknown has no file system) the JS host answers
//! them (see src/wasm.rs and lib/wasm.js), so the config model itself stays the same
//! code on both.

use std::io;
use std::path::{Path, PathBuf};

#[cfg(not(target_family = "wasm"))]
mod imp {
    use super::*;

    pub fn read(path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    pub fn is_file(path: &Path) -> bool {
        path.is_file()
    }

    pub fn exists(path: &Path) -> bool {
        path.exists()
    }

    // dunce: on Windows, the plain drive path rather than std's `\\?\` form, which
    // find() would return and which `require` and users do not expect.
    pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
        dunce::canonicalize(path)
    }

    pub fn has_entries(path: &Path) -> bool {
        std::fs::read_dir(path)
            .map(|mut d| d.any(|e| e.is_ok()))
            .unwrap_or(false)
    }
}

#[cfg(target_family = "wasm")]
mod imp {
    use super::*;

    pub fn read(path: &Path) -> io::Result<Vec<u8>> {
        crate::wasm::host_read(path)
    }

    pub fn is_file(path: &Path) -> bool {
        crate::wasm::host_stat(path) == 1
    }

    pub fn exists(path: &Path) -> bool {
        crate::wasm::host_stat(path) != 0
    }

    pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
        crate::wasm::host_realpath(path)
    }

    pub fn has_entries(path: &Path) -> bool {
        crate::wasm::host_has_entries(path)
    }
}

/// The bytes of `path`.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    imp::read(path)
}

/// The text of `path` (invalid UTF-8 is an `InvalidData` error, as `fs::read_to_string`).
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read(path)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Whether `path` is a file (following links).
pub fn is_file(path: &Path) -> bool {
    imp::is_file(path)
}

/// Whether anything is at `path` (following links).
pub fn exists(path: &Path) -> bool {
    imp::exists(path)
}

/// The real path of `path`.
pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    imp::canonicalize(path)
}

/// Whether the folder `path` holds at least one entry.
pub fn has_entries(path: &Path) -> bool {
    imp::has_entries(path)
}

#[cfg(test)]
mod tests {
    // On Windows std's canonicalize gives `\\?\C:\…`, which find() would return and
    // `require` and users do not expect (run under Wine by the cross tests).
    #[test]
    fn canonical_paths_are_plain_drive_paths() {
        let d = tempfile::tempdir().unwrap();
        let c = super::canonicalize(d.path()).unwrap();
        assert!(!c.to_string_lossy().starts_with(r"\\?\"), "{}", c.display());
        assert!(c.is_absolute());
        assert_eq!(super::canonicalize(&c).unwrap(), c);
    }
}

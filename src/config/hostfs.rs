//! The few file-system questions find() asks: read a file, is this a file, the real
//! path of a folder, does a folder hold anything. Natively they go to `std::fs`; in the
//! WebAssembly fallback (wasm32-unknown-unknown has no file system) the JS host answers
//! them (lib/wasm.js; the exports are in binding/wasm.rs), so the config model itself
//! stays the same code on both.

use std::io;
use std::path::{Path, PathBuf};

/// A package.json's JSON, past a UTF-8 byte order mark if it starts with one: npm (and
/// Node's `require` of a .json file) read such a file, so pregyp does too.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &[u8]) -> serde_json::Result<T> {
    serde_json::from_slice(text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text))
}

#[cfg(not(target_family = "wasm"))]
mod imp {
    use super::*;

    pub fn read(path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    pub fn is_file(path: &Path) -> bool {
        path.is_file()
    }

    pub fn is_dir(path: &Path) -> bool {
        path.is_dir()
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

// The WebAssembly fallback: the JS host (lib/wasm.js) answers through these imports. An
// answer of variable length waits on the host's side ("pending") until `take` copies it.
#[cfg(target_family = "wasm")]
mod imp {
    use super::*;

    #[link(wasm_import_module = "pregyp")]
    extern "C" {
        /// Reads the file; 0 ok (bytes pending), 1 not found, 2 other error (message pending).
        #[link_name = "read"]
        fn host_read(ptr: *const u8, len: usize) -> i32;
        /// Resolves the real path; statuses as `read` (path pending).
        #[link_name = "realpath"]
        fn host_realpath(ptr: *const u8, len: usize) -> i32;
        /// 0 nothing there, 1 a file, 2 anything else (following links).
        #[link_name = "stat"]
        fn host_stat(ptr: *const u8, len: usize) -> i32;
        /// 1 when the folder holds at least one entry.
        #[link_name = "has_entries"]
        fn host_has_entries(ptr: *const u8, len: usize) -> i32;
        /// 1 when the variable is set (value pending), else 0.
        #[link_name = "env"]
        fn host_env(ptr: *const u8, len: usize) -> i32;
        /// The C library: "<family> <version>" pending.
        #[link_name = "libc"]
        fn host_libc() -> i32;
        /// The length of the pending bytes.
        #[link_name = "pending_len"]
        fn host_pending_len() -> usize;
        /// Copies the pending bytes to `dst`.
        #[link_name = "take"]
        fn host_take(dst: *mut u8);
    }

    fn pending() -> Vec<u8> {
        // SAFETY: the host copies exactly pending_len() bytes into the buffer.
        unsafe {
            let mut buf = vec![0u8; host_pending_len()];
            host_take(buf.as_mut_ptr());
            buf
        }
    }

    // Paths here are built from the JS strings (UTF-8) and ASCII joins.
    fn text(path: &Path) -> &str {
        path.to_str().unwrap_or_default()
    }

    fn answer(status: i32) -> io::Result<Vec<u8>> {
        match status {
            0 => Ok(pending()),
            1 => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "No such file or directory (os error 2)",
            )),
            _ => Err(io::Error::other(
                String::from_utf8_lossy(&pending()).into_owned(),
            )),
        }
    }

    pub fn read(path: &Path) -> io::Result<Vec<u8>> {
        let p = text(path);
        // SAFETY: the import reads `len` bytes at `ptr`.
        answer(unsafe { host_read(p.as_ptr(), p.len()) })
    }

    fn kind(path: &Path) -> i32 {
        let p = text(path);
        // SAFETY: as above.
        unsafe { host_stat(p.as_ptr(), p.len()) }
    }

    pub fn is_file(path: &Path) -> bool {
        kind(path) == 1
    }

    pub fn is_dir(path: &Path) -> bool {
        kind(path) == 2
    }

    pub fn exists(path: &Path) -> bool {
        kind(path) != 0
    }

    pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
        let p = text(path);
        // SAFETY: as above.
        let bytes = answer(unsafe { host_realpath(p.as_ptr(), p.len()) })?;
        Ok(PathBuf::from(String::from_utf8_lossy(&bytes).into_owned()))
    }

    pub fn has_entries(path: &Path) -> bool {
        let p = text(path);
        // SAFETY: as above.
        unsafe { host_has_entries(p.as_ptr(), p.len()) == 1 }
    }

    pub fn env_var(k: &str) -> Option<String> {
        // SAFETY: as above.
        (unsafe { host_env(k.as_ptr(), k.len()) } == 1)
            .then(|| String::from_utf8_lossy(&pending()).into_owned())
    }

    pub fn libc_text() -> String {
        // SAFETY: no arguments; the answer is pending.
        unsafe { host_libc() };
        String::from_utf8_lossy(&pending()).into_owned()
    }
}

/// An environment variable, from the JS host (wasm32 has no environment).
#[cfg(target_family = "wasm")]
pub fn env_var(k: &str) -> Option<String> {
    imp::env_var(k)
}

/// The C library the JS host detected ("<family> <version>"; there is no `dlsym` to ask).
#[cfg(target_family = "wasm")]
pub fn libc_text() -> String {
    imp::libc_text()
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

/// Whether `path` is a folder (following links).
pub fn is_dir(path: &Path) -> bool {
    imp::is_dir(path)
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

//! Safe streaming unpack of a binary tarball into a fresh directory.
//!
//! Entries are written below `dest` only: absolute paths, `..`, links pointing
//! outside, hard links to anything but an earlier file of the same archive, devices
//! and FIFOs are refused, no symlink is ever
//! followed while writing, setuid/setgid/sticky bits are dropped and the total
//! unpacked size is capped (gzip bombs). Like the reference (`tar.extract({strip: 1})`)
//! the first path component (the module_path folder name) is stripped.

use crate::error::{Error, IoContext, Result};
use flate2::read::GzDecoder;
use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};

/// Bounds on what an archive may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Total bytes of file contents.
    pub max_unpacked_size: u64,
    /// Number of entries.
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unpacked_size: 1 << 30,
            max_entries: 100_000,
        }
    }
}

impl Limits {
    /// The defaults, with `--max-unpacked-size` from the command's options.
    pub fn for_options(opts: &crate::config::options::Options) -> Self {
        Limits {
            max_unpacked_size: opts.max_unpacked_size,
            ..Limits::default()
        }
    }
}

/// What was unpacked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnpackStats {
    /// Regular files written.
    pub files: u64,
    /// Bytes of file contents written.
    pub bytes: u64,
}

fn unsafe_entry(source: &str, entry: &str, reason: impl Into<String>) -> Error {
    Error::UnsafeArchive {
        source_name: source.to_string(),
        entry: entry.to_string(),
        reason: reason.into(),
    }
}

fn bad_archive(source: &str, detail: String) -> Error {
    Error::BadArchive {
        source_name: source.to_string(),
        detail,
        source: None,
    }
}

/// A read of the archive failed (corrupt or truncated gzip or tar): the I/O error is
/// both the message's detail and the kept cause.
pub fn bad_archive_io(source: &str, e: std::io::Error) -> Error {
    Error::BadArchive {
        source_name: source.to_string(),
        detail: e.to_string(),
        source: Some(e),
    }
}

/// Why Windows cannot hold `name` (one path component) as the file it claims to be:
/// `a:b` writes the stream `b` of the file `a`, `C:` is a drive, `CON`, `NUL`, `COM1`
/// (with any extension) are devices, and `<>"|?*`, control characters and a trailing
/// dot or space are not kept as written.
pub fn windows_name_problem(name: &str) -> Option<&'static str> {
    if name.contains(':') {
        return Some("has a `:` (a drive or an alternate data stream on Windows)");
    }
    if name
        .chars()
        .any(|c| "<>\"|?*".contains(c) || c.is_control())
    {
        return Some("has a character Windows does not allow in names");
    }
    if name.ends_with(['.', ' ']) && name != "." && name != ".." {
        return Some("ends with a dot or space, which Windows drops");
    }
    let stem = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    let device = matches!(
        stem.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || (stem.len() == 4
        && (stem.starts_with("COM") || stem.starts_with("LPT"))
        && stem.as_bytes()[3].is_ascii_digit());
    device.then_some("is a reserved device name on Windows (CON, NUL, COM1, ...)")
}

/// The entry path with its first component stripped; `None` for the top folder itself.
fn stripped(source: &str, raw: &Path) -> Result<Option<PathBuf>> {
    stripped_on(source, raw, cfg!(windows))
}

/// [`stripped`], with Windows' rules or not: there, `\` separates too and every name
/// must be one Windows holds as written ([`windows_name_problem`]).
fn stripped_on(source: &str, raw: &Path, windows: bool) -> Result<Option<PathBuf>> {
    let shown = raw.display().to_string();
    if windows {
        for name in shown.split(['/', '\\']) {
            if name == ".." {
                return Err(unsafe_entry(source, &shown, "contains `..`"));
            }
            if let Some(why) = windows_name_problem(name) {
                return Err(unsafe_entry(source, &shown, why));
            }
        }
    }
    // `Path::components` folds `//`, so `binding//tmp/x` would read as `binding/tmp/x`;
    // a textual strip (node-tar's) makes it `/tmp/x`. Refuse what is absolute either way.
    if rooted_after_first_component(&shown) {
        return Err(unsafe_entry(
            source,
            &shown,
            "has an absolute path once its first folder is stripped",
        ));
    }
    let mut out = PathBuf::new();
    let mut first = true;
    for c in raw.components() {
        match c {
            Component::Normal(n) => {
                if first {
                    first = false;
                } else {
                    out.push(n);
                }
            }
            Component::CurDir => {}
            Component::ParentDir => return Err(unsafe_entry(source, &shown, "contains `..`")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(unsafe_entry(source, &shown, "has an absolute path"))
            }
        }
    }
    Ok(if out.as_os_str().is_empty() {
        None
    } else {
        Some(out)
    })
}

/// Whether `raw` (an archive path as text) starts with `/` once its first component is
/// removed the way node-tar's `strip: 1` removes it (split on `/`, drop one part).
fn rooted_after_first_component(raw: &str) -> bool {
    let raw = raw.trim_start_matches("./");
    match raw.split_once(['/', '\\']) {
        Some((_, rest)) => rest.starts_with(['/', '\\']),
        None => false,
    }
}

/// Whether a symlink at `rel` (relative to dest) pointing to `target` stays inside dest,
/// read as text (links through other links are checked after unpacking).
pub fn link_stays_inside(rel: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    // Depth of the link's folder below dest, then walk the target.
    let mut depth: i64 = rel.components().count() as i64 - 1;
    for c in target.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Creates the parent folders of `rel` under `dest`, refusing to pass through a symlink.
fn make_parents(dest: &Path, rel: &Path, source: &str) -> Result<()> {
    let mut cur = dest.to_path_buf();
    let parents: Vec<_> = rel
        .parent()
        .map(|p| p.components().collect())
        .unwrap_or_default();
    for c in parents {
        cur.push(c);
        match fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(unsafe_entry(
                    source,
                    &rel.display().to_string(),
                    "would be written through a symlink",
                ))
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(unsafe_entry(
                    source,
                    &rel.display().to_string(),
                    "has a parent that is a file",
                ))
            }
            Err(_) => fs::create_dir(&cur).at("create directory", &cur)?,
        }
    }
    Ok(())
}

/// Removes whatever an earlier entry left at `path` (tar semantics: later entries win),
/// without following symlinks.
fn clear_slot(path: &Path) -> Result<()> {
    crate::place::fsutil::remove_no_follow(path).map(|_| ())
}

#[cfg(unix)]
fn open_new(path: &Path, mode: u32) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn open_new(path: &Path, _mode: u32) -> io::Result<fs::File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Copies at most `size` bytes from `from` (the archive) to `to` (the file at `out`)
/// through `buf`; returns the count. A read error is the archive's fault; a write error
/// (a full disk, a read-only folder) is the destination's, and names it.
fn copy_exact(
    from: &mut impl Read,
    to: &mut impl Write,
    size: u64,
    buf: &mut [u8],
    source: &str,
    out: &Path,
) -> Result<u64> {
    let mut done = 0u64;
    while done < size {
        let want = buf.len().min((size - done) as usize);
        let n = from
            .read(&mut buf[..want])
            .map_err(|e| bad_archive_io(source, e))?;
        if n == 0 {
            break;
        }
        to.write_all(&buf[..n]).at("write", out)?;
        done += n as u64;
    }
    Ok(done)
}

/// Unpacks a gzip'd tar read from `reader` into `dest` (an existing, empty folder).
/// `source` names the archive in errors (a URL or file path).
pub fn unpack_tar_gz<R: Read>(
    reader: R,
    dest: &Path,
    source: &str,
    limits: &Limits,
) -> Result<UnpackStats> {
    let mut archive = tar::Archive::new(GzDecoder::new(reader));
    let stats = unpack_entries(&mut archive, dest, source, limits)?;
    // Read the rest of the stream so gzip verifies its CRC and length trailer.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|e| bad_archive_io(source, e))?;
    Ok(stats)
}

/// Unpacks an uncompressed tar read from `reader` into `dest`, with the same checks.
pub fn unpack_tar<R: Read>(
    reader: R,
    dest: &Path,
    source: &str,
    limits: &Limits,
) -> Result<UnpackStats> {
    unpack_entries(&mut tar::Archive::new(reader), dest, source, limits)
}

fn unpack_entries<R: Read>(
    archive: &mut tar::Archive<R>,
    dest: &Path,
    source: &str,
    limits: &Limits,
) -> Result<UnpackStats> {
    let mut stats = UnpackStats::default();
    let mut entries_seen = 0u64;
    // One large buffer for every file: fewer, bigger writes than io::copy's 8 KiB.
    let mut buf = vec![0u8; 256 * 1024];
    let mut links: Vec<(PathBuf, String)> = Vec::new();
    // Regular files written so far (relative to dest): the only targets a hard link may name.
    let mut written: HashSet<PathBuf> = HashSet::new();
    let entries = archive.entries().map_err(|e| bad_archive_io(source, e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad_archive_io(source, e))?;
        entries_seen += 1;
        if entries_seen > limits.max_entries {
            return Err(unsafe_entry(
                source,
                "",
                format!("archive has more than {} entries", limits.max_entries),
            ));
        }
        let raw = entry
            .path()
            .map_err(|e| bad_archive_io(source, e))?
            .into_owned();
        let shown = raw.display().to_string();
        let kind = entry.header().entry_type();
        let Some(rel) = stripped(source, &raw)? else {
            if kind.is_dir() {
                continue;
            }
            return Err(unsafe_entry(
                source,
                &shown,
                "would replace module_path itself",
            ));
        };
        let out = dest.join(&rel);
        match kind {
            tar::EntryType::Directory => {
                make_parents(dest, &rel, source)?;
                match fs::symlink_metadata(&out) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => {
                        clear_slot(&out)?;
                        fs::create_dir(&out).at("create directory", &out)?;
                    }
                    Err(_) => fs::create_dir(&out).at("create directory", &out)?,
                }
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                // The entry's size, a PAX `size` record included (files over 8 GiB, or
                // any writer that uses one): not the header's field alone.
                let size = entry.size();
                if stats.bytes.saturating_add(size) > limits.max_unpacked_size {
                    return Err(unsafe_entry(
                        source,
                        &shown,
                        format!(
                            "would unpack to more than {} bytes (raise --max-unpacked-size if this is expected)",
                            limits.max_unpacked_size
                        ),
                    ));
                }
                make_parents(dest, &rel, source)?;
                clear_slot(&out)?;
                // Only permission bits: setuid, setgid and sticky are dropped.
                let mode = entry.header().mode().unwrap_or(0o644) & 0o777 | 0o600;
                let mut f = open_new(&out, mode).at("create", &out)?;
                // Never trust the header alone: count what is actually written.
                let copied = copy_exact(&mut entry, &mut f, size, &mut buf, source, &out)?;
                if copied != size {
                    return Err(bad_archive(source, format!("entry `{shown}` is truncated")));
                }
                f.flush().at("write", &out)?;
                written.insert(rel.clone());
                stats.files += 1;
                stats.bytes += copied;
            }
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name()
                    .map_err(|e| bad_archive_io(source, e))?
                    .ok_or_else(|| bad_archive(source, format!("symlink `{shown}` has no target")))?
                    .into_owned();
                if !link_stays_inside(&rel, &target) {
                    return Err(unsafe_entry(
                        source,
                        &shown,
                        format!(
                            "is a symlink pointing outside the package ({})",
                            target.display()
                        ),
                    ));
                }
                make_parents(dest, &rel, source)?;
                clear_slot(&out)?;
                #[cfg(unix)]
                std::os::unix::fs::symlink(&target, &out).at("create symlink", &out)?;
                links.push((out.clone(), shown.clone()));
                #[cfg(not(unix))]
                return Err(unsafe_entry(
                    source,
                    &shown,
                    "is a symlink (unsupported on this platform)",
                ));
            }
            tar::EntryType::Link => {
                // gyp's make copies the binding with `ln -f`, so tarballs packed from a
                // `build/Release` module_path hold `Release/x.node` as a hard link to
                // `Release/obj.target/x.node`. A link to a file this archive already
                // wrote is a copy of it; anything else stays refused.
                let target = entry
                    .link_name()
                    .map_err(|e| bad_archive_io(source, e))?
                    .ok_or_else(|| {
                        bad_archive(source, format!("hard link `{shown}` has no target"))
                    })?
                    .into_owned();
                let target_rel = match stripped(source, &target) {
                    Ok(Some(t)) if written.contains(&t) => t,
                    _ => {
                        return Err(unsafe_entry(
                            source,
                            &shown,
                            format!(
                            "is a hard link to {}, which is not an earlier file of this archive",
                            target.display()
                        ),
                        ))
                    }
                };
                if target_rel == rel {
                    // A link to its own path (`ln -f x x` packed as it is): the file it
                    // names is the one already written there; nothing to do.
                    continue;
                }
                make_parents(dest, &rel, source)?;
                let from = dest.join(&target_rel);
                // The target was a regular file when written; make sure no later entry
                // turned it (or a folder above it) into a link leading elsewhere.
                let root = fs::canonicalize(dest).at("resolve", dest)?;
                let real = fs::canonicalize(&from).at("resolve", &from)?;
                if !real.starts_with(&root)
                    || !fs::symlink_metadata(&from).is_ok_and(|m| m.is_file())
                {
                    return Err(unsafe_entry(
                        source,
                        &shown,
                        format!(
                            "is a hard link to {}, which is no longer a file of this archive",
                            target.display()
                        ),
                    ));
                }
                clear_slot(&out)?;
                if fs::hard_link(&real, &out).is_err() {
                    fs::copy(&real, &out).at("copy", &out)?;
                }
                written.insert(rel.clone());
                stats.files += 1;
            }
            tar::EntryType::Char | tar::EntryType::Block => {
                return Err(unsafe_entry(source, &shown, "is a device file"))
            }
            tar::EntryType::Fifo => return Err(unsafe_entry(source, &shown, "is a FIFO")),
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => {}
            other => {
                return Err(unsafe_entry(
                    source,
                    &shown,
                    format!("has an unsupported type ({other:?})"),
                ))
            }
        }
    }
    // Each link was checked as text when written; links through other links (`a -> .`,
    // `b -> a/a/../..`) can still escape, so resolve every one now that all exist.
    if !links.is_empty() {
        let root = fs::canonicalize(dest).at("resolve", dest)?;
        for (link, shown) in &links {
            match fs::canonicalize(link) {
                Ok(real) if real.starts_with(&root) => {}
                Ok(real) => {
                    return Err(unsafe_entry(
                        source,
                        shown,
                        format!(
                            "is a symlink that resolves outside the package ({})",
                            real.display()
                        ),
                    ))
                }
                Err(_) => {
                    return Err(unsafe_entry(
                        source,
                        shown,
                        "is a symlink to nothing inside the package",
                    ))
                }
            }
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_are_refused_on_windows_only() {
        let on = |p: &str, w: bool| stripped_on("t.tgz", Path::new(p), w);
        for bad in [
            "pkg/a:b",
            "pkg/CON",
            "pkg/sub/nul.txt",
            "pkg/Com1.node",
            "pkg/lpt9",
            "pkg/..\\x",
            "pkg/C:\\x",
            "pkg/C:x",
            "pkg/x.",
            "pkg/a|b",
            "pkg/sub\\..\\..\\y",
        ] {
            match on(bad, true) {
                Err(Error::UnsafeArchive { entry, .. }) => assert_eq!(entry, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
        for good in [
            "pkg/console.js",
            "pkg/lib/m.node",
            "pkg/com.node",
            "pkg/COM10",
            "pkg/nullable.h",
            "pkg/.hidden",
        ] {
            assert!(on(good, true).unwrap().is_some(), "{good}");
        }
        // Elsewhere these are ordinary names.
        assert_eq!(on("pkg/a:b", false).unwrap(), Some(PathBuf::from("a:b")));
        assert_eq!(on("pkg/CON", false).unwrap(), Some(PathBuf::from("CON")));
        assert!(windows_name_problem("CONOUT$").is_some());
        assert!(windows_name_problem("aux .txt").is_some());
    }
    use flate2::{write::GzEncoder, Compression};

    enum E<'a> {
        File(&'a str, &'a [u8], u32),
        Dir(&'a str),
        Link(&'a str, &'a str),
        Hard(&'a str, &'a str),
        Kind(&'a str, tar::EntryType),
    }

    fn tgz(entries: &[E]) -> Vec<u8> {
        let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
        for e in entries {
            let mut h = tar::Header::new_gnu();
            let (name, kind, data, mode, link): (&str, tar::EntryType, &[u8], u32, Option<&str>) =
                match e {
                    E::File(n, d, m) => (n, tar::EntryType::Regular, d, *m, None),
                    E::Dir(n) => (n, tar::EntryType::Directory, &[], 0o755, None),
                    E::Link(n, t) => (n, tar::EntryType::Symlink, &[], 0o777, Some(t)),
                    E::Hard(n, t) => (n, tar::EntryType::Link, &[], 0o644, Some(t)),
                    E::Kind(n, k) => (n, *k, &[], 0o644, None),
                };
            h.set_entry_type(kind);
            h.set_size(data.len() as u64);
            h.set_mode(mode);
            // Write the raw name so attack paths survive (set_path would refuse them).
            let gnu = h.as_gnu_mut().unwrap();
            gnu.name[..name.len()].copy_from_slice(name.as_bytes());
            if let Some(t) = link {
                gnu.linkname[..t.len()].copy_from_slice(t.as_bytes());
            }
            h.set_cksum();
            b.append(&h, data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    fn unpack(bytes: &[u8]) -> (tempfile::TempDir, Result<UnpackStats>) {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        fs::create_dir(&dest).unwrap();
        let r = unpack_tar_gz(bytes, &dest, "test.tgz", &Limits::default());
        (d, r)
    }

    #[test]
    fn unpacks_and_strips_the_top_folder() {
        let (d, r) = unpack(&tgz(&[
            E::Dir("binding/"),
            E::File("binding/m.node", b"ELF", 0o755),
            E::Dir("binding/sub/"),
            E::File("binding/sub/data.txt", b"hi", 0o4755),
            E::Link("binding/alias.node", "m.node"),
        ]));
        assert_eq!(r.unwrap(), UnpackStats { files: 2, bytes: 5 });
        let out = d.path().join("out");
        assert_eq!(fs::read(out.join("m.node")).unwrap(), b"ELF");
        assert_eq!(fs::read(out.join("alias.node")).unwrap(), b"ELF");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(out.join("sub/data.txt"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o7000, 0, "setuid dropped");
        }
    }

    /// A hard link to its own path after that file leaves the file as it was.
    #[test]
    fn hard_link_to_itself_keeps_the_file() {
        let (d, r) = unpack(&tgz(&[
            E::Dir("binding/"),
            E::File("binding/m.node", b"ELF", 0o755),
            E::Hard("binding/m.node", "binding/m.node"),
        ]));
        assert_eq!(r.unwrap(), UnpackStats { files: 1, bytes: 3 });
        assert_eq!(fs::read(d.path().join("out/m.node")).unwrap(), b"ELF");
    }

    /// A PAX `size` record overrides the header's size field (which a writer may leave
    /// at 0): the file gets every byte the record announces.
    #[test]
    fn pax_size_record_wins_over_the_header() {
        let mut b = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_ustar();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o755);
        dir.set_size(0);
        b.append_data(&mut dir, "binding/", std::io::empty())
            .unwrap();
        b.append_pax_extensions([("size", &b"7"[..])]).unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o755);
        h.set_path("binding/m.node").unwrap();
        h.set_size(0);
        h.set_cksum();
        // The header says 0 bytes; 7 follow, as the record says.
        b.append(&h, &b"ELF+pax"[..]).unwrap();
        let raw = b.into_inner().unwrap();
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("out");
        fs::create_dir(&dest).unwrap();
        let stats = unpack_tar(&raw[..], &dest, "pax.tar", &Limits::default()).unwrap();
        assert_eq!(stats, UnpackStats { files: 1, bytes: 7 });
        assert_eq!(fs::read(dest.join("m.node")).unwrap(), b"ELF+pax");
    }

    #[test]
    fn refuses_attacks_and_writes_nothing_outside() {
        let attacks: Vec<(Vec<u8>, &str)> = vec![
            (
                tgz(&[E::File("binding/../../evil", b"x", 0o644)]),
                "contains `..`",
            ),
            (
                tgz(&[E::File("/tmp/evil-abs", b"x", 0o644)]),
                "absolute path",
            ),
            (
                tgz(&[E::Link("binding/l", "/etc/passwd")]),
                "pointing outside",
            ),
            (tgz(&[E::Link("binding/l", "../../x")]), "pointing outside"),
            (
                tgz(&[
                    E::Link("binding/d", "."),
                    E::File("binding/d/x", b"x", 0o644),
                ]),
                "through a symlink",
            ),
            (tgz(&[E::Hard("binding/h", "/etc/passwd")]), "hard link"),
            (
                tgz(&[E::Hard("binding/h", "binding/../../etc/passwd")]),
                "not an earlier file",
            ),
            // A link to a file the archive only writes later, or never.
            (
                tgz(&[
                    E::Hard("binding/h", "binding/later"),
                    E::File("binding/later", b"x", 0o644),
                ]),
                "not an earlier file",
            ),
            // A link to an earlier entry that is not a regular file.
            (
                tgz(&[E::Dir("binding/d/"), E::Hard("binding/h", "binding/d")]),
                "not an earlier file",
            ),
            // Re-rooted by a textual strip (`binding//tmp/x` -> `/tmp/x`).
            (
                tgz(&[E::File("binding//tmp/evil-abs", b"x", 0o644)]),
                "absolute path once its first folder is stripped",
            ),
            (tgz(&[E::Kind("binding/c", tar::EntryType::Char)]), "device"),
            (
                tgz(&[E::Kind("binding/b", tar::EntryType::Block)]),
                "device",
            ),
            (tgz(&[E::Kind("binding/f", tar::EntryType::Fifo)]), "FIFO"),
            (tgz(&[E::Link("binding", "/etc")]), "replace module_path"),
            (
                tgz(&[
                    E::Link("binding/l1", "."),
                    E::Link(
                        "binding/esc",
                        "l1/l1/l1/l1/l1/l1/l1/l1/../../../../../../../../etc",
                    ),
                ]),
                "resolves outside",
            ),
            (
                tgz(&[E::Link("binding/dangling", "missing")]),
                "to nothing inside",
            ),
        ];
        for (bytes, want) in attacks {
            let (d, r) = unpack(&bytes);
            let err = r.unwrap_err();
            assert_eq!(err.code(), "E_UNSAFE_ARCHIVE", "{err}");
            assert!(
                err.to_string().contains(want),
                "{err} should mention {want}"
            );
            assert!(!d.path().join("evil").exists());
            assert!(!Path::new("/tmp/evil-abs").exists());
        }
    }

    #[test]
    fn hard_links_to_earlier_files_install_as_copies() {
        // The layout node-pre-gyp's `package` writes for a `build/Release` module_path.
        let (d, r) = unpack(&tgz(&[
            E::Dir("Release/"),
            E::Dir("Release/obj.target/"),
            E::File("Release/obj.target/x.node", b"ELF binding", 0o755),
            E::Hard("Release/x.node", "Release/obj.target/x.node"),
        ]));
        assert_eq!(r.unwrap().files, 2);
        let out = d.path().join("out");
        assert_eq!(fs::read(out.join("x.node")).unwrap(), b"ELF binding");
        assert!(fs::symlink_metadata(out.join("x.node")).unwrap().is_file());
    }

    #[test]
    fn plain_tar_has_the_same_checks() {
        let gz = tgz(&[E::File("binding/../../evil", b"x", 0o644)]);
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .unwrap();
        let d = tempfile::tempdir().unwrap();
        let err = unpack_tar(&plain[..], d.path(), "t.tar", &Limits::default()).unwrap_err();
        assert_eq!(err.code(), "E_UNSAFE_ARCHIVE");
    }

    #[test]
    fn caps_unpacked_size() {
        let big = vec![0u8; 4096];
        let bytes = tgz(&[E::File("b/a", &big, 0o644), E::File("b/b", &big, 0o644)]);
        let d = tempfile::tempdir().unwrap();
        let limits = Limits {
            max_unpacked_size: 6000,
            max_entries: 10,
        };
        let err = unpack_tar_gz(&bytes[..], d.path(), "bomb.tgz", &limits).unwrap_err();
        assert!(err.to_string().contains("more than 6000 bytes"), "{err}");
    }

    #[test]
    fn truncated_and_garbage_archives_are_errors() {
        let bytes = tgz(&[E::File("b/a", &[7u8; 10_000], 0o644)]);
        let (_d, r) = unpack(&bytes[..bytes.len() / 2]);
        assert_eq!(r.unwrap_err().code(), "E_BAD_ARCHIVE");
        let (_d, r) = unpack(b"not a tarball at all");
        assert_eq!(r.unwrap_err().code(), "E_BAD_ARCHIVE");
    }

    #[test]
    fn link_containment() {
        assert!(link_stays_inside(Path::new("a/b"), Path::new("../c")));
        assert!(!link_stays_inside(Path::new("a"), Path::new("../c")));
        assert!(!link_stays_inside(Path::new("a"), Path::new("/c")));
        assert!(link_stays_inside(
            Path::new("a/b/c"),
            Path::new("../../d/./e")
        ));
    }
}

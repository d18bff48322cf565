//! Streaming, reproducible `.tar.gz` of a module_path folder (the `package` command).
//!
//! The layout follows node-pre-gyp's `package`: every entry is prefixed by the
//! module_path folder's basename (`<basename>/<relative path>`), so the reference's
//! `tar.extract({ strip: 1 })` and pregyp's install unpack it the same way; names
//! starting with `.` are skipped (a dot-folder with all its contents: the reference
//! skips only dot-named files and still packs e.g. node-gyp's `.deps/**`). Unlike the
//! reference, the bytes depend on the file contents only: entries are sorted, times
//! fixed, owners zeroed, modes normalized, folders included. The archive streams
//! through a parallel gzip writer and SHA-256 into a temp file beside the destination,
//! then is renamed into place; memory stays bounded (a few 1 MiB chunks per thread).

use crate::error::{Error, IoContext, Result};
use crate::packing::pgzip::ParallelGzWriter;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The gzip level `package` uses. Measured with bench/package.js on 100 MiB of mixed
/// data (70% ELF libraries, 20% incompressible, 10% text), one thread, zlib-rs, wall
/// time of the whole CLI / size against `tar czf` (GNU gzip -6, 5.5 s): level 1
/// 1.0 s / +21.7%, 2 1.7 s / +5.9%, 3 1.8 s / +3.8%, 4 2.0 s / +2.7%, 5 2.2 s / +2.0%,
/// 6 2.8 s / +1.7%, 9 5.7 s / -0.5%. Level 6 is the fastest inside the 2% size
/// budget; the parallel, incompressible-aware writer below buys the speed back.
pub const DEFAULT_LEVEL: u32 = 6;

/// The timestamp stored in every entry: npm's own reproducible-tarball date
/// (1985-10-26T08:15:00Z), unless `SOURCE_DATE_EPOCH` says otherwise.
pub const DEFAULT_MTIME: u64 = 499_162_500;

/// How to pack.
#[derive(Debug, Clone)]
pub struct PackOptions {
    /// gzip level, 0..=9.
    pub level: u32,
    /// mtime of every entry (seconds since the epoch).
    pub mtime: u64,
    /// Compression threads (the output does not depend on it).
    pub threads: usize,
}

/// One compression thread per core, up to 8.
fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

impl Default for PackOptions {
    fn default() -> Self {
        PackOptions {
            level: DEFAULT_LEVEL,
            mtime: DEFAULT_MTIME,
            threads: default_threads(),
        }
    }
}

impl PackOptions {
    /// Defaults, with the mtime from `SOURCE_DATE_EPOCH`, the level from
    /// `PREGYP_GZIP_LEVEL` (0-9) and the threads from `PREGYP_PACK_THREADS` when
    /// they are numbers.
    pub fn from_env(env: &crate::config::options::Env) -> Self {
        let number = |k: &str| env.non_empty(k).and_then(|s| s.trim().parse::<u64>().ok());
        PackOptions {
            mtime: number("SOURCE_DATE_EPOCH").unwrap_or(DEFAULT_MTIME),
            level: number("PREGYP_GZIP_LEVEL").map_or(DEFAULT_LEVEL, |l| l.min(9) as u32),
            threads: number("PREGYP_PACK_THREADS")
                .map_or_else(default_threads, |t| t.clamp(1, 64) as usize),
        }
    }
}

/// What `pack_dir` wrote.
#[derive(Debug, Clone)]
pub struct Packed {
    /// The tarball.
    pub tarball: PathBuf,
    /// Lowercase hex SHA-256 of the tarball.
    pub sha256: String,
    /// Size of the tarball in bytes.
    pub size: u64,
    /// Entry names of packed files and links (`<basename>/<rel>`), in archive order.
    pub packed: Vec<String>,
    /// Names left out: dotfiles, dot-folders, sockets and devices.
    pub skipped: Vec<String>,
}

/// A `Write` that hashes everything passing through it.
struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    count: u64,
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Files are read and fed to the compressor in chunks of this size.
const IO_BUF: usize = 256 * 1024;

/// Packs `src` (a module_path folder) into the gzip'd tarball `dest`, then writes
/// `<dest>.sha256`. Parent folders of `dest` are created.
pub fn pack_dir(src: &Path, dest: &Path, opts: &PackOptions) -> Result<Packed> {
    let meta = fs::metadata(src).at("read", src)?;
    if !meta.is_dir() {
        return Err(Error::io(
            "pack",
            src,
            io::Error::new(io::ErrorKind::InvalidInput, "not a directory"),
        ));
    }
    let base = src
        .file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).at("create directory", dir)?;
    let tmp = tempfile::Builder::new()
        .prefix(".pregyp-pack-")
        .tempfile_in(dir)
        .at("create temp file in", dir)?;
    // Never pack the archive being written (module_path may contain build/stage).
    let exclude = [
        tmp.path().to_path_buf(),
        dest.to_path_buf(),
        sha256_path(dest),
    ];

    let file = tmp.as_file().try_clone().at("open", tmp.path())?;
    let hashing = HashWriter {
        inner: BufWriter::with_capacity(IO_BUF, file),
        hasher: Sha256::new(),
        count: 0,
    };
    let gz = ParallelGzWriter::new(hashing, opts.level, opts.threads);
    let mut builder = tar::Builder::new(gz);
    let mut packed = Vec::new();
    let mut skipped = Vec::new();
    let mut walker = Walker {
        builder: &mut builder,
        mtime: opts.mtime,
        exclude: &exclude,
        packed: &mut packed,
        skipped: &mut skipped,
    };
    walker.walk(src, &base)?;
    let write_err = |e: io::Error| Error::io("write", tmp.path(), e);
    let gz = builder.into_inner().map_err(write_err)?;
    let mut hashing = gz.finish().map_err(write_err)?;
    hashing.flush().map_err(write_err)?;
    let sha256 = hex::encode(hashing.hasher.finalize());
    let size = hashing.count;
    drop(hashing.inner);
    set_readable(tmp.path());
    tmp.persist(dest)
        .map_err(|e| Error::io("rename into", dest, e.error))?;
    write_sha256_file(dest, &sha256)?;
    Ok(Packed {
        tarball: dest.to_path_buf(),
        sha256,
        size,
        packed,
        skipped,
    })
}

struct Walker<'a, W: Write> {
    builder: &'a mut tar::Builder<W>,
    mtime: u64,
    exclude: &'a [PathBuf],
    packed: &'a mut Vec<String>,
    skipped: &'a mut Vec<String>,
}

impl<W: Write> Walker<'_, W> {
    /// Adds the children of `dir` (a real directory) under the archive name `name`.
    fn walk(&mut self, dir: &Path, name: &Path) -> Result<()> {
        let mut children: Vec<_> = fs::read_dir(dir)
            .at("read directory", dir)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()
            .at("read directory", dir)?;
        children.sort();
        for child in children {
            let path = dir.join(&child);
            let entry_name = name.join(&child);
            let shown = entry_name.to_string_lossy().into_owned();
            if child.as_encoded_bytes().first() == Some(&b'.') {
                self.skipped.push(shown);
                continue;
            }
            if self.exclude.contains(&path) {
                continue;
            }
            let meta = fs::symlink_metadata(&path).at("read", &path)?;
            let ft = meta.file_type();
            let mut header = tar::Header::new_gnu();
            header.set_uid(0);
            header.set_gid(0);
            header.set_mtime(self.mtime);
            if ft.is_dir() {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                // Directory names end with `/`, as every common tar writer makes them
                // (some readers classify entries by name rather than by type).
                let mut dir_name = entry_name.clone().into_os_string();
                dir_name.push("/");
                self.builder
                    .append_data(&mut header, Path::new(&dir_name), io::empty())
                    .map_err(|e| Error::io("pack", &path, e))?;
                self.walk(&path, &entry_name)?;
            } else if ft.is_symlink() {
                let target = fs::read_link(&path).at("read link", &path)?;
                if escapes(&entry_name, &target) {
                    crate::log::warn(format!(
                        "package: symlink {shown} -> {} points outside the package; installs will refuse it",
                        target.display()
                    ));
                }
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_mode(0o777);
                header.set_size(0);
                self.builder
                    .append_link(&mut header, &entry_name, &target)
                    .map_err(|e| Error::io("pack", &path, e))?;
                self.packed.push(shown);
            } else if ft.is_file() {
                let size = meta.len();
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(if mode_of(&meta) & 0o111 != 0 {
                    0o755
                } else {
                    0o644
                });
                header.set_size(size);
                let file = File::open(&path).at("open", &path)?;
                let mut reader = CountingReader {
                    inner: BufReader::with_capacity(IO_BUF, file).take(size),
                    count: 0,
                };
                self.builder
                    .append_data(&mut header, &entry_name, &mut reader)
                    .map_err(|e| Error::io("pack", &path, e))?;
                if reader.count != size {
                    // The header already promised `size` bytes: the archive is unusable.
                    return Err(Error::io(
                        "pack",
                        &path,
                        io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "file shrank while it was being packed",
                        ),
                    ));
                }
                self.packed.push(shown);
            } else {
                crate::log::warn(format!(
                    "package: skipping {shown}: not a file, folder or symlink"
                ));
                self.skipped.push(shown);
            }
        }
        Ok(())
    }
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

#[cfg(not(unix))]
fn mode_of(_meta: &fs::Metadata) -> u32 {
    0o644
}

/// Whether a link at archive name `entry` with `target` resolves outside the top folder
/// (the same rule install applies when it unpacks).
fn escapes(entry: &Path, target: &Path) -> bool {
    let below_top: PathBuf = entry.components().skip(1).collect();
    !crate::place::archive::link_stays_inside(&below_top, target)
}

/// Temp files are created 0600; artifacts get the usual 0644.
fn set_readable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o644));
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// `<tarball>.sha256`.
pub fn sha256_path(tarball: &Path) -> PathBuf {
    let mut s = tarball.as_os_str().to_owned();
    s.push(".sha256");
    PathBuf::from(s)
}

/// The `.sha256` file's text for a tarball (the `sha256sum` format).
pub fn sha256_line(tarball: &Path, hex: &str) -> String {
    let name = tarball
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{hex}  {name}\n")
}

/// Writes `<tarball>.sha256` (temp file, then rename).
pub fn write_sha256_file(tarball: &Path, hex: &str) -> Result<PathBuf> {
    let path = sha256_path(tarball);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".pregyp-sha256-")
        .tempfile_in(dir)
        .at("create temp file in", dir)?;
    tmp.write_all(sha256_line(tarball, hex).as_bytes())
        .at("write", tmp.path())?;
    set_readable(tmp.path());
    tmp.persist(&path)
        .map_err(|e| Error::io("rename into", &path, e.error))?;
    Ok(path)
}

/// Streams a file through SHA-256; returns (lowercase hex, size).
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut file = File::open(path).at("open", path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; IO_BUF];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("read", path, e)),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    use flate2::read::GzDecoder;

    fn tree(root: &Path) -> PathBuf {
        let m = root.join("node-v115-linux-x64");
        fs::create_dir_all(m.join("sub/deeper")).unwrap();
        fs::create_dir_all(m.join(".deps")).unwrap();
        fs::create_dir_all(m.join("empty")).unwrap();
        fs::write(m.join("hello.node"), vec![7u8; 100_000]).unwrap();
        fs::write(m.join("b.txt"), "b").unwrap();
        fs::write(m.join(".hidden"), "secret").unwrap();
        fs::write(m.join(".deps/x.d"), "dep").unwrap();
        fs::write(m.join("sub/deeper/c.txt"), "c").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(m.join("hello.node"), fs::Permissions::from_mode(0o775)).unwrap();
            fs::set_permissions(m.join("b.txt"), fs::Permissions::from_mode(0o600)).unwrap();
            std::os::unix::fs::symlink("hello.node", m.join("link.node")).unwrap();
        }
        m
    }

    fn entries(tarball: &Path) -> Vec<(String, tar::EntryType, u32, u64, u64, Vec<u8>)> {
        let mut a = tar::Archive::new(GzDecoder::new(File::open(tarball).unwrap()));
        a.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let h = e.header().clone();
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                if h.entry_type() == tar::EntryType::Symlink {
                    data = e
                        .link_name()
                        .unwrap()
                        .unwrap()
                        .to_string_lossy()
                        .as_bytes()
                        .to_vec();
                }
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    h.entry_type(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                    h.uid().unwrap() + h.gid().unwrap(),
                    data,
                )
            })
            .collect()
    }

    #[test]
    fn layout_prefix_dotfiles_modes() {
        let t = tempfile::tempdir().unwrap();
        let m = tree(t.path());
        let dest = t.path().join("stage/x.tar.gz");
        let p = pack_dir(&m, &dest, &PackOptions::default()).unwrap();
        let e = entries(&dest);
        let names: Vec<&str> = e.iter().map(|x| x.0.as_str()).collect();
        let mut want = vec![
            "node-v115-linux-x64/b.txt",
            "node-v115-linux-x64/empty/",
            "node-v115-linux-x64/hello.node",
        ];
        if cfg!(unix) {
            want.push("node-v115-linux-x64/link.node");
        }
        want.extend([
            "node-v115-linux-x64/sub/",
            "node-v115-linux-x64/sub/deeper/",
            "node-v115-linux-x64/sub/deeper/c.txt",
        ]);
        assert_eq!(names, want);
        assert!(p
            .skipped
            .contains(&"node-v115-linux-x64/.hidden".to_string()));
        assert!(p.skipped.contains(&"node-v115-linux-x64/.deps".to_string()));
        for (name, ty, mode, mtime, owner, data) in &e {
            assert_eq!(*mtime, DEFAULT_MTIME, "{name}");
            assert_eq!(*owner, 0, "{name}");
            match name.as_str() {
                "node-v115-linux-x64/hello.node" => {
                    assert_eq!((*ty, *mode), (tar::EntryType::Regular, 0o755));
                    assert_eq!(data.len(), 100_000);
                }
                "node-v115-linux-x64/b.txt" => {
                    assert_eq!(
                        (*ty, *mode, data.as_slice()),
                        (tar::EntryType::Regular, 0o644, &b"b"[..])
                    )
                }
                "node-v115-linux-x64/link.node" => {
                    assert_eq!(*ty, tar::EntryType::Symlink);
                    assert_eq!(data, b"hello.node");
                }
                "node-v115-linux-x64/empty/" | "node-v115-linux-x64/sub/" => {
                    assert_eq!((*ty, *mode), (tar::EntryType::Directory, 0o755))
                }
                _ => {}
            }
        }
        // Owner names are empty.
        let mut a = tar::Archive::new(GzDecoder::new(File::open(&dest).unwrap()));
        for e in a.entries().unwrap() {
            let e = e.unwrap();
            assert_eq!(e.header().username_bytes().unwrap_or_default(), b"");
            assert_eq!(e.header().groupname_bytes().unwrap_or_default(), b"");
        }
        // No temp files left behind.
        let left: Vec<_> = fs::read_dir(t.path().join("stage"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut left = left;
        left.sort();
        assert_eq!(left, vec!["x.tar.gz", "x.tar.gz.sha256"]);
    }

    #[test]
    fn reproducible_bytes_and_sha256_file() {
        let t = tempfile::tempdir().unwrap();
        let m = tree(t.path());
        let a = t.path().join("a/pkg.tar.gz");
        let b = t.path().join("b/pkg.tar.gz");
        let pa = pack_dir(&m, &a, &PackOptions::default()).unwrap();
        // Touching files (new mtimes) must not change the bytes.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(m.join("b.txt"), "b").unwrap();
        let pb = pack_dir(&m, &b, &PackOptions::default()).unwrap();
        assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
        assert_eq!(pa.sha256, pb.sha256);
        assert_eq!(pa.size, fs::metadata(&a).unwrap().len());
        let (hex, size) = sha256_file(&a).unwrap();
        assert_eq!((hex.as_str(), size), (pa.sha256.as_str(), pa.size));
        assert_eq!(
            fs::read_to_string(sha256_path(&a)).unwrap(),
            format!("{}  pkg.tar.gz\n", pa.sha256)
        );
        // Content changes do change it.
        fs::write(m.join("b.txt"), "B").unwrap();
        let pc = pack_dir(&m, &b, &PackOptions::default()).unwrap();
        assert_ne!(pc.sha256, pa.sha256);
    }

    #[test]
    fn stage_inside_module_path_is_not_packed() {
        let t = tempfile::tempdir().unwrap();
        let m = tree(t.path());
        let dest = m.join("build/stage/self.tar.gz");
        pack_dir(&m, &dest, &PackOptions::default()).unwrap();
        // Second run: the previous tarball and its .sha256 are in module_path now.
        pack_dir(&m, &dest, &PackOptions::default()).unwrap();
        let names: Vec<String> = entries(&dest).into_iter().map(|e| e.0).collect();
        assert!(!names.iter().any(|n| n.ends_with(".tar.gz")), "{names:?}");
        assert!(!names.iter().any(|n| n.ends_with(".sha256")), "{names:?}");
    }

    #[test]
    fn long_names_and_missing_source() {
        let t = tempfile::tempdir().unwrap();
        let m = t.path().join("mod");
        let long = "d".repeat(120);
        fs::create_dir_all(m.join(&long)).unwrap();
        fs::write(m.join(&long).join("f".repeat(120)), "x").unwrap();
        let dest = t.path().join("o.tgz");
        pack_dir(&m, &dest, &PackOptions::default()).unwrap();
        let names: Vec<String> = entries(&dest).into_iter().map(|e| e.0).collect();
        assert_eq!(names[1], format!("mod/{long}/{}", "f".repeat(120)));
        let err = pack_dir(&t.path().join("nope"), &dest, &PackOptions::default()).unwrap_err();
        assert_eq!(err.code(), "E_IO");
    }

    #[test]
    fn symlink_escape_detection() {
        assert!(!escapes(Path::new("m/a"), Path::new("b")));
        assert!(!escapes(Path::new("m/sub/a"), Path::new("../b")));
        assert!(escapes(Path::new("m/a"), Path::new("../b")));
        assert!(escapes(Path::new("m/a"), Path::new("/etc/passwd")));
    }
}

//! `package` and `checksums`.
//!
//! `package` packs module_path into the staged tarball (see `pack.rs` for the layout)
//! and writes `<tarball>.sha256`. Like the reference it prints `packing <entry>` /
//! `skipping <entry>` on stdout and logs where the tarball was staged.
//! `checksums` prints `"<package_name>": "<sha256>"` for each staged tarball, the
//! shape of a `binary.checksums` entry, and with `--write` stores them there.

use super::{Context, Outcome};
use crate::error::{Error, Result};
use crate::packing::pack::{self, PackOptions};
use crate::results::{ChecksumResult, PackageResult};
use serde_json::Value;
use std::path::Path;

/// `package`.
pub async fn package(ctx: &Context, napi: Option<u32>) -> Result<Outcome<PackageResult>> {
    let config = ctx.evaluate("package", napi)?;
    if !config.module.exists() {
        return Err(Error::PackageMissingBinary {
            module: config.module.clone(),
        });
    }
    let from = config.module_path.clone();
    let to = config.staged_tarball.clone();
    let other_platform = ctx
        .opts
        .target
        .platform
        .as_deref()
        .filter(|p| *p != "linux");
    if let (Some(p), None) = (other_platform, &ctx.opts.target.libc) {
        if to.to_string_lossy().contains(&format!("-{}", config.libc)) {
            crate::log::warn(format!(
                "the staged name holds this machine's libc ({}) for a {p} target, as node-pre-gyp names it; installs on {p} look for `unknown`: pass --target_libc=unknown for that name (platform-package --from accepts both)",
                config.libc
            ));
        }
    }
    if ctx.opts.dry_run {
        return Ok(Outcome::line(
            format!(
                "[{}] Would pack \"{}\" into \"{}\"",
                ctx.name(),
                from.display(),
                to.display()
            ),
            PackageResult {
                tarball: to.to_string_lossy().into_owned(),
                sha256: String::new(),
                size: 0,
                dry_run: true,
            },
        ));
    }
    let opts = PackOptions::from_env(&ctx.opts.env);
    let packed = tokio::task::spawn_blocking(move || pack::pack_dir(&from, &to, &opts))
        .await
        .map_err(Error::task("packing"))??;
    let mut stdout = Vec::with_capacity(packed.packed.len() + packed.skipped.len());
    stdout.extend(packed.skipped.iter().map(|e| format!("skipping {e}")));
    stdout.extend(packed.packed.iter().map(|e| format!("packing {e}")));
    crate::log::info(format!(
        "package Binary staged at \"{}\" ({} bytes, sha256 {})",
        packed.tarball.display(),
        packed.size,
        packed.sha256
    ));
    Ok(Outcome {
        stdout,
        result: PackageResult {
            tarball: packed.tarball.to_string_lossy().into_owned(),
            sha256: packed.sha256,
            size: packed.size,
            dry_run: false,
        },
    })
}

/// `checksums [--write]`.
pub async fn checksums(ctx: &Context, napi: Option<u32>) -> Result<Outcome<ChecksumResult>> {
    let config = ctx.evaluate("checksums", napi)?;
    let tarball = super::common::staged::staged_tarball(&config, "checksum")?;
    let (sha256, size) = super::common::staged::sha256_of(&tarball).await?;
    let name = config.checksum_key.clone();
    if ctx.opts.get_bool("write") && ctx.opts.dry_run {
        crate::log::info(format!(
            "dry run: would write binary.checksums[\"{name}\"] to {}",
            ctx.manifest.path.display()
        ));
    } else if ctx.opts.get_bool("write") {
        let path = ctx.manifest.path.clone();
        write_checksum(&path, &name, &sha256)?;
        crate::log::info(format!(
            "checksums wrote binary.checksums[\"{name}\"] to {}",
            path.display()
        ));
    }
    Ok(Outcome::line(
        format!(
            "{}: {}",
            Value::from(name.clone()),
            Value::from(sha256.clone())
        ),
        ChecksumResult {
            key: name,
            package_name: config.package_name.clone(),
            sha256,
            size,
            tarball: tarball.to_string_lossy().into_owned(),
        },
    ))
}

/// The indentation package.json uses (first indented line), default two spaces.
/// Sets `binary.checksums[name] = sha256` in package.json, keeping key order,
/// indentation and the trailing newline; written to a temp file, then renamed.
fn write_checksum(path: &Path, name: &str, sha256: &str) -> Result<()> {
    super::common::package_json::edit_package_json(path, |doc| {
        let invalid = |reason: &str| Error::InvalidField {
            path: path.to_path_buf(),
            field: "binary.checksums".into(),
            reason: reason.into(),
        };
        let binary = doc
            .get_mut("binary")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| invalid("package.json has no `binary` object"))?;
        let checksums = binary
            .entry("checksums")
            .or_insert_with(|| Value::Object(Default::default()))
            .as_object_mut()
            .ok_or_else(|| invalid("must be an object of package_name -> sha256"))?;
        checksums.insert(name.to_string(), Value::from(sha256));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_write_keeps_order_indent_and_newline() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("package.json");
        std::fs::write(
            &p,
            "{\n    \"name\": \"x\",\n    \"version\": \"1.0.0\",\n    \"binary\": {\n        \"module_name\": \"m\",\n        \"host\": \"https://h\"\n    },\n    \"scripts\": {}\n}\n",
        )
        .unwrap();
        write_checksum(&p, "m-v1.tar.gz", "abc").unwrap();
        write_checksum(&p, "m-v2.tar.gz", "def").unwrap();
        write_checksum(&p, "m-v1.tar.gz", "123").unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\n    \"name\": \"x\",\n    \"version\": \"1.0.0\",\n    \"binary\": {\n        \"module_name\": \"m\",\n        \"host\": \"https://h\",\n        \"checksums\": {\n            \"m-v1.tar.gz\": \"123\",\n            \"m-v2.tar.gz\": \"def\"\n        }\n    },\n    \"scripts\": {}\n}\n"
        );
        std::fs::write(&p, "{\"binary\": 1}").unwrap();
        assert_eq!(
            write_checksum(&p, "a", "b").unwrap_err().code(),
            "E_INVALID_FIELD"
        );
        std::fs::write(&p, "{\n  \"binary\": {}\n}").unwrap();
        write_checksum(&p, "a", "b").unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\n  \"binary\": {\n    \"checksums\": {\n      \"a\": \"b\"\n    }\n  }\n}"
        );
    }
}

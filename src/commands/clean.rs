//! `clean`: remove module_path (reference's clean.js).
//!
//! Refuses, with the reference's messages, when module_path is empty or is the package
//! directory itself; pregyp also refuses a module_path that contains the package
//! directory (`module_path: "../"`), which the reference would delete.

use super::{Context, Outcome};
use crate::config::manifest::normalize;
use crate::error::{Error, Result};
use crate::results::CleanResult;
use std::path::Path;

/// Why `module_path` must not be deleted, if it must not (reference messages first).
pub fn refusal(module_path: &Path, package_dir: &Path) -> Option<String> {
    if module_path.as_os_str().is_empty() {
        return Some("module_path is empty, refusing to delete".into());
    }
    let target = normalize(module_path);
    let dir = normalize(package_dir);
    if target == dir {
        return Some("module_path is not set, refusing to delete".into());
    }
    if dir.starts_with(&target) {
        return Some(format!(
            "module_path {} contains the package directory, refusing to delete",
            target.display()
        ));
    }
    None
}

use crate::place::fsutil::remove_no_follow as remove;

/// `clean`.
pub fn clean(ctx: &Context, napi: Option<u32>) -> Result<Outcome<CleanResult>> {
    let config = ctx.evaluate("clean", napi)?;
    let to_delete = &config.module_path;
    if let Some(why) = refusal(to_delete, &ctx.dir) {
        // The reference's words first (scripts match on them), then where they come from.
        let declared = ctx
            .manifest
            .binary
            .as_ref()
            .and_then(|b| b.module_path.clone())
            .unwrap_or_default();
        return Err(Error::CleanRefused(format!(
            "{why}: binary.module_path \"{declared}\" in {}{} resolves to {}",
            ctx.manifest.path.display(),
            ctx.module_root_note(),
            to_delete.display()
        )));
    }
    let mut stdout = Vec::new();
    let exists = std::fs::symlink_metadata(to_delete).is_ok();
    let dry_run = ctx.opts.dry_run;
    if exists && !ctx.opts.get_bool("silent_clean") {
        stdout.push(format!(
            "[{}] {} \"{}\"",
            ctx.name(),
            if dry_run { "Would remove" } else { "Removing" },
            to_delete.display()
        ));
    }
    let removed = exists && !dry_run && remove(to_delete)?;
    Ok(Outcome {
        stdout,
        result: CleanResult {
            module_path: to_delete.to_string_lossy().into_owned(),
            removed,
            napi_build_version: napi,
            dry_run,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "",
                "/work/pkg",
                Some("module_path is empty, refusing to delete"),
            ),
            (
                "/work/pkg",
                "/work/pkg",
                Some("module_path is not set, refusing to delete"),
            ),
            (
                "/work/pkg/",
                "/work/pkg",
                Some("module_path is not set, refusing to delete"),
            ),
            (
                "/work/pkg/./lib/..",
                "/work/pkg",
                Some("module_path is not set, refusing to delete"),
            ),
            (
                "/work",
                "/work/pkg",
                Some("module_path /work contains the package directory, refusing to delete"),
            ),
            (
                "/",
                "/work/pkg",
                Some("module_path / contains the package directory, refusing to delete"),
            ),
            ("/work/pkg/lib/binding", "/work/pkg", None),
            ("/work/pkg2", "/work/pkg", None),
            ("/elsewhere/out", "/work/pkg", None),
        ];
        for (module_path, dir, want) in cases {
            assert_eq!(
                refusal(Path::new(module_path), Path::new(dir)).as_deref(),
                *want,
                "{module_path} in {dir}"
            );
        }
    }
}

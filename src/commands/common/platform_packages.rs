//! What several commands ask of platform packages: whether an installed one already
//! provides the binding (`install`, `explain`, `heal`), and how a package.json is set
//! up for them (`optional-deps --write`, `migrate`).

use super::super::{Context, Outcome};
use crate::config::platform::{Installed, Lookup};
use crate::config::versioning::Config;
use crate::error::{Error, Result};
use crate::results::{InstallResult, Source};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// An install script that only fetches or builds the binding: what platform packages
/// replace. The tool by name (`node-pre-gyp install`, `npx ...`), or by its path
/// (`node_modules/.bin/node-pre-gyp install`, `node node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp install`).
pub fn is_binding_install_script(script: &str) -> bool {
    let words: Vec<&str> = script.split_whitespace().collect();
    let words = match words.first() {
        Some(&"npx") | Some(&"node") => &words[1..],
        _ => &words[..],
    };
    let is_tool = |w: &str| {
        if w == "@mapbox/node-pre-gyp" {
            return true;
        }
        let name = w.rsplit(['/', '\\']).next().unwrap_or(w);
        let name = name.strip_suffix(".js").unwrap_or(name);
        ["node-pre-gyp", "pregyp"].contains(&name)
    };
    matches!(words, [tool, "install", ..] if is_tool(tool))
}

/// The package.json part of [`setup_platform_packages_manifest`], on the parsed document
/// (`path` only names it in errors): returns what changed and what a person should still
/// look at. `migrate` calls it on the document it is rewriting.
pub fn setup_platform_packages_doc(
    path: &Path,
    obj: &mut Map<String, Value>,
    deps: &Map<String, Value>,
    has_gyp: bool,
) -> Result<(Vec<String>, Vec<String>)> {
    use crate::building::gyp::SHIPPED_GYP_FILE;
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    let not_object = |field: &str| Error::InvalidField {
        path: path.to_path_buf(),
        field: field.into(),
        reason: "expected an object".into(),
    };
    let od = obj
        .entry("optionalDependencies")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
        .ok_or_else(|| not_object("optionalDependencies"))?;
    for (k, v) in deps {
        let want = v.as_str().unwrap_or_default();
        match od.insert(k.clone(), v.clone()) {
            None => changes.push(format!("optionalDependencies: added {k}@{want}")),
            Some(old) if &old != v => changes.push(format!(
                "optionalDependencies: {k} {} -> {want}",
                old.as_str().unwrap_or_default()
            )),
            Some(_) => {}
        }
    }
    if let Some(scripts) = obj.get_mut("scripts").and_then(Value::as_object_mut) {
        for name in ["preinstall", "install", "postinstall"] {
            let Some(script) = scripts.get(name).and_then(Value::as_str).map(String::from) else {
                continue;
            };
            if is_binding_install_script(&script) {
                scripts.shift_remove(name);
                changes.push(format!(
                    "scripts.{name}: removed \"{script}\" (the platform packages carry the binaries; where none fits, load() with PREGYP_INSTALL_ON_FIND=1 or `npx pregyp heal` download or build it on first use)"
                ));
            } else {
                warnings.push(format!(
                    "scripts.{name} (\"{script}\") kept: it is not a node-pre-gyp install, and npm 12, pnpm, yarn 4 and bun will report it as a blocked script"
                ));
            }
        }
    }
    if !has_gyp {
        return Ok((changes, warnings));
    }
    if let Some(files) = obj.get_mut("files").and_then(Value::as_array_mut) {
        let is_gyp = |f: &Value| {
            f.as_str()
                .is_some_and(|f| f.trim_start_matches("./") == "binding.gyp")
        };
        if files.iter().any(is_gyp) {
            files.retain(|f| !is_gyp(f));
            changes.push("files: binding.gyp left out".into());
        }
        if !files.iter().any(|f| f.as_str() == Some(SHIPPED_GYP_FILE)) {
            files.push(Value::String(SHIPPED_GYP_FILE.into()));
            changes.push(format!("files: added {SHIPPED_GYP_FILE}"));
        }
    } else {
        warnings.push(format!(
            "package.json has no `files` list, so binding.gyp is published too, and package managers act on it (yarn 1 runs node-gyp rebuild, the others report a blocked script): list the published files, with {SHIPPED_GYP_FILE} instead of binding.gyp, or add binding.gyp to .npmignore"
        ));
    }
    // Even beside a preinstall or install script of the package's own: a person may remove
    // it later (migrate's to-do asks for that), and then npm would add the implicit script.
    if obj.get("gypfile") != Some(&Value::Bool(false)) {
        obj.insert("gypfile".into(), Value::Bool(false));
        changes.push("gypfile: false (npm would otherwise add an implicit `node-gyp rebuild` install script for binding.gyp)".into());
    }
    Ok((changes, warnings))
}

/// The installed platform package and the binding it holds for `config` (or for an
/// older Node-API version this Node runs), if any: what install, explain and heal use.
pub fn provided(ctx: &Context, config: &Config) -> Result<(Lookup, Option<(Installed, PathBuf)>)> {
    let lookup = crate::config::find::lookup_platform_package(&ctx.manifest, config);
    let Lookup::Found { package } = &lookup else {
        return Ok((lookup, None));
    };
    if let Some(p) = crate::config::find::binding_in(package, &ctx.dir, config) {
        let found = (package.clone(), p);
        return Ok((lookup, Some(found)));
    }
    if let (Some(best), Some(b)) = (config.napi_build_version, ctx.manifest.binary.as_ref()) {
        for v in crate::config::node_api::older_than(b, best, ctx.host.napi)? {
            let c = ctx.evaluate("install", Some(v))?;
            if let Some(p) = crate::config::find::binding_in(package, &ctx.dir, &c) {
                let found = (package.clone(), p);
                return Ok((lookup, Some(found)));
            }
        }
    }
    Ok((lookup, None))
}

/// install's short-circuit: the binding is already provided by an installed platform
/// package, so nothing is downloaded.
pub fn install_from_platform_package(
    ctx: &Context,
    config: &Config,
) -> Result<Option<Outcome<InstallResult>>> {
    let (_, Some((package, path))) = provided(ctx, config)? else {
        return Ok(None);
    };
    Ok(Some(Outcome::line(
        format!(
            "[{}] Success: \"{}\" is provided by the platform package {}@{} (nothing downloaded)",
            ctx.name(),
            path.display(),
            package.name,
            package.version
        ),
        InstallResult {
            path: path.to_string_lossy().into_owned(),
            source: Source::PlatformPackage,
            url: None,
            sha256: None,
            package: Some(package.name.clone()),
            dry_run: ctx.opts.dry_run,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_install_scripts_by_name_or_by_path() {
        for s in [
            "node-pre-gyp install --fallback-to-build",
            "npx @mapbox/node-pre-gyp install",
            "pregyp install",
            // canvas-prebuilt 1.6.11
            "node_modules/.bin/node-pre-gyp install",
            "./node_modules/.bin/node-pre-gyp install --fallback-to-build",
            "node node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp install",
            "node .\\node_modules\\node-pre-gyp\\bin\\node-pre-gyp.js install",
        ] {
            assert!(is_binding_install_script(s), "{s}");
        }
        for s in [
            "node-pre-gyp-github publish",
            "node scripts/install.js",
            "node-pre-gyp rebuild",
            "prebuild-install || node-gyp rebuild",
            "node_modules/.bin/not-node-pre-gyp install",
        ] {
            assert!(!is_binding_install_script(s), "{s}");
        }
    }

    #[test]
    fn set_up_for_platform_packages_drops_the_install_script_and_ships_the_gyp_file() {
        let mut doc: Map<String, Value> = serde_json::from_str(
            r#"{"files":["lib/","binding.gyp"],"scripts":{"install":"node-pre-gyp install --fallback-to-build","test":"jest"}}"#,
        )
        .unwrap();
        let deps: Map<String, Value> = serde_json::from_str(r#"{"a-linux-x64":"1.0.0"}"#).unwrap();
        let path = Path::new("/pkg/package.json");
        let (changed, warnings) = setup_platform_packages_doc(path, &mut doc, &deps, true).unwrap();
        assert_eq!(
            serde_json::to_string(&doc).unwrap(),
            r#"{"files":["lib/","pregyp-binding.gyp"],"scripts":{"test":"jest"},"optionalDependencies":{"a-linux-x64":"1.0.0"},"gypfile":false}"#
        );
        assert_eq!(changed.len(), 5, "{changed:?}");
        assert!(warnings.is_empty());
        let (changed, _) = setup_platform_packages_doc(path, &mut doc, &deps, true).unwrap();
        assert!(
            changed.is_empty(),
            "a second run changes nothing: {changed:?}"
        );
        // Other install scripts stay, with a warning; so does a package without `files`.
        let mut doc: Map<String, Value> =
            serde_json::from_str(r#"{"scripts":{"install":"make"}}"#).unwrap();
        let (_, warnings) = setup_platform_packages_doc(path, &mut doc, &deps, true).unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(doc["scripts"]["install"], "make");
        assert_eq!(
            doc["gypfile"], false,
            "gypfile: false even beside an install script that may go later"
        );
    }
}

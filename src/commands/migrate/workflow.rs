//! The GitHub workflow migrate writes (`.github/workflows/prebuild.yml`, from the
//! template `prebuild.yml` beside this file), how it builds each kind of package, and
//! the to-do items that go with it.

use super::super::Context;
use super::targets::runner;
use crate::config::platform::{PlatformPackages, Target};
use serde_json::{Map, Value};

/// The last line of a workflow migrate wrote: the hash of everything before it, so that
/// a later run can tell its own unedited file (which it may rewrite) from a person's.
const SEAL: &str = "# pregyp migrate, sha256 of the lines above: ";

fn seal_of(body: &str) -> String {
    crate::fetch::cache::sha256_hex(body.as_bytes())[..16].to_string()
}

pub(super) fn sealed(body: String) -> String {
    let seal = seal_of(&body);
    format!("{body}{SEAL}{seal}\n")
}

pub(super) fn is_sealed(text: &str) -> bool {
    let Some(body_end) = text.trim_end_matches('\n').rfind('\n').map(|i| i + 1) else {
        return false;
    };
    let (body, last) = text.split_at(body_end);
    last.trim_end()
        .strip_prefix(SEAL)
        .is_some_and(|seal| seal == seal_of(body))
}

/// How the workflow builds the binary.
pub(super) struct BuildSteps {
    /// The package's own install scripts that stay (they prepare the build: a config
    /// file, a library download), run by name before the build.
    pub(super) prepare: Vec<String>,
    /// The build command; `None` when migrate cannot tell it.
    pub(super) build: Option<String>,
    /// The build an install script fell back to, to keep as [`BUILD_SCRIPT`].
    pub(super) keep_fallback: Option<String>,
}

/// The script that keeps the build a removed install script fell back to
/// (`node-pre-gyp install || ./scripts/build.sh`).
pub(super) const BUILD_SCRIPT: &str = "build:native";

/// The build: `pregyp rebuild` with a binding.gyp; else the command a node-pre-gyp
/// install script falls back to (`node-pre-gyp install || ./scripts/build.sh`), else
/// `npm run build` when there is such a script.
pub(super) fn build_steps(scripts: &Map<String, Value>, has_gyp: bool) -> BuildSteps {
    let mut prepare = Vec::new();
    let mut fallback = None;
    for name in ["preinstall", "install", "postinstall"] {
        let Some(script) = scripts.get(name).and_then(Value::as_str) else {
            continue;
        };
        if super::super::common::platform_packages::is_binding_install_script(script) {
            if let Some((_, rest)) = script.split_once("||") {
                fallback = Some(rest.trim().to_string());
            }
        } else {
            prepare.push(format!("npm run {name}"));
        }
    }
    let mut keep_fallback = None;
    let build = if has_gyp {
        Some("npx pregyp rebuild".to_string())
    } else if let Some(f) = fallback {
        // The install script goes: its build stays, as a script of its own, so that the
        // workflow (and a second run) still find it.
        if !scripts.contains_key(BUILD_SCRIPT) {
            keep_fallback = Some(f);
        }
        Some(format!("npm run {BUILD_SCRIPT}"))
    } else if scripts.contains_key(BUILD_SCRIPT) {
        Some(format!("npm run {BUILD_SCRIPT}"))
    } else {
        scripts
            .contains_key("build")
            .then(|| "npm run build".into())
    };
    BuildSteps {
        prepare,
        build,
        keep_fallback,
    }
}

/// Where the binary host is, for the workflow's publish step.
enum HostKind {
    S3,
    GithubReleases,
    Other(String),
}

fn host_kind(ctx: &Context) -> HostKind {
    let Ok(config) = ctx.evaluate("publish", super::latest_napi(ctx)) else {
        return HostKind::Other(String::new());
    };
    let host = config.hosted_tarball.as_str();
    // The test `pregyp publish` makes: a host it can publish to is S3.
    if config.s3_location().is_ok() {
        HostKind::S3
    } else if host.starts_with("https://github.com/") && host.contains("/releases/download/") {
        HostKind::GithubReleases
    } else {
        HostKind::Other(config.hosted_tarball)
    }
}

pub(super) fn workflow_todo(ctx: &Context, pp: &PlatformPackages) -> Vec<String> {
    let root = ctx.manifest.name();
    let module_name = ctx.manifest.module_name();
    let names: Vec<String> = pp
        .targets
        .iter()
        .map(|t| pp.package_name(root, module_name, t))
        .collect();
    let mut todo = vec![
        format!(
            "first publish (once): a brand-new package name cannot use trusted publishing; add an npm token with publish rights as the repository secret NPM_TOKEN and push a version tag (the workflow publishes {} and {root} with it)",
            names.join(", ")
        ),
        format!(
            "trusted publishing: on npmjs.com, for {root} and each platform package, add this repository and the workflow file prebuild.yml as a trusted publisher; then delete the NPM_TOKEN secret"
        ),
    ];
    match host_kind(ctx) {
        HostKind::S3 => todo.push("binary host (S3): add the repository secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY that `pregyp publish` uses".into()),
        HostKind::GithubReleases => todo.push("binary host (GitHub releases): the build jobs upload the staged tarballs to the release of the pushed tag; create that release before the tag's workflow runs (or let it fail and re-run)".into()),
        HostKind::Other(h) => todo.push(format!("binary host ({h}): neither S3 nor GitHub releases; add the upload of build/stage to the build job of .github/workflows/prebuild.yml")),
    }
    for t in &pp.targets {
        if let ("linux", "arm64", Some("musl")) =
            (t.platform.as_str(), t.arch.as_str(), t.libc.as_deref())
        {
            todo.push("linux-arm64-musl builds in an Alpine container on an arm64 runner, where GitHub's JavaScript actions do not run: check that job, or build it with a cross toolchain".into());
        }
    }
    todo
}

/// The workflow template: `@NAME@` is filled in; a line holding only `@NAME@` takes a
/// block of lines, or goes when the block is empty.
const TEMPLATE: &str = include_str!("prebuild.yml");

fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let trimmed = line.trim();
        if let Some((_, v)) = values.iter().find(|(k, _)| {
            trimmed.len() == k.len() + 2
                && trimmed.strip_prefix('@').and_then(|t| t.strip_suffix('@')) == Some(*k)
        }) {
            for l in v.lines() {
                out.push_str(l);
                out.push('\n');
            }
            continue;
        }
        let mut l = line.to_string();
        for (k, v) in values {
            l = l.replace(&format!("@{k}@"), v);
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// `.github/workflows/prebuild.yml`.
pub(super) fn workflow_yaml(
    ctx: &Context,
    pp: &PlatformPackages,
    doc: &Map<String, Value>,
    build: &BuildSteps,
) -> String {
    let napi = ctx.manifest.napi_versions().ok().flatten().is_some();
    // Node-API builds run on any Node; others need one build per Node ABI, on every
    // major the package supports (one platform package holds them all).
    let engines = doc
        .get("engines")
        .and_then(|e| e.get("node"))
        .and_then(Value::as_str);
    let nodes = if napi {
        "[22]".to_string()
    } else {
        let majors: Vec<String> = crate::config::target::supported_node_majors(engines)
            .iter()
            .map(u32::to_string)
            .collect();
        format!("[{}]", majors.join(", "))
    };
    let has_test = doc
        .get("scripts")
        .and_then(|s| s.get("test"))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.contains("no test specified"));
    let lockfile = ctx.dir.join("package-lock.json").is_file();
    let install = if lockfile {
        "npm ci --ignore-scripts"
    } else {
        "npm install --ignore-scripts --no-audit --no-fund"
    };
    let mut include = String::new();
    for t in &pp.targets {
        let (os, container, arch) = runner(t);
        include.push_str(&format!(
            "          - target: {}\n            os: {os}\n",
            t.triple()
        ));
        if let Some(c) = container {
            include.push_str(&format!("            container: '{c}'\n"));
        }
        if let Some(a) = arch {
            include.push_str(&format!("            node-arch: {a}\n"));
        }
    }
    let any_container = pp.targets.iter().any(|t| runner(t).1.is_some());
    let any_arch = pp.targets.iter().any(|t| runner(t).2.is_some());
    let when = |yes: bool, s: &str| if yes { s.to_string() } else { String::new() };
    let mut steps = String::new();
    for p in &build.prepare {
        steps.push_str(&format!("      - run: {p}\n"));
    }
    let command = build.build.as_deref().unwrap_or("npx pregyp rebuild");
    steps.push_str(&format!("      - run: {command}\n"));
    let publish = match host_kind(ctx) {
        HostKind::S3 => "      - name: Publish the staged tarballs to the binary host
        if: startsWith(github.ref, 'refs/tags/')
        run: npx pregyp publish
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
".to_string(),
        HostKind::GithubReleases => "      - name: Publish the staged tarballs to the binary host (this tag's GitHub release)
        if: startsWith(github.ref, 'refs/tags/')
        shell: bash
        run: find build/stage -name '*.tar.gz' -exec gh release upload \"$GITHUB_REF_NAME\" --clobber {} +
        env:
          GH_TOKEN: ${{ github.token }}
".to_string(),
        HostKind::Other(_) => "      # The binary host is neither S3 nor GitHub releases: upload build/stage to it here.\n".to_string(),
    };
    fill(
        TEMPLATE,
        &[
            ("ROOT", ctx.manifest.name().to_string()),
            (
                "TARGETS",
                pp.targets.iter().map(Target::triple).collect::<Vec<_>>().join(", "),
            ),
            ("NODES", nodes.to_string()),
            ("INCLUDE", include),
            ("CONTAINER", when(any_container, "    container: ${{ matrix.container }}")),
            (
                "ALPINE_TOOLS",
                when(any_container, "      - name: Build tools (Alpine)\n        if: ${{ matrix.container }}\n        run: apk add --no-cache python3 make g++ git"),
            ),
            ("IF_NOT_CONTAINER", when(any_container, "        if: ${{ !matrix.container }}")),
            ("ARCHITECTURE", when(any_arch, "          architecture: ${{ matrix.node-arch }}")),
            ("INSTALL", install.to_string()),
            ("BUILD", steps),
            (
                "TEST",
                when(has_test, "      - name: Test the binary on its runner\n        run: npm test"),
            ),
            ("PUBLISH_TO_HOST", publish),
        ],
    )
}

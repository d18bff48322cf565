//! The targets of a migration: the ones migrate's workflow can build (a GitHub runner
//! of their own, or an Alpine container on one), `--targets`, and the probe of which
//! tarballs the binary host already has.

use super::super::Context;
use crate::config::platform::Target;
use crate::error::{Error, Result};
use std::collections::BTreeSet;

/// The targets migrate's workflow can build, each on a GitHub runner of its own (in an
/// Alpine container for musl): the only ones `--targets` accepts, and the ones probed on
/// the host when it is not given (the platform-package ecosystem's: esbuild, sharp, @swc).
pub(super) const SUPPORTED_TARGETS: &[&str] = &[
    "linux-x64-glibc",
    "linux-x64-musl",
    "linux-arm64-glibc",
    "linux-arm64-musl",
    "darwin-x64",
    "darwin-arm64",
    "win32-x64",
    "win32-ia32",
    "win32-arm64",
];

/// The targets: `--targets`, else those already declared, else the tarballs of this
/// version that the host has (HEAD requests), else this machine's.
pub(super) async fn choose_targets(ctx: &Context) -> Result<(Vec<Target>, &'static str)> {
    if let Some(list) = ctx.opts.get_str("targets") {
        let mut out: Vec<Target> = Vec::new();
        for t in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let supported = || SUPPORTED_TARGETS.join(", ");
            let t = Target::parse(t).map_err(|reason| Error::InvalidOption {
                name: "targets".into(),
                value: list.clone(),
                reason: format!("{reason}; supported: {}", supported()),
            })?;
            if !SUPPORTED_TARGETS.contains(&t.triple().as_str()) {
                return Err(Error::InvalidOption {
                    name: "targets".into(),
                    value: list.clone(),
                    reason: format!(
                        "{} has no GitHub runner or cross build in the workflow migrate writes; supported: {}",
                        t.triple(),
                        supported()
                    ),
                });
            }
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.is_empty() {
            return Err(Error::InvalidOption {
                name: "targets".into(),
                value: list,
                reason: "expected a comma list such as linux-x64-glibc,darwin-arm64,win32-x64"
                    .into(),
            });
        }
        return Ok((out, "--targets"));
    }
    if let Some(pp) = ctx
        .manifest
        .binary
        .as_ref()
        .and_then(|b| b.platform_packages.as_ref())
    {
        return Ok((pp.targets.clone(), "binary.platform_packages"));
    }
    let here = ctx.evaluate("install", None).ok();
    match probe_host(ctx).await {
        Some(found) if !found.is_empty() => Ok((found, "host")),
        probed => {
            let Some(c) = here else {
                return Err(Error::Usage(
                    "cannot tell the targets (no tarball found on the host, and this machine's target is unknown): pass --targets".into(),
                ));
            };
            let t = Target::of(&c.platform, &c.arch, &c.libc);
            crate::log::warn(format!(
                "migrate: {}; using this machine's target only ({}); pass --targets to list every target you build",
                if probed.is_some() {
                    "the host has no tarball of this version"
                } else {
                    "the host could not be reached"
                },
                t.triple()
            ));
            Ok((vec![t], "this machine"))
        }
    }
}

/// The targets whose tarball of this version the host has; `None` when no request got
/// an answer (host unreachable).
async fn probe_host(ctx: &Context) -> Option<Vec<Target>> {
    let mut opts = ctx.opts.clone();
    opts.timeout = std::time::Duration::from_secs(5);
    let client = crate::fetch::http::client(&opts).ok()?;
    let napis: Vec<Option<u32>> = match ctx.manifest.napi_versions().ok().flatten() {
        Some(v) if !v.is_empty() => v.into_iter().map(Some).collect(),
        _ => vec![None],
    };
    let mut probes: Vec<(Target, String)> = Vec::new();
    let mut seen_urls = BTreeSet::new();
    for t in SUPPORTED_TARGETS {
        let target = Target::parse(t).expect("listed targets parse");
        let mut c = ctx.clone();
        c.opts.target.platform = Some(target.platform.clone());
        c.opts.target.arch = Some(target.arch.clone());
        c.opts.target.libc = Some(target.libc.clone().unwrap_or_else(|| "unknown".into()));
        for napi in &napis {
            let Ok(config) = c.evaluate("install", *napi) else {
                continue;
            };
            // Without {libc} in the name, musl and glibc builds share one URL: the
            // first target listed (glibc) claims it.
            if seen_urls.insert(config.hosted_tarball.clone()) {
                probes.push((target.clone(), config.hosted_tarball));
            }
        }
    }
    let answers = futures_join(probes.iter().map(|(_, url)| {
        let client = client.clone();
        let url = url.clone();
        async move {
            let r =
                tokio::time::timeout(std::time::Duration::from_secs(8), client.head(&url).send())
                    .await;
            match r {
                Ok(Ok(resp)) => Some(resp.status().is_success()),
                _ => None,
            }
        }
    }))
    .await;
    if answers.iter().all(Option::is_none) {
        return None;
    }
    let mut found: Vec<Target> = Vec::new();
    for ((t, url), ok) in probes.iter().zip(answers) {
        crate::log::verbose(format!("migrate: HEAD {url}: {ok:?}"));
        if ok == Some(true) && !found.contains(t) {
            found.push(t.clone());
        }
    }
    Some(found)
}

/// Runs futures concurrently on the current runtime, keeping their order.
async fn futures_join<F, T>(futs: impl Iterator<Item = F>) -> Vec<T>
where
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("probe task does not panic"));
    }
    out
}

/// The GitHub runner (and container) that builds a target natively.
pub(super) fn runner(t: &Target) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    match (t.platform.as_str(), t.arch.as_str(), t.libc.as_deref()) {
        ("linux", "x64", Some("musl")) => ("ubuntu-22.04", Some("node:22-alpine"), None),
        ("linux", "arm64", Some("musl")) => ("ubuntu-22.04-arm", Some("node:22-alpine"), None),
        ("linux", "arm64", _) => ("ubuntu-22.04-arm", None, None),
        ("linux", _, _) => ("ubuntu-22.04", None, None),
        ("darwin", "x64", _) => ("macos-15-intel", None, None),
        ("darwin", _, _) => ("macos-15", None, None),
        ("win32", "ia32", _) => ("windows-2022", None, Some("x86")),
        ("win32", "arm64", _) => ("windows-11-arm", None, None),
        ("win32", _, _) => ("windows-2022", None, None),
        _ => ("ubuntu-22.04", None, None),
    }
}

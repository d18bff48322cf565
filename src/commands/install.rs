//! `install`: the decisions of installing a prebuilt binary for this target: skip,
//! build instead, take it from disk, the cache or the host, fall back to a build. The
//! work is done by the services: [`crate::fetch::download`] (stream -> hash -> unpack, with
//! retries and the sidecar), [`crate::place::staging`] (the lock and the atomic placement),
//! [`crate::fetch::cache`] and [`crate::s3`] (private binaries).

use super::{Context, Outcome};
use crate::config::versioning::Config;
use crate::error::{Error, Result};
use crate::fetch::cache::Cache;
use crate::fetch::download;
use crate::fetch::http;
use crate::fetch::settings::Target;
use crate::log;
use crate::place::archive::Limits;
use crate::place::staging::{self, Staging};
use crate::redact::redact_url;
use crate::results::InstallResult;
use crate::results::Source;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Result of placing a binary.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Where it came from.
    pub source: Source,
    /// sha256 of the tarball.
    pub sha256: Option<String>,
}

fn result(ctx: &Context, config: &Config, source: Source, sha256: Option<&str>) -> InstallResult {
    InstallResult {
        path: config.module.to_string_lossy().into_owned(),
        source,
        url: Some(redact_url(&config.hosted_tarball)),
        sha256: sha256.map(String::from),
        package: None,
        dry_run: ctx.opts.dry_run,
    }
}

/// `install`.
pub async fn install(
    ctx: &Context,
    _args: &[String],
    napi: Option<u32>,
) -> Result<Outcome<InstallResult>> {
    let name = ctx.name().to_string();
    // A prebuild-install package (no node-pre-gyp `binary` block): `pregyp install` stands in
    // for its blocked `prebuild-install || node-gyp rebuild` script.
    if crate::mend::kind::prebuild_install_script(&ctx.manifest).is_some() {
        return install_prebuild_install(ctx).await;
    }
    if ctx.opts.build_from_source.matches(&name) {
        log::info("build requesting source compile");
        return build_instead(ctx, napi).await;
    }
    let config = ctx.evaluate("install", napi)?;
    refuse_unsafe_module_path(ctx, &config)?;
    let fallback = ctx.opts.fallback_to_build.matches(&name);
    if !ctx.opts.update_binary && config.module.exists() {
        return Ok(already_installed(ctx, &name, &config));
    }
    // An installed platform package already holds the binding: no download at all.
    if !ctx.opts.update_binary {
        if let Some(done) =
            super::common::platform_packages::install_from_platform_package(ctx, &config)?
        {
            return Ok(done);
        }
    }
    log::info(format!(
        "check checked for \"{}\" ({})",
        config.module.display(),
        if config.module.exists() {
            "found; --update-binary replaces it"
        } else {
            "not found"
        }
    ));
    if ctx.opts.dry_run {
        return would_install(ctx, &config, fallback);
    }
    match place(ctx, &config).await {
        Ok(placed) if placed.source == Source::Existing => {
            Ok(already_installed(ctx, &name, &config))
        }
        Ok(placed) => Ok(Outcome::line(
            format!(
                "[{name}] Success: \"{}\" is installed via remote",
                config.module.display()
            ),
            result(ctx, &config, placed.source, placed.sha256.as_deref()),
        )),
        Err(e @ Error::BindingLoad { .. }) if fallback => {
            // Checked before anything was replaced: the previous binding is still there.
            log::warn(format!(
                "the downloaded binary does not load on this machine ({e}); falling back to source compile with node-gyp"
            ));
            build_instead(ctx, napi).await
        }
        Err(e) if fallback => {
            print_fallback_error(ctx, &config, &e);
            build_instead(ctx, napi).await
        }
        Err(e) => Err(e),
    }
}

async fn install_prebuild_install(ctx: &Context) -> Result<Outcome<InstallResult>> {
    use crate::mend::{kind, prebuild_install};
    let name = ctx.name().to_string();
    let built = kind::built_bindings(&ctx.dir);
    let output = crate::building::process::ChildOutput::for_results(
        ctx.opts.json,
        !log::enabled(log::LogLevel::Notice),
    );
    let done = |source: Source, url: Option<String>, line: String| {
        let path = kind::built_bindings(&ctx.dir)
            .first()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        Outcome::line(
            line,
            InstallResult {
                path,
                source,
                url,
                sha256: None,
                package: None,
                dry_run: ctx.opts.dry_run,
            },
        )
    };
    if !ctx.opts.update_binary && !built.is_empty() {
        return Ok(done(
            Source::Existing,
            None,
            format!(
                "[{name}] Success: \"{}\" already installed",
                built[0].display()
            ),
        ));
    }
    if ctx.opts.dry_run {
        let plan = prebuild_install::planned(&ctx.manifest.raw, &ctx.opts, ctx.net()?, &ctx.host)?;
        let source = if plan.url.is_some() {
            Source::Remote
        } else {
            Source::Build
        };
        return Ok(done(
            source,
            plan.url,
            format!("[{name}] Would install {}", plan.text),
        ));
    }
    let m = prebuild_install::mend(
        &ctx.dir,
        &ctx.manifest.raw,
        &ctx.opts,
        &ctx.net,
        &ctx.host,
        output,
    )
    .await?;
    let path = kind::built_bindings(&ctx.dir);
    let how = if m.source == Source::Build {
        "built from source"
    } else {
        "installed via remote"
    };
    Ok(done(
        m.source,
        m.url,
        format!(
            "[{name}] Success: \"{}\" is {how}",
            path.first()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
    ))
}

/// Install replaces what is in module_path: never let that be the package itself or a
/// folder holding it (`"module_path": "./"` or `"../"`).
fn refuse_unsafe_module_path(ctx: &Context, config: &Config) -> Result<()> {
    let dir = crate::config::manifest::normalize(&ctx.dir);
    if dir.starts_with(&config.module_path) {
        return Err(Error::InvalidField {
            path: ctx.manifest.path.clone(),
            field: "binary.module_path".into(),
            reason: format!(
                "resolves to {}{}, which contains the package itself; refusing to install binaries over it",
                config.module_path.display(),
                ctx.module_root_note()
            ),
        });
    }
    Ok(())
}

fn already_installed(ctx: &Context, name: &str, config: &Config) -> Outcome<InstallResult> {
    Outcome {
        stdout: vec![
            format!(
                "[{name}] Success: \"{}\" already installed",
                config.module.display()
            ),
            "Pass --update-binary to reinstall or --build-from-source to recompile".into(),
        ],
        result: result(ctx, config, Source::Existing, None),
    }
}

/// `install --dry-run`: what would be downloaded, and where it would go. Nothing is
/// fetched (not even a HEAD request), written or built.
fn would_install(ctx: &Context, config: &Config, fallback: bool) -> Result<Outcome<InstallResult>> {
    // The URL the real install would fetch, after PREGYP_MIRROR and the config file.
    let target = ctx.net()?.install_target(&ctx.opts, config);
    let url = redact_url(&target.url);
    let mut stdout = vec![format!(
        "[{}] Would install \"{}\" from {url}",
        ctx.name(),
        config.module.display()
    )];
    if fallback {
        stdout.push("(and build from source with node-gyp if that download failed)".into());
    }
    let mut r = result(ctx, config, Source::Remote, None);
    r.url = Some(url);
    Ok(Outcome { stdout, result: r })
}

async fn build_instead(ctx: &Context, napi: Option<u32>) -> Result<Outcome<InstallResult>> {
    // The reference's `build rebuild`: node-gyp clean + configure + build.
    let step = super::Step {
        call: crate::config::options::CommandCall {
            name: "build".into(),
            args: vec!["rebuild".into()],
        },
        napi_build_version: napi,
    };
    super::run_step(ctx, &step).await?;
    let config = ctx.evaluate("install", napi)?;
    Ok(Outcome::quiet(result(ctx, &config, Source::Build, None)))
}

/// The reference's `print_fallback_error`, with the cause in one line.
fn print_fallback_error(ctx: &Context, config: &Config, e: &Error) {
    let target = format!(
        "{}@{} ({} ABI, {})",
        config.runtime.as_str(),
        ctx.opts
            .target
            .version
            .as_deref()
            .unwrap_or(&ctx.host.node_version),
        config
            .values
            .get("node_abi")
            .and_then(|v| v.as_str())
            .unwrap_or(""),
        config.libc
    );
    let status = match e {
        Error::DownloadNotFound { .. } => Some(404),
        Error::DownloadForbidden { .. } => Some(403),
        Error::DownloadStatus { status, .. } => Some(*status),
        _ => None,
    };
    let what = if let Some(s) = status {
        log::warn(format!(
            "Tried to download({s}): {}",
            redact_url(&config.hosted_tarball)
        ));
        "not found"
    } else {
        "not installable"
    };
    log::warn(format!(
        "Pre-built binaries {what} for {}@{} and {target} (falling back to source compile with node-gyp)",
        config.name, config.version
    ));
    log::warn(format!("Hit error {e}"));
}

fn cache_for(ctx: &Context) -> Cache {
    Cache::open(ctx.opts.cache_dir.as_deref())
}

fn module_file(config: &Config) -> String {
    format!("{}.node", config.module_name)
}

fn check_contains_module(config: &Config, staged: &Path, source: &str) -> Result<()> {
    let want = format!("{}.node", config.module_name);
    if staged.join(&want).exists() {
        Ok(())
    } else {
        Err(Error::BadArchive {
            source_name: source.to_string(),
            detail: format!("the archive does not contain {want} at its top level"),
            source: None,
        })
    }
}

/// Downloads (or takes from cache / disk), verifies and unpacks the binary into place.
pub async fn place(ctx: &Context, config: &Config) -> Result<Placed> {
    let cache = cache_for(ctx);
    let _lock = staging::lock(cache.lock_path(&config.module_path)?, &config.module_path).await?;
    staging::remove_stale_staging(&config.module_path);
    // Another install may have finished while we waited for the lock.
    if !ctx.opts.update_binary && config.module.exists() {
        return Ok(Placed {
            source: Source::Existing,
            sha256: None,
        });
    }
    let target = ctx.net()?.install_target(&ctx.opts, config);
    if let Some(m) = &target.mirror {
        log::info(format!(
            "install using mirror {} (from {m})",
            redact_url(&target.url)
        ));
    }
    let url = target.url.clone();
    let expected = config.checksum.clone();
    if url.starts_with("file://") {
        let path = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .ok_or_else(|| Error::DownloadNotFound { url: (&url).into() })?;
        if !path.exists() {
            return Err(Error::DownloadNotFound { url: (&url).into() });
        }
        log::info(format!("install unpacking local file {}", path.display()));
        // As over http: without a checksum in package.json, a `.sha256` beside it counts.
        let expected = expected.or_else(|| local_sidecar(&path));
        let sha = unpack_file(
            ctx,
            config,
            &path,
            &path.display().to_string(),
            expected.as_deref(),
        )
        .await?;
        return Ok(Placed {
            source: Source::File,
            sha256: Some(sha),
        });
    }
    if let Some((blob, sha)) = cache.lookup(&url, expected.as_deref()) {
        log::info(format!(
            "install using cached {} ({})",
            redact_url(&url),
            &sha[..12]
        ));
        let sha = unpack_file(ctx, config, &blob, &redact_url(&url), Some(&sha)).await?;
        return Ok(Placed {
            source: Source::Cache,
            sha256: Some(sha),
        });
    }
    if ctx.opts.offline {
        return Err(Error::OfflineCacheMiss {
            url: url.into(),
            cache_dir: cache.root().to_path_buf(),
        });
    }
    download(ctx, config, &cache, &target, expected).await
}

/// The digest in `<tarball>.sha256` beside a local tarball, if there is one. One that is
/// not a digest is ignored with a warning, as it is over http.
fn local_sidecar(tarball: &Path) -> Option<String> {
    let mut name = tarball.as_os_str().to_owned();
    name.push(".sha256");
    let sidecar = PathBuf::from(name);
    let text = std::fs::read_to_string(&sidecar).ok()?;
    let digest = crate::digest::parse_sidecar(&text);
    if digest.is_none() {
        log::warn(format!(
            "{} holds no sha256 digest; the tarball is not verified",
            sidecar.display()
        ));
    }
    digest
}

/// The last checks on a complete, verified archive, then the commit: the binding is at
/// the top level, and (when a build could replace it) loads in this runtime.
async fn finish(ctx: &Context, config: &Config, staging: Staging, source: &str) -> Result<()> {
    check_contains_module(config, staging.path(), source)?;
    if ctx.opts.fallback_to_build.matches(ctx.name()) && !config.cross_compiling {
        staging
            .verify_load(&config.module_name, &ctx.host, &ctx.opts.env)
            .await?;
    }
    // Fault injection for the interruption tests: stop between two moves of the commit
    // (some entries replaced, the binding not yet) for this many ms, to be killed there.
    let pause = ctx
        .opts
        .env
        .non_empty("PREGYP_TEST_PAUSE_IN_COMMIT_MS")
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis);
    staging.commit(&module_file(config), pause)
}

async fn download(
    ctx: &Context,
    config: &Config,
    cache: &Cache,
    target: &Target,
    expected: Option<String>,
) -> Result<Placed> {
    let url = target.url.as_str();
    let client = http::client(&ctx.opts)?;
    let staging = Staging::new(&config.module_path)?;
    let request = download::Request::new(&client, &ctx.opts, target, cache, expected);
    let got = match download::download_into(&request, staging.path()).await {
        Ok(got) => got,
        // Only the package's own host can be an S3 bucket to ask with S3 credentials.
        Err(Error::DownloadForbidden { .. })
            if target.mirror.is_none() && target.credentials.is_none() =>
        {
            drop(staging);
            return private_binary(ctx, config, cache).await;
        }
        Err(e) => return Err(http::through_proxy(&ctx.opts, url, target.explain(e))),
    };
    if let Err(e) = finish(ctx, config, staging, &redact_url(url)).await {
        got.discard();
        return Err(e);
    }
    let sha256 = got.sha256.clone();
    got.store_in(cache, url);
    Ok(Placed {
        source: Source::Remote,
        sha256: Some(sha256),
    })
}

async fn unpack_file(
    ctx: &Context,
    config: &Config,
    file: &Path,
    source: &str,
    expected: Option<&str>,
) -> Result<String> {
    let staging = Staging::new(&config.module_path)?;
    let sha =
        download::unpack_file(file, staging.path(), source, Limits::for_options(&ctx.opts)).await?;
    download::verify(source, expected, &sha)?;
    finish(ctx, config, staging, source).await?;
    Ok(sha)
}

/// HTTP 403: the object may be private; fetch it with S3 credentials, then verify and
/// unpack it like any other download.
async fn private_binary(ctx: &Context, config: &Config, cache: &Cache) -> Result<Placed> {
    if config.s3_location().is_err() {
        // Not an S3 bucket (a mirror, a plain web server): a 403 is just a 403.
        return Err(Error::DownloadForbidden {
            url: (&config.hosted_tarball).into(),
            hint: "; the host is not an S3 bucket, so there is no authenticated retry".into(),
        });
    }
    log::info("install Received 403 Forbidden - attempting authenticated download");
    let tmp = tempfile::NamedTempFile::new_in(cache.tmp_dir()?)
        .map_err(|e| Error::io("create temp file in", cache.root(), e))?;
    let published = crate::s3::get_object_to_file(config, &ctx.opts, tmp.path()).await?;
    let source = format!("s3 object for {}", redact_url(&config.hosted_tarball));
    // package.json's checksum wins; else the `.sha256` that publish put beside the object.
    let expected = config.checksum.clone().or(published);
    let sha = unpack_file(ctx, config, tmp.path(), &source, expected.as_deref()).await?;
    Ok(Placed {
        source: Source::S3,
        sha256: Some(sha),
    })
}

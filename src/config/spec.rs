//! Every command and every option, declared once. The parser (`options`), `--help`
//! (`cli`), the Node-API expansion of a chain (`commands`) and the TypeScript types
//! (`index.d.ts`, generated from [`to_json`] by `scripts/gen-types.js`) all read these
//! tables, so a new option cannot be missing from one of them.

use serde::Serialize;

/// Which `binary` host a command works against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HostUse {
    /// None (local work).
    None,
    /// `production_host` (or `host`): installs, info, reveal.
    Production,
    /// `staging_host` (or `host`): publish and unpublish.
    Staging,
}

/// A command.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CommandSpec {
    /// Its name on the command line.
    pub name: &'static str,
    /// Its name in the JS API (`pregyp.<api>(opts)`).
    pub api: &'static str,
    /// The one-line description `--help` prints.
    pub summary: &'static str,
    /// Runs once per buildable Node-API version (the reference's `napi_multiple_commands`).
    pub per_napi_version: bool,
    /// The host it uses.
    pub host: HostUse,
    /// Positional arguments, as `--help` shows them.
    pub args: &'static str,
}

const fn cmd(
    name: &'static str,
    api: &'static str,
    summary: &'static str,
    per_napi_version: bool,
    host: HostUse,
    args: &'static str,
) -> CommandSpec {
    CommandSpec {
        name,
        api,
        summary,
        per_napi_version,
        host,
        args,
    }
}

use HostUse::{None as Local, Production, Staging};

/// Every command, reference ones first, in the order `--help` lists them.
#[rustfmt::skip]
pub const COMMANDS: &[CommandSpec] = &[
    cmd("clean", "clean", "Removes the entire folder containing the compiled .node module", true, Production, ""),
    cmd("install", "install", "Attempts to install pre-built binary for module", false, Production, ""),
    cmd("reinstall", "reinstall", "Runs \"clean\" and \"install\" at once", false, Production, ""),
    cmd("build", "build", "Attempts to compile the module by dispatching to node-gyp or nw-gyp", true, Production, ""),
    cmd("rebuild", "rebuild", "Runs \"clean\" and \"build\" at once", true, Production, ""),
    cmd("package", "package", "Packs binary (and enclosing directory) into locally staged tarball", true, Production, ""),
    cmd("testpackage", "testpackage", "Tests that the staged package is valid", true, Production, ""),
    cmd("publish", "publish", "Publishes pre-built binary to S3", true, Staging, ""),
    cmd("unpublish", "unpublish", "Unpublishes pre-built binary from S3", true, Staging, ""),
    cmd("info", "info", "Lists all published binaries", false, Production, ""),
    cmd("testbinary", "testbinary", "Tests that the binary.node can be required", true, Production, ""),
    cmd("reveal", "reveal", "Reveals data on the versioned binary", true, Production, "[key]"),
    cmd("configure", "configure", "Attempts to configure node-gyp or nw-gyp build", true, Production, ""),
    cmd("postinstall-build", "postinstallBuild", "Builds in postinstall only when an artifact is missing", false, Local, "<artifact> [command...]"),
    cmd("explain", "explain", "Explains what install would do for this package, and why", false, Production, ""),
    cmd("heal", "heal", "Installs every missing or broken binding under node_modules", false, Local, ""),
    cmd("checksums", "checksums", "Prints (or with --write stores) binary.checksums for the staged tarballs", true, Production, ""),
    cmd("platform-package", "platformPackage", "Writes build/npm/<package>/, the npm package carrying this target's bindings (--from <dir>: every target's, from staged tarballs)", false, Local, ""),
    cmd("optional-deps", "optionalDeps", "Prints (or with --write stores) optionalDependencies on every platform package; --write also drops a node-pre-gyp install script and sets gypfile: false", false, Local, ""),
    cmd("migrate", "migrate", "Moves a node-pre-gyp package in place onto pregyp, platform packages and a release workflow; prints the diff and what is left to do", false, Production, ""),
];

/// The command named `name`.
pub fn command(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// What an option's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `--flag`, `--no-flag`, `--flag=true|false`.
    Flag,
    /// `--flag` (all packages), `--flag=false`, or `--flag=name,name`.
    Selector,
    /// `--name <text>` or `--name=<text>`.
    Text,
    /// A whole number.
    Number,
    /// A byte size (`500000000`, `512mb`, `2gb`).
    Size,
}

impl Kind {
    /// Whether the option takes the next argument as its value when written without `=`.
    pub fn takes_value(self) -> bool {
        matches!(self, Kind::Text | Kind::Number | Kind::Size)
    }
}

/// An option.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OptionSpec {
    /// Its name, dashed as users usually write it (dashes and underscores are interchangeable).
    pub name: &'static str,
    /// A one-letter alias (`-C`, `-j`).
    pub short: Option<char>,
    /// Its kind.
    pub kind: Kind,
    /// The allowed values, when they are a fixed set.
    pub values: &'static [&'static str],
    /// Environment variables read when it is not given (besides `npm_config_<name>`,
    /// which every option has), first match wins.
    pub env: &'static [&'static str],
    /// What `--help` says of it.
    pub help: &'static str,
    /// The commands it concerns (empty: all).
    pub commands: &'static [&'static str],
    /// What `--help` calls its value (`<dir>`, `<ms>`).
    pub arg: &'static str,
}

const fn opt(name: &'static str, kind: Kind, help: &'static str) -> OptionSpec {
    OptionSpec {
        name,
        short: None,
        kind,
        values: &[],
        env: &[],
        help,
        commands: &[],
        arg: "value",
    }
}

impl OptionSpec {
    const fn short(mut self, c: char) -> Self {
        self.short = Some(c);
        self
    }
    const fn values(mut self, v: &'static [&'static str]) -> Self {
        self.values = v;
        self
    }
    const fn env(mut self, v: &'static [&'static str]) -> Self {
        self.env = v;
        self
    }
    const fn only(mut self, c: &'static [&'static str]) -> Self {
        self.commands = c;
        self
    }
    const fn arg(mut self, a: &'static str) -> Self {
        self.arg = a;
        self
    }

    /// The name as the parser keys it (underscores).
    pub fn key(&self) -> String {
        self.name.replace('-', "_")
    }
}

use Kind::{Flag, Number, Selector, Size, Text};

/// The log levels, quietest first.
pub const LOG_LEVELS: &[&str] = &[
    "silent", "error", "warn", "notice", "http", "info", "verbose", "silly",
];

/// Every option, in the order `--help` lists them.
#[rustfmt::skip]
pub const OPTIONS: &[OptionSpec] = &[
    opt("directory", Text, "run in <dir> (the package folder)").short('C').arg("dir"),
    opt("build-from-source", Selector, "compile instead of downloading (all packages, or a comma list of names)").env(&["PREGYP_BUILD_FROM_SOURCE"]),
    opt("fallback-to-build", Selector, "compile when no binary can be installed (`=false` turns it off)"),
    opt("update-binary", Flag, "reinstall even if the binding exists"),
    opt("runtime", Text, "the runtime to build or install for").values(&["node", "electron", "node-webkit"]),
    opt("target", Text, "the runtime version to build or install for (X.Y.Z)").arg("version"),
    opt("target_arch", Text, "cross-target: the architecture"),
    opt("target_platform", Text, "cross-target: the platform"),
    opt("target_libc", Text, "cross-target: the libc (glibc, musl)"),
    opt("arch", Text, "passed to node-gyp"),
    opt("debug", Flag, "Debug configuration (--release: Release, the default)"),
    opt("toolset", Text, "the {toolset} template variable, passed to node-gyp"),
    opt("loglevel", Text, "log verbosity (--silent, --verbose and --silly are shorthands)").values(LOG_LEVELS),
    opt("acl", Text, "the ACL of published objects (default public-read, or binary.acl)").only(&["publish"]),
    opt("s3_host", Text, "with staging_host and production_host: which one").values(&["staging", "production"]).env(&["node_pre_gyp_s3_host"]),
    opt("proxy", Text, "proxy for http URLs (and https ones without --https-proxy)").env(&["HTTP_PROXY", "http_proxy"]).arg("url"),
    opt("https-proxy", Text, "proxy for https URLs").env(&["HTTPS_PROXY", "https_proxy"]).arg("url"),
    opt("noproxy", Text, "hosts reached without the proxy (comma list)").env(&["NO_PROXY", "no_proxy"]).arg("hosts"),
    opt("ca", Text, "an extra trusted CA certificate (PEM text)").arg("pem"),
    opt("cafile", Text, "a file of extra trusted CA certificates (PEM)").env(&["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"]).arg("file"),
    opt("strict-ssl", Flag, "--strict-ssl=false turns certificate checks off"),
    opt("fetch-retries", Number, "retries of a failed download (default 3)").arg("n"),
    opt("fetch-timeout", Number, "longest silence of a download in ms, connecting or between reads (default 20000; 0: none, as in npm)").arg("ms"),
    opt("fetch-retry-mintimeout", Number, "first retry delay in ms, doubled each time (default 200)").arg("ms"),
    opt("offline", Flag, "install from the cache only"),
    opt("pregyp-cache", Text, "the download cache folder (default <npm cache>/_pregyp)").env(&["PREGYP_CACHE"]).arg("dir"),
    opt("cache", Text, "npm's cache folder (the download cache goes in its _pregyp folder)").arg("dir"),
    opt("max-unpacked-size", Size, "refuse archives that unpack to more (default 1gb)").arg("size"),
    opt("build-latest-napi-version-only", Flag, "build only the highest Node-API version"),
    opt("json", Flag, "print results as JSON"),
    opt("color", Flag, "--no-color: log lines without colours (also NO_COLOR, npm_config_color=false)"),
    opt("silent_clean", Flag, "clean without its `Removing` line").only(&["clean", "rebuild", "reinstall"]),
    opt("dry-run", Flag, "say what would be done, change nothing: no file, bucket or registry is written, nothing is downloaded or built"),
    opt("concurrency", Number, "packages healed at once (default 4)").only(&["heal"]).arg("n"),
    opt("write", Flag, "store the result in package.json").only(&["checksums", "optional-deps"]),
    opt("keep-name", Flag, "keep the node-pre-gyp dependency's name as an npm alias of pregyp (code and scripts keep working unchanged)").only(&["migrate"]),
    opt("targets", Text, "the platform package targets, comma list (default: the tarballs of this version found on the host, else this machine)").only(&["migrate"]).arg("list"),
    opt("workflow", Text, "the release workflow to write (default github: .github/workflows/prebuild.yml)").values(&["github", "none"]).only(&["migrate"]),
    opt("yes", Flag, "go ahead despite uncommitted changes in git").short('y').only(&["migrate"]),
    opt("from", Text, "a folder of staged tarballs of every target (a CI matrix's artifacts)").only(&["platform-package"]).arg("dir"),
    opt("script", Text, "the npm script that builds (default: run the command, or `npm run build`)").only(&["postinstall-build"]).arg("name"),
    opt("only-as-dependency", Flag, "skip when installing the package's own folder").only(&["postinstall-build"]),
    opt("ensure", Flag, "--ensure=false: node-gyp does not download headers").only(&["configure", "build", "rebuild"]),
    opt("dist-url", Text, "passed to node-gyp: where to download headers from").arg("url"),
    opt("python", Text, "passed to node-gyp: the python to use").arg("path"),
    opt("nodedir", Text, "passed to node-gyp: Node's source or headers folder").arg("dir"),
    opt("msvs_version", Text, "passed to node-gyp: the Visual Studio version"),
    opt("jobs", Text, "passed to node-gyp: parallel compile jobs").short('j').arg("n"),
];

/// The option whose key (underscores) is `key`.
pub fn option(key: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.key() == key)
}

/// The declarations as JSON, for `scripts/gen-types.js` and the types test.
pub fn to_json() -> serde_json::Value {
    serde_json::json!({
        "commands": COMMANDS,
        "options": OPTIONS,
        "errorCodes": crate::error::CODES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for o in OPTIONS {
            assert!(seen.insert(o.key()), "option {} twice", o.name);
        }
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            assert!(seen.insert(c.name), "command {} twice", c.name);
        }
    }
}

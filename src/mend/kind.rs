//! What installs a native package's binding (beside node-pre-gyp's `binary` block, which
//! `install` reads), where that binding lives, and how to tell whether it loads.

use crate::config::options::Env;
use crate::config::target::HostInfo;
use crate::error::Result;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The installer a package's scripts name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A node-pre-gyp `binary` block (pregyp's own `install`).
    NodePreGyp,
    /// An install script that runs `prebuild-install`.
    PrebuildInstall,
    /// An install script that runs `node-gyp-build` (prebuilds bundled in `prebuilds/`).
    NodeGypBuild,
    /// A `binding.gyp` and no install script (npm's implicit `node-gyp rebuild`), or an
    /// install script that only runs node-gyp.
    BindingGyp,
}

impl Kind {
    /// The name in heal's table and `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NodePreGyp => "node-pre-gyp",
            Kind::PrebuildInstall => "prebuild-install",
            Kind::NodeGypBuild => "node-gyp-build",
            Kind::BindingGyp => "binding.gyp",
        }
    }
}

const SCRIPTS: [&str; 3] = ["preinstall", "install", "postinstall"];

/// The install-time script (`preinstall`, `install`, `postinstall`) that mentions `tool`.
pub fn script_naming(raw: &Value, tool: &str) -> Option<String> {
    let scripts = raw.get("scripts")?.as_object()?;
    SCRIPTS.iter().find_map(|k| {
        let s = scripts.get(*k)?.as_str()?;
        s.split(|c: char| c.is_whitespace() || "|&;()".contains(c))
            // `tool` alone or as a path (`node_modules/.bin/tool`).
            .any(|w| w == tool || w.ends_with(&format!("/{tool}")))
            .then(|| s.to_string())
    })
}

/// Whether a manifest's `binary` block is node-pre-gyp's (the reference's validation: its
/// required fields, or a staging/production host pair), not prebuild-install's
/// `{"napi_versions": [...]}` alone.
pub fn node_pre_gyp_ready(manifest: &crate::config::manifest::Manifest) -> bool {
    manifest.binary.as_ref().is_some_and(|b| {
        let has_host =
            b.host.is_some() || (b.staging_host.is_some() && b.production_host.is_some());
        b.module_name.is_some() && b.module_path.is_some() && has_host
    })
}

/// The install script of a prebuild-install package: one running `prebuild-install`, or
/// `pregyp install` standing in for it (in a package without a node-pre-gyp block).
pub fn prebuild_install_script(manifest: &crate::config::manifest::Manifest) -> Option<String> {
    if node_pre_gyp_ready(manifest) {
        return None;
    }
    script_naming(&manifest.raw, "prebuild-install")
        .or_else(|| script_naming(&manifest.raw, "pregyp").filter(|s| s.contains("pregyp install")))
}

/// The words of a simple command line (package.json scripts here are plain words;
/// quotes around a word are dropped).
pub fn words(command: &str) -> Vec<String> {
    command
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
        .collect()
}

/// Whether a command's program is node-gyp (by name, or a path to it or its script).
pub fn is_node_gyp(program: &str) -> bool {
    program == "node-gyp" || program.ends_with("/node-gyp") || program.ends_with("/node-gyp.js")
}

/// Whether a node-pre-gyp package's install script asks for a source build when no binary
/// can be installed (`node-pre-gyp install --fallback-to-build`), and it has a binding.gyp
/// to build from: what its blocked script would have done.
pub fn script_falls_back_to_build(dir: &Path, raw: &Value) -> bool {
    let script = script_naming(raw, "node-pre-gyp").or_else(|| script_naming(raw, "pregyp"));
    dir.join("binding.gyp").is_file()
        && script.is_some_and(|s| {
            words(&s).iter().any(|w| {
                w == "--fallback-to-build"
                    || w.strip_prefix("--fallback-to-build=")
                        .is_some_and(|v| !matches!(v, "false" | "0" | ""))
            })
        })
}

/// Whether the package has any install-time script.
pub fn has_install_script(raw: &Value) -> bool {
    raw.get("scripts")
        .and_then(Value::as_object)
        .is_some_and(|s| SCRIPTS.iter().any(|k| s.contains_key(*k)))
}

/// The installer of a package that has no usable node-pre-gyp `binary` block, if it is
/// native at all.
pub fn classify(dir: &Path, raw: &Value) -> Option<Kind> {
    let standing_in = script_naming(raw, "pregyp").is_some_and(|s| s.contains("pregyp install"));
    if script_naming(raw, "prebuild-install").is_some() || standing_in {
        return Some(Kind::PrebuildInstall);
    }
    if script_naming(raw, "node-gyp-build").is_some() {
        return Some(Kind::NodeGypBuild);
    }
    let gyp = dir.join("binding.gyp").is_file();
    // An explicit `node-gyp rebuild` (or `node-gyp configure build || exit 0`) as the
    // preinstall or install script, and nothing else there: what heal's own node-gyp
    // rebuild does.
    let install_scripts: Vec<&str> = ["preinstall", "install"]
        .iter()
        .filter_map(|k| raw.get("scripts")?.get(*k)?.as_str())
        .collect();
    if gyp
        && install_scripts.iter().any(|s| runs_only_node_gyp(s))
        && install_scripts.iter().all(|s| {
            shell_commands(s)
                .iter()
                .all(|(_, w)| program(w).is_some_and(|p| is_node_gyp(p) || is_no_op(p)))
        })
    {
        return Some(Kind::BindingGyp);
    }
    // npm adds `node-gyp rebuild` as the install script of a package with a binding.gyp
    // and neither an install nor a preinstall script, unless `"gypfile": false`.
    let scripts = raw.get("scripts").and_then(Value::as_object);
    let scripted =
        scripts.is_some_and(|s| s.contains_key("install") || s.contains_key("preinstall"));
    let gypfile_off = raw.get("gypfile") == Some(&Value::Bool(false));
    (gyp && !scripted && !gypfile_off).then_some(Kind::BindingGyp)
}

/// The commands of a shell line, each with whether it follows `||` and its words: split
/// at `&&`, `||`, `|`, `;` and `&` outside quotes, with parentheses and redirections
/// (`2>&1`, `> build.log`, `2>err.log`) left out.
pub fn shell_commands(script: &str) -> Vec<(bool, Vec<String>)> {
    let mut out = Vec::new();
    let (mut words, mut word, mut after_or) = (Vec::new(), String::new(), false);
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut end =
        |words: &mut Vec<String>, word: &mut String, next_after_or: bool, after_or: &mut bool| {
            if !word.is_empty() {
                words.push(std::mem::take(word));
            }
            out.push((*after_or, std::mem::take(words)));
            *after_or = next_after_or;
        };
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if let Some(q) = quote {
            // Inside quotes nothing splits: `echo 'failed; using JS'` is one command.
            if c == q {
                quote = None;
            } else {
                word.push(c);
            }
            i += 1;
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '|' if next == Some('|') => {
                end(&mut words, &mut word, true, &mut after_or);
                i += 1;
            }
            '&' if next == Some('&') => {
                end(&mut words, &mut word, false, &mut after_or);
                i += 1;
            }
            // `2>&1`, `>&2`: part of a redirection.
            '&' if word.ends_with('>') => word.push(c),
            '|' | '&' | ';' => end(&mut words, &mut word, false, &mut after_or),
            c if c.is_whitespace() || c == '(' || c == ')' => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
        i += 1;
    }
    end(&mut words, &mut word, false, &mut after_or);
    out.into_iter()
        .map(|(after_or, words)| {
            let mut kept = Vec::new();
            let mut skip_target = false;
            for w in words {
                if std::mem::take(&mut skip_target) {
                    continue;
                }
                let digits = w.trim_start_matches(|c: char| c.is_ascii_digit());
                if digits.starts_with('>') || digits.starts_with('<') {
                    // `>` or `2>>` alone: the file is the next word.
                    skip_target = digits.trim_start_matches(['>', '<']).is_empty();
                    continue;
                }
                kept.push(w);
            }
            (after_or, kept)
        })
        .filter(|(_, words)| !words.is_empty())
        .collect()
}

/// A command's program: its first word, past `npx` and npx's own flags.
fn program(words: &[String]) -> Option<&str> {
    program_at(words).map(|i| words[i].as_str())
}

/// Where a command's program is among its words: the first, or past `npx` and its flags
/// (`npx -y node-gyp`, `npx --package node-gyp node-gyp`).
pub fn program_at(words: &[String]) -> Option<usize> {
    if words.first()? != "npx" {
        return Some(0);
    }
    let mut i = 1;
    while let Some(w) = words.get(i) {
        match w.as_str() {
            "-p" | "--package" | "-c" | "--call" => i += 2,
            w if w.starts_with('-') => i += 1,
            _ => return Some(i),
        }
    }
    None
}

/// A no-op that only decides the exit status (`exit 0`, `true`, `echo ...`).
fn is_no_op(program: &str) -> bool {
    matches!(program, "exit" | "true" | ":" | "echo")
}

/// Whether every command of a script is node-gyp (also through npx) or a no-op, and at
/// least one is node-gyp.
fn runs_only_node_gyp(script: &str) -> bool {
    let commands = shell_commands(script);
    commands
        .iter()
        .all(|(_, w)| program(w).is_some_and(|p| is_node_gyp(p) || is_no_op(p)))
        && commands
            .iter()
            .any(|(_, w)| program(w).is_some_and(is_node_gyp))
}

/// node-gyp's arguments when a prebuild-install fallback builds with node-gyp and nothing
/// else: the fallback itself (`node-gyp rebuild --release`, `npx node-gyp rebuild`), or the
/// package script it runs (`npm run build` whose script is `node-gyp rebuild`: keytar).
/// Scripts are followed one level; anything else (`npm run build` of `make`, `node-gyp
/// rebuild && node copy.js`) is a package script, which pregyp does not run.
pub fn fallback_node_gyp_args(raw: &Value, fallback: &str) -> Option<Vec<String>> {
    let single = |line: &str| -> Option<Vec<String>> {
        let commands = shell_commands(line);
        let [(_, w)] = commands.as_slice() else {
            return None;
        };
        Some(w.clone())
    };
    let node_gyp = |w: &[String]| {
        let at = program_at(w)?;
        is_node_gyp(&w[at]).then(|| w[at + 1..].to_vec())
    };
    let words = single(fallback)?;
    node_gyp(&words).or_else(|| {
        let name = script_run_by(&words)?;
        let scripts = raw.get("scripts")?;
        // npm and yarn 1 run `pre<name>` and `post<name>` around it: more than node-gyp.
        if ["pre", "post"]
            .iter()
            .any(|p| scripts.get(format!("{p}{name}")).is_some())
        {
            return None;
        }
        node_gyp(&single(scripts.get(name)?.as_str()?)?)
    })
}

/// The package script a command runs with nothing passed on: `npm run <name>`,
/// `npm run-script <name>`, `yarn [run] <name>`, `pnpm [run] <name>`, `bun run <name>`,
/// with no flags but the runner's quiet ones (`npm run build --debug` hands node-gyp
/// `npm_config_debug`).
fn script_run_by(words: &[String]) -> Option<&str> {
    let (pm, rest) = words.split_first()?;
    let rest: Vec<&str> = rest
        .iter()
        .map(String::as_str)
        .filter(|w| !matches!(*w, "-s" | "--silent" | "-q" | "--quiet"))
        .collect();
    if rest.iter().any(|w| w.starts_with('-')) {
        return None;
    }
    match (pm.as_str(), rest.as_slice()) {
        ("npm", ["run" | "run-script", name])
        | ("yarn" | "pnpm", ["run", name] | [name])
        | ("bun", ["run", name]) => Some(*name),
        _ => None,
    }
}

/// Whether a script lets its build fail (`node-gyp rebuild || exit 0`): its last command
/// follows `||` and ends the line with success (`exit`, `exit 0`, `true`, `:`, `echo ...`),
/// so the install succeeds whether or not the build did.
pub fn build_is_optional(raw: &Value) -> bool {
    script_naming(raw, "node-gyp").is_some_and(|s| {
        shell_commands(&s).last().is_some_and(|(after_or, w)| {
            *after_or
                && match program(w) {
                    Some("exit") => w.len() == 1 || w.get(1).is_some_and(|a| a == "0"),
                    Some("true" | ":" | "echo") => true,
                    _ => false,
                }
        })
    })
}

/// The bindings a node-gyp build (or a prebuild-install tarball) put in `build/Release`.
pub fn built_bindings(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir.join("build").join("Release"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "node") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Whether node-gyp-build has anything to try for this platform: a build, or a
/// `prebuilds/<platform>-<arch>` folder.
pub fn node_gyp_build_has_candidates(dir: &Path, host: &HostInfo) -> bool {
    !built_bindings(dir).is_empty()
        || dir
            .join("prebuilds")
            .join(format!("{}-{}", host.platform, host.arch))
            .is_dir()
}

/// Runs the package's own node-gyp-build loader in a child: it picks the binding the
/// package will pick at run time (a build, else the best matching prebuild).
pub async fn node_gyp_build_loads(dir: &Path, host: &HostInfo, env: &Env) -> Result<()> {
    let d = js_path(dir);
    let script = format!("require(require.resolve('node-gyp-build', {{ paths: [{d}] }}))({d})");
    crate::building::process::can_eval(dir, &script, host, env).await
}

/// Whether requiring the package in a child Node fails on its binding (a `.node` file
/// missing or unloadable, the `bindings` or node-gyp-build loaders finding nothing):
/// the first line of that error. `None` when it loads, and also when it fails for
/// another reason (an ES module, a main that wants arguments, no main at all), which
/// says nothing about its binding.
pub async fn binding_problem(dir: &Path, host: &HostInfo, env: &Env) -> Option<String> {
    let script = format!(
        r#"try {{ require({}); }} catch (e) {{
  const m = String(e && e.message).split('\n')[0];
  if (/\.node\b|build[\/\\](Release|Debug)|No native build was found|Could not locate the bindings file|invalid ELF header|NODE_MODULE_VERSION|did not self-register|wrong ELF class/.test(m)) {{
    console.error('Error: ' + m);
    process.exit(1);
  }}
}}
process.exit(0);"#,
        js_path(dir)
    );
    crate::building::process::can_eval(dir, &script, host, env)
        .await
        .err()
        .map(|e| match e {
            crate::error::Error::BindingLoad { detail, .. } => format!("does not load ({detail})"),
            e => format!("does not load ({e})"),
        })
}

/// A folder as a JS string literal (forward slashes, which Node takes on Windows too).
fn js_path(dir: &Path) -> String {
    serde_json::to_string(&dir.to_string_lossy().replace('\\', "/")).expect("strings serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classifies_by_script_and_gyp_file() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path();
        let pi = json!({"scripts": {"install": "prebuild-install -r napi || node-gyp rebuild"}});
        assert_eq!(classify(dir, &pi), Some(Kind::PrebuildInstall));
        let pi2 =
            json!({"scripts": {"install": "node_modules/.bin/prebuild-install||npm run build"}});
        assert_eq!(classify(dir, &pi2), Some(Kind::PrebuildInstall));
        let ngb = json!({"scripts": {"install": "node-gyp-build"}});
        assert_eq!(classify(dir, &ngb), Some(Kind::NodeGypBuild));
        assert_eq!(classify(dir, &json!({})), None, "no binding.gyp");
        std::fs::write(dir.join("binding.gyp"), "{}").unwrap();
        assert_eq!(classify(dir, &json!({})), Some(Kind::BindingGyp));
        assert_eq!(classify(dir, &json!({"gypfile": false})), None);
        assert_eq!(
            classify(dir, &json!({"scripts": {"install": "make"}})),
            None
        );
        assert_eq!(
            classify(dir, &json!({"scripts": {"postinstall": "echo hi"}})),
            Some(Kind::BindingGyp),
            "npm adds node-gyp rebuild when there is no install or preinstall script"
        );
        assert_eq!(
            classify(dir, &json!({"scripts": {"install": "prebuild-installer"}})),
            None
        );
        for script in [
            "node-gyp rebuild",
            "node-gyp configure build || exit 0",
            "(node-gyp rebuild) || (exit 0)",
            "npx node-gyp rebuild",
            "npx -y node-gyp rebuild",
            "./node_modules/.bin/node-gyp rebuild && echo built",
            "node-gyp rebuild > build.log 2>&1 || exit 0",
            "(node-gyp rebuild 2> builderror.log) || (exit 0)",
            "node-gyp rebuild 2>&1 || true",
            "node-gyp rebuild||exit 0",
            "node-gyp rebuild || echo 'build failed; using the JS fallback'",
            "node-gyp rebuild || echo \"native build failed & JS fallback used\"",
        ] {
            let raw = json!({"scripts": {"install": script, "postinstall": "node thanks.js"}});
            assert_eq!(classify(dir, &raw), Some(Kind::BindingGyp), "{script}");
        }
        let optional = |s: &str| build_is_optional(&json!({"scripts": {"install": s}}));
        assert!(optional("node-gyp rebuild || exit 0"));
        assert!(optional("(node-gyp rebuild 2> builderror.log) || (exit 0)"));
        assert!(optional("node-gyp rebuild 2>&1 || true"));
        assert!(!optional("node-gyp rebuild"));
        assert!(!optional("node-gyp rebuild && echo built"));
        for failing in [
            "node-gyp rebuild || exit 1",
            "node-gyp rebuild || exit $?",
            "node-gyp rebuild || (echo \"Build failed\" && exit 1)",
            "node-gyp rebuild || echo failed; exit 1",
        ] {
            assert!(!optional(failing), "{failing}");
        }
        // The preinstall and install scripts together decide: one of the package's own
        // makes it the package's own.
        let both = |pre: &str, install: &str| {
            classify(
                dir,
                &json!({"scripts": {"preinstall": pre, "install": install}}),
            )
        };
        assert_eq!(both("node-gyp configure", "node install.js"), None);
        assert_eq!(both("node scripts/fetch.js", "node-gyp rebuild"), None);
        // A prebuild-install fallback that builds with node-gyp, directly or through the
        // package script it runs.
        let scripts = json!({"scripts": {
            "build": "node-gyp rebuild",
            "make": "make all",
            "both": "node-gyp rebuild && node copy.js",
            "gyp": "node-gyp rebuild",
            "postgyp": "node copy.js",
        }});
        let fb = |f: &str| fallback_node_gyp_args(&scripts, f);
        assert_eq!(
            fb("node-gyp rebuild --release").unwrap(),
            ["rebuild", "--release"]
        );
        assert_eq!(fb("npx node-gyp rebuild").unwrap(), ["rebuild"]);
        assert_eq!(fb("npm run build").unwrap(), ["rebuild"]);
        assert_eq!(fb("npm run --silent build").unwrap(), ["rebuild"]);
        assert_eq!(fb("yarn build").unwrap(), ["rebuild"]);
        assert_eq!(fb("pnpm run build").unwrap(), ["rebuild"]);
        assert_eq!(fb("npm run-script build").unwrap(), ["rebuild"]);
        assert_eq!(fb("yarn run build").unwrap(), ["rebuild"]);
        assert_eq!(fb("bun run build").unwrap(), ["rebuild"]);
        assert_eq!(fb("(npm run build)").unwrap(), ["rebuild"]);
        assert_eq!(fb("(node-gyp rebuild)").unwrap(), ["rebuild"]);
        assert_eq!(
            fb("npx --package node-gyp node-gyp rebuild").unwrap(),
            ["rebuild"]
        );
        for other in [
            "npm run make",
            "npm run both",
            "npm run missing",
            "npm run build -- --debug",
            "npm run build --debug",
            "npm run gyp",
            "node-gyp rebuild && node copy.js",
            "make",
            "npm test",
        ] {
            assert_eq!(fb(other), None, "{other}");
        }
        let npg = |s: &str| json!({"scripts": {"install": s}});
        assert!(script_falls_back_to_build(
            dir,
            &npg("node-pre-gyp install --fallback-to-build")
        ));
        assert!(script_falls_back_to_build(
            dir,
            &npg("pregyp install --fallback-to-build=true")
        ));
        assert!(!script_falls_back_to_build(
            dir,
            &npg("node-pre-gyp install")
        ));
        assert!(!script_falls_back_to_build(
            dir,
            &npg("node-pre-gyp install --fallback-to-build=false")
        ));
        for script in [
            "node-gyp rebuild && node copy.js",
            "node-gyp-rebuild",
            "cmake-js compile",
        ] {
            let raw = json!({"scripts": {"install": script}});
            assert_eq!(
                classify(dir, &raw),
                None,
                "{script}: not what heal's rebuild does"
            );
        }
    }
}

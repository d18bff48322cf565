//! Which package manager installed a project, from the files it leaves behind, and how
//! that package manager approves a dependency's install script: what a message about a
//! blocked script names. npm 12, pnpm, yarn 4 and bun block dependencies' scripts by default.

use std::path::Path;

/// A package manager, as told by its lock file or its marker in node_modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    /// `node_modules/.package-lock.json` or `package-lock.json`.
    Npm,
    /// `node_modules/.pnpm` or `pnpm-lock.yaml`.
    Pnpm,
    /// Yarn 1: `node_modules/.yarn-integrity`, or a `yarn.lock` without `.yarnrc.yml`.
    YarnClassic,
    /// Yarn 2+: `node_modules/.yarn-state.yml`, `.pnp.cjs` or `.yarnrc.yml`.
    YarnBerry,
    /// `bun.lock` or `bun.lockb`.
    Bun,
}

impl PackageManager {
    /// The first folder from `dir` up that holds a package manager's marker decides.
    pub fn detect(dir: &Path) -> Option<PackageManager> {
        dir.ancestors().find_map(Self::markers_in)
    }

    fn markers_in(d: &Path) -> Option<PackageManager> {
        let has = |p: &str| crate::config::hostfs::exists(&d.join(p));
        if has("node_modules/.pnpm") || has("pnpm-lock.yaml") {
            Some(Self::Pnpm)
        } else if has("node_modules/.yarn-state.yml") || has(".pnp.cjs") || has(".yarnrc.yml") {
            Some(Self::YarnBerry)
        } else if has("node_modules/.yarn-integrity") || has("yarn.lock") {
            Some(Self::YarnClassic)
        } else if has("bun.lock") || has("bun.lockb") {
            Some(Self::Bun)
        } else if has("node_modules/.package-lock.json") || has("package-lock.json") {
            Some(Self::Npm)
        } else {
            None
        }
    }

    /// Its name, as users type it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Npm => "npm",
            Self::Pnpm => "pnpm",
            Self::YarnClassic => "yarn 1",
            Self::YarnBerry => "yarn",
            Self::Bun => "bun",
        }
    }

    /// How a person runs `package`'s install script again (Yarn 1 has no rebuild command:
    /// npm's works on its node_modules).
    pub fn rebuild(self, package: &str) -> String {
        match self {
            Self::Npm | Self::YarnClassic => format!("npm rebuild {package}"),
            Self::Pnpm => format!("pnpm rebuild {package}"),
            Self::YarnBerry => format!("yarn rebuild {package}"),
            Self::Bun => format!("bun pm trust {package}"),
        }
    }

    /// How to let `package` run its install script with this package manager.
    pub fn approve(self, package: &str) -> String {
        match self {
            Self::Npm => format!("npm install-scripts approve {package}"),
            Self::Pnpm => "pnpm approve-builds".into(),
            Self::YarnClassic => "yarn install (without --ignore-scripts)".into(),
            Self::YarnBerry => format!(
                "set dependenciesMeta[\"{package}\"].built to true in package.json, then yarn install"
            ),
            Self::Bun => format!("bun pm trust {package}"),
        }
    }
}

/// The sentence a message about a missing binding adds when `package` has an install
/// script that the project's package manager may have blocked (None when none is known).
pub fn blocked_script_hint(package: &str, dir: &Path) -> Option<String> {
    let pm = PackageManager::detect(dir)?;
    Some(format!(
        "{} blocks dependencies' install scripts unless approved: {}; or run `npx pregyp heal`, which fetches the verified binary without running any script",
        pm.name(),
        pm.approve(package)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_decide_nearest_first() {
        let t = tempfile::tempdir().unwrap();
        let proj = t.path().join("proj");
        let addon = proj.join("node_modules/.pnpm/a@1.0.0/node_modules/a");
        std::fs::create_dir_all(&addon).unwrap();
        assert_eq!(PackageManager::detect(&addon), Some(PackageManager::Pnpm));
        let cases: &[(&str, PackageManager)] = &[
            ("node_modules/.package-lock.json", PackageManager::Npm),
            ("package-lock.json", PackageManager::Npm),
            ("node_modules/.yarn-state.yml", PackageManager::YarnBerry),
            ("node_modules/.yarn-integrity", PackageManager::YarnClassic),
            ("bun.lock", PackageManager::Bun),
            ("bun.lockb", PackageManager::Bun),
        ];
        for (marker, want) in cases {
            let p = t.path().join(format!("p-{}", marker.replace('/', "_")));
            let addon = p.join("node_modules/a");
            std::fs::create_dir_all(&addon).unwrap();
            let f = p.join(marker);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(&f, "").unwrap();
            assert_eq!(PackageManager::detect(&addon), Some(*want), "{marker}");
        }
        assert_eq!(
            PackageManager::Npm.approve("a"),
            "npm install-scripts approve a"
        );
        assert_eq!(PackageManager::Bun.approve("a"), "bun pm trust a");
        assert_eq!(PackageManager::Pnpm.approve("a"), "pnpm approve-builds");
        assert!(PackageManager::YarnBerry
            .approve("a")
            .contains("dependenciesMeta[\"a\"].built"));
    }
}

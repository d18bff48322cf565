//! `binary.napi_versions`: which Node-API versions to build, which to install,
//! and the reference's validation messages (@mapbox/node-pre-gyp/lib/util/napi.js).

use crate::config::manifest::{declared_napi_versions, Binary, Manifest};
use crate::error::Result;

/// The declared Node-API versions older than `best` that a runtime with Node-API
/// `runtime` can load, newest first: the fallbacks when no build for `best` is there.
pub fn older_than(binary: &Binary, best: u32, runtime: Option<u32>) -> Result<Vec<u32>> {
    let mut older: Vec<u32> = declared_napi_versions(binary)?
        .unwrap_or_default()
        .into_iter()
        .filter(|v| *v < best && runtime.is_none_or(|n| *v <= n))
        .collect();
    older.sort_unstable_by(|a, b| b.cmp(a));
    Ok(older)
}

/// The versions this Node can build: declared ones not above `supported`;
/// only the highest with `latest_only` (`--build-latest-napi-version-only`).
pub fn buildable(declared: &[u32], supported: Option<u32>, latest_only: bool) -> Vec<u32> {
    let Some(supported) = supported else {
        return Vec::new();
    };
    let mut v: Vec<u32> = declared
        .iter()
        .copied()
        .filter(|&n| n <= supported)
        .collect();
    if latest_only {
        v = v.iter().max().map(|&m| vec![m]).unwrap_or_default();
    }
    v
}

/// The version install and find() use: the highest buildable one.
pub fn best(declared: &[u32], supported: Option<u32>) -> Option<u32> {
    buildable(declared, supported, false).into_iter().max()
}

/// The template variables that tell one Node-API version's binary from another's.
pub const NAPI_VARIABLES: &[&str] = &["{napi_build_version}", "{node_napi_label}"];

fn mentions_napi(template: Option<&str>) -> bool {
    crate::config::template::mentions(template, NAPI_VARIABLES)
}

/// The binary fields the template rules are about.
const TEMPLATE_FIELDS: &[&str] = &[
    "napi_versions",
    "module_path",
    "remote_path",
    "package_name",
];

/// The reference's `validate_package_json` for Node-API packages (`binary` is the
/// manifest's own, validated); its errors name the file and fields.
pub fn validate(manifest: &Manifest, binary: &Binary, supported: Option<u32>) -> Result<()> {
    let declared = manifest.napi_versions()?;
    let module_path_ok = mentions_napi(binary.module_path.as_deref());
    let remote_path_ok = mentions_napi(binary.remote_path.as_deref());
    let package_name_ok = mentions_napi(binary.package_name.as_deref());
    if declared.is_some() && (!module_path_ok || (!remote_path_ok && !package_name_ok)) {
        return Err(manifest.napi_error(
            "When napi_versions is specified; module_path and either remote_path or package_name must contain the substitution string '{napi_build_version}`.",
            TEMPLATE_FIELDS,
        ));
    }
    if (module_path_ok || remote_path_ok || package_name_ok) && declared.is_none() {
        return Err(manifest.napi_error(
            "When the substitution string '{napi_build_version}` is specified in module_path, remote_path, or package_name; napi_versions must also be specified.",
            TEMPLATE_FIELDS,
        ));
    }
    if let Some(d) = &declared {
        // A package whose package_name does not vary by {node_napi_label} ships Node-API
        // builds only: a Node that can run none of them cannot use the package at all.
        let napi_only = binary
            .package_name
            .as_deref()
            .is_some_and(|p| !p.contains("{node_napi_label}"));
        if napi_only && best(d, supported).is_none() {
            let list: Vec<String> = d.iter().map(u32::to_string).collect();
            let ours = supported
                .map(|s| s.to_string())
                .unwrap_or_else(|| "undefined".into());
            return Err(manifest.napi_error(
                &format!(
                    "The Node-API version of this Node instance is {ours}. This module supports Node-API version(s) {}. This Node instance cannot run this module.",
                    list.join(",")
                ),
                &["napi_versions"],
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn bin(v: Value) -> Binary {
        let m = crate::config::manifest::Manifest::parse(
            json!({ "binary": v }).to_string().as_bytes(),
            "/p/package.json".into(),
        )
        .unwrap();
        m.binary.unwrap()
    }

    #[test]
    fn selection() {
        assert_eq!(buildable(&[3, 6, 10], Some(9), false), vec![3, 6]);
        assert_eq!(buildable(&[3, 6, 10], Some(9), true), vec![6]);
        assert_eq!(best(&[3, 6, 10], Some(9)), Some(6));
        assert_eq!(best(&[10], Some(9)), None);
        assert_eq!(best(&[3], None), None);
        assert_eq!(
            declared_napi_versions(&bin(json!({"napi_versions":[3,3,6]}))).unwrap(),
            Some(vec![3, 6])
        );
        assert_eq!(declared_napi_versions(&bin(json!({}))).unwrap(), None);
    }

    #[test]
    fn validation_messages() {
        let cases: &[(Value, Option<&str>)] = &[
            (
                json!({"napi_versions":[3,"x"],"module_path":"{napi_build_version}","package_name":"{napi_build_version}"}),
                Some("All values specified in napi_versions must be positive integers."),
            ),
            (
                json!({"napi_versions":[0],"module_path":"{napi_build_version}","package_name":"{napi_build_version}"}),
                Some("All values specified in napi_versions must be positive integers."),
            ),
            (
                json!({"napi_versions":[3],"module_path":"lib","package_name":"{napi_build_version}"}),
                Some("When napi_versions is specified; module_path and either remote_path or package_name must contain the substitution string '{napi_build_version}`."),
            ),
            (
                json!({"napi_versions":[3],"module_path":"{napi_build_version}"}),
                Some("When napi_versions is specified; module_path and either remote_path or package_name must contain the substitution string '{napi_build_version}`."),
            ),
            (
                json!({"module_path":"lib/{napi_build_version}"}),
                Some("When the substitution string '{napi_build_version}` is specified in module_path, remote_path, or package_name; napi_versions must also be specified."),
            ),
            (
                json!({"napi_versions":[10,12],"module_path":"{napi_build_version}","package_name":"x-{napi_build_version}.tgz"}),
                Some("The Node-API version of this Node instance is 9. This module supports Node-API version(s) 10,12. This Node instance cannot run this module."),
            ),
            // node_napi_label in package_name: falls back to ABI builds, no error.
            (
                json!({"napi_versions":[10],"module_path":"{node_napi_label}","package_name":"x-{node_napi_label}.tgz"}),
                None,
            ),
            (
                json!({"napi_versions":[3,6],"module_path":"{napi_build_version}","remote_path":"{napi_build_version}"}),
                None,
            ),
        ];
        for (b, want) in cases {
            let m = crate::config::manifest::Manifest::parse(
                json!({ "binary": b }).to_string().as_bytes(),
                "/p/package.json".into(),
            )
            .unwrap();
            let got = validate(&m, m.binary.as_ref().unwrap(), Some(9))
                .err()
                .map(|e| e.to_string());
            // The reference's words, then the file and the fields concerned.
            match (got.as_deref(), want) {
                (Some(g), Some(w)) => {
                    assert!(
                        g.starts_with(&format!(
                            "{w} (in /p/package.json: binary.napi_versions is "
                        )),
                        "{b}: {g}"
                    );
                    assert_eq!(
                        g.contains("binary.module_path is"),
                        w.contains("substitution string"),
                        "{b}: {g}"
                    );
                }
                (g, w) => assert_eq!(g, *w, "{b}"),
            }
        }
    }
}

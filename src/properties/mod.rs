//! Short property-based versions of the fuzz targets in `fuzz/` (a few hundred
//! cases each, a few seconds in all), run by `cargo test --release`. The
//! properties themselves live in `checks.rs`, shared with the fuzz targets;
//! this file adds input strategies and the round trips that need the whole tool
//! (our packer's tarballs unpack to the same files; sidecars parse back).
//! Failures found this way are pinned as unit tests beside the code they fixed.
//!
//! A unit-test module rather than a `tests/` file: an integration test links the
//! rlib as a Node addon would, and Node-API symbols only exist inside Node.

mod checks;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};
use std::fs;
use std::path::Path;

use checks::PIECES;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Shrinking is for a developer at a failure; keep a failing CI run short.
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

/// Template variables, meaningful pieces and arbitrary text, concatenated.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(checks::TEMPLATE_KEYS).prop_map(|k| format!("{{{k}}}")),
            prop::sample::select(PIECES).prop_map(String::from),
            any::<u64>().prop_map(|n| n.to_string()),
            // A variable's bare name, to meet braces from elsewhere.
            prop::sample::select(checks::TEMPLATE_KEYS).prop_map(String::from),
            // Version-like triples, small numbers or huge ones.
            prop::array::uniform3(prop_oneof![3 => 0u64..30, 1 => any::<u64>()])
                .prop_map(|[a, b, c]| format!("{a}.{b}.{c}")),
            "\\PC{0,6}",
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

/// Strings at the edge of a valid sha256.
fn hexish() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-fA-F]{64}",
        "[0-9a-f]{63}",
        "[0-9a-f]{65}",
        "[0-9a-f]{60}[^0-9a-fA-F][0-9a-f]{3}",
        ".{0,70}",
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
        hexish().prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn eval_case() -> impl Strategy<Value = checks::EvalCase> {
    let top = (
        prop::option::of(prop_oneof![text(), Just("pkg".to_string())]),
        prop::option::of(prop_oneof![
            Just("1.2.3".to_string()),
            Just("0.1.0-beta.1+b.5".to_string()),
            text()
        ]),
        prop::option::of(prop_oneof![Just("index.js".to_string()), text()]),
    );
    let fields = prop::array::uniform10(opt_text());
    let opts = prop::array::uniform7(opt_text());
    // Real targets mostly (so that whole declarations parse), and some text.
    let target = prop_oneof![
        4 => prop::sample::select(vec!["linux-x64-glibc", "linux-x64-musl", "linux-arm64-glibc", "darwin-arm64", "darwin-x64", "win32-x64"]).prop_map(String::from),
        1 => text(),
    ];
    let name_template = prop::option::of(prop_oneof![
        prop::sample::select(vec![
            "{name}-{triple}",
            "@scope/{module_name}-{platform}-{arch}-{libc}",
            "{name}-{platform}",
            "@{name}/{triple}"
        ])
        .prop_map(String::from),
        text(),
    ]);
    let platform_packages = prop::option::of((name_template, prop::collection::vec(target, 0..4)));
    let rest = (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::collection::vec(-2i64..12, 0..4)),
        prop::collection::vec((text(), hexish()), 0..3),
        any::<Option<bool>>(),
        0u8..5,
        opt_text(),
    );
    (top, fields, opts, rest, platform_packages).prop_map(
        |(
            (name, version, main),
            fields,
            opts,
            (object_host, force_path_style, napi_versions, checksums, debug, runtime, s3_host),
            platform_packages,
        )| checks::EvalCase {
            name,
            version,
            main,
            fields,
            object_host,
            force_path_style,
            napi_versions,
            checksums,
            platform_packages,
            opts,
            debug,
            runtime,
            s3_host,
        },
    )
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn package_json_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        checks::manifest_bytes(&bytes);
    }

    #[test]
    fn package_json_documents_never_panic(doc in json_value(), binary in json_value()) {
        let mut doc = doc;
        if let Value::Object(o) = &mut doc {
            o.insert("binary".into(), binary);
        }
        checks::manifest_bytes(&serde_json::to_vec(&doc).unwrap());
    }

    #[test]
    fn evaluation_keeps_its_invariants(case in eval_case()) {
        checks::eval_case(&case);
    }

    #[test]
    fn eval_template_matches_the_reference_model(
        template in text(),
        values in prop::collection::vec(
            (prop::sample::select(checks::TEMPLATE_KEYS).prop_map(String::from), json_leaf()),
            0..8,
        ),
    ) {
        checks::template(&template, &values);
    }

    #[test]
    fn argv_never_panics(
        args in prop::collection::vec(prop_oneof![
            prop::sample::select(&[
                "--", "-C", "-j", "-v", "-h", "--help", "--release", "--silent", "--verbose",
                "--debug", "--no-debug", "--target", "--loglevel", "--fallback-to-build",
                "--build-from-source", "--directory", "--fetch-retries=", "--fetch-timeout=",
                "--concurrency=", "--max-unpacked-size=", "--runtime=", "true", "false",
                "install", "build", "package", "reveal", "postinstall-build", "clean",
            ][..]).prop_map(String::from),
            text(),
            (prop::sample::select(&["--", "--no-", "-C", "-j", "--loglevel=", "--concurrency="][..]), text())
                .prop_map(|(a, b)| format!("{a}{b}")),
        ], 0..10),
        env in prop::collection::vec((
            prop_oneof![
                prop::sample::select(&[
                    "npm_config_target", "npm_config_loglevel", "npm_config_argv",
                    "npm_config_fallback_to_build", "npm_config_build_from_source",
                    "npm_config_fetch_retries", "npm_config_max_unpacked_size",
                    "PREGYP_BUILD_FROM_SOURCE", "HTTPS_PROXY", "HOME",
                ][..]).prop_map(String::from),
                text().prop_map(|t| format!("npm_config_{t}")),
            ],
            text(),
        ), 0..5),
    ) {
        checks::argv(&args, &env);
    }

    #[test]
    fn sidecar_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..140)) {
        checks::sidecar(&bytes);
    }

    #[test]
    fn sidecar_text_never_panics(
        ws in "[ \t\r\n]{0,3}",
        token in hexish(),
        tail in "\\PC{0,20}",
    ) {
        checks::sidecar(format!("{ws}{token}{tail}").as_bytes());
    }

    /// What `package` writes beside a tarball, whatever its name, parses back.
    #[test]
    fn written_sidecar_parses_back(hex in "[0-9a-f]{64}", name in "[^/\u{0}]{1,40}") {
        prop_assume!(name != "." && name != "..");
        let d = tempfile::tempdir().unwrap();
        let tarball = d.path().join(&name);
        let path = pregyp::packing::pack::write_sha256_file(&tarball, &hex).unwrap();
        let text = fs::read_to_string(path).unwrap();
        prop_assert_eq!(pregyp::digest::parse_sidecar(&text), Some(hex));
    }

    #[test]
    fn checksums_any_value(
        value in prop_oneof![
            3 => prop::collection::vec((text(), hexish().prop_map(Value::String)), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            1 => json_value(),
        ],
        package_name in prop_oneof![Just("m.tgz".to_string()), text()],
        remote_path in prop_oneof![Just("./v{napi_build_version}/".to_string()), text()],
        napi in any::<bool>(),
    ) {
        checks::checksums(&value, &package_name, &remote_path, napi);
    }

    /// A valid table keyed by the evaluated key is found by evaluation.
    #[test]
    fn checksums_are_found_under_their_key(hex in "[0-9a-fA-F]{64}", napi in any::<bool>()) {
        let key = if napi { "v6/m.tgz" } else { "m.tgz" };
        checks::checksums(
            &json!({ key: hex }),
            "m.tgz",
            if napi { "./v{napi_build_version}/" } else { "" },
            napi,
        );
    }
}

// ---------------------------------------------------------------- archives

/// One tar entry with a raw (possibly hostile) name.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    kind: u8,
    link: String,
    data: Vec<u8>,
    mode: u32,
}

fn entry_name() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(
            &[
                "b", "b/", "x", "y/", "..", "../", ".", "./", "/", "//", "m.node", "é",
            ][..],
        ),
        1..6,
    )
    .prop_map(|v| v.concat())
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        prop_oneof![entry_name().prop_map(|n| format!("b/{n}")), entry_name()],
        prop::sample::select(
            &[
                b'0', b'0', b'0', b'5', b'2', b'1', b'3', b'4', b'6', b'7', b'g', b'x', b'L', b'S',
            ][..],
        ),
        entry_name(),
        prop::collection::vec(any::<u8>(), 0..40),
        prop_oneof![Just(0o644u32), Just(0o4755), Just(0o7777), any::<u32>()],
    )
        .prop_map(|(name, kind, link, data, mode)| Entry {
            name,
            kind,
            link,
            data,
            mode,
        })
}

/// A tar written header by header, names copied raw (tar::Builder would refuse them).
fn raw_tar(entries: &[Entry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::new(e.kind));
        h.set_size(e.data.len() as u64);
        h.set_mode(e.mode);
        let gnu = h.as_gnu_mut().unwrap();
        let n = e.name.len().min(100);
        gnu.name[..n].copy_from_slice(&e.name.as_bytes()[..n]);
        let l = e.link.len().min(100);
        gnu.linkname[..l].copy_from_slice(&e.link.as_bytes()[..l]);
        h.set_cksum();
        b.append(&h, &e.data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// A small tree to pack: relative file paths and their contents.
fn tree() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::vec(
        (
            prop::collection::vec("[a-z0-9_é-]{1,8}", 1..4).prop_map(|p| p.join("/")),
            prop::collection::vec(any::<u8>(), 0..3000),
        ),
        1..8,
    )
}

/// Every path below `root` with what it is: file contents, a link target, or a folder.
fn snapshot(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.file_type().is_symlink() {
                out.push((rel, format!("-> {}", fs::read_link(&p).unwrap().display())));
            } else if m.is_dir() {
                out.push((rel, "dir".into()));
                stack.push(p);
            } else {
                out.push((rel, format!("{:?}", fs::read(&p).unwrap())));
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn hostile_tars_stay_inside(entries in prop::collection::vec(entry(), 1..6)) {
        let tar = raw_tar(&entries);
        checks::unpack(&tar, false);
        checks::unpack(&gzip(&tar), true);
    }

    #[test]
    fn damaged_archives_stay_inside(
        entries in prop::collection::vec(entry(), 1..4),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        for gz in [false, true] {
            let mut bytes = raw_tar(&entries);
            if gz {
                bytes = gzip(&bytes);
            }
            for (i, b) in &flips {
                let i = i.index(bytes.len());
                bytes[i] ^= b;
            }
            checks::unpack(&bytes, gz);
            checks::unpack(&bytes[..cut.index(bytes.len() + 1)], gz);
        }
    }

    #[test]
    fn random_bytes_stay_inside(bytes in prop::collection::vec(any::<u8>(), 0..1200), gz in any::<bool>()) {
        checks::unpack(&bytes, gz);
    }

    /// Our packer's output unpacks to the same files; its sidecar names its digest.
    #[test]
    fn packed_tarballs_unpack_to_the_same_files(files in tree(), link in any::<bool>()) {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("Release");
        fs::create_dir(&src).unwrap();
        for (rel, data) in &files {
            let p = src.join(rel);
            // A path may name a folder another path already made, or the reverse.
            if fs::create_dir_all(p.parent().unwrap()).is_err() || p.is_dir() {
                continue;
            }
            fs::write(&p, data).unwrap();
        }
        #[cfg(unix)]
        if link {
            let first = &files[0].0;
            if src.join(first).is_file() && !src.join("alias").exists() {
                std::os::unix::fs::symlink(first, src.join("alias")).unwrap();
            }
        }
        let tarball = d.path().join("stage/x.tar.gz");
        let opts = pregyp::packing::pack::PackOptions { threads: 2, ..Default::default() };
        let packed = pregyp::packing::pack::pack_dir(&src, &tarball, &opts).unwrap();
        let sidecar = fs::read_to_string(pregyp::packing::pack::sha256_path(&tarball)).unwrap();
        prop_assert_eq!(pregyp::digest::parse_sidecar(&sidecar), Some(packed.sha256));
        let out = d.path().join("out");
        fs::create_dir(&out).unwrap();
        let f = fs::File::open(&tarball).unwrap();
        pregyp::place::archive::unpack_tar_gz(f, &out, "x.tar.gz", &Default::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(snapshot(&out), snapshot(&src));
    }
}

//! The architecture of `src/`, checked: folders are layers, and a module may use only
//! its own folder and the layers below it (`LAYERS`, bottom first; ARCHITECTURE.md
//! states what each holds); and no module imports another in a cycle, inside a
//! folder included. Reads the `crate::…` (and, in a folder, `super::…`) paths of every
//! source file, test modules left out. Adding an import against the direction, or one
//! that closes a cycle, fails `cargo test` with the offending path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. `top` is the cross-cutting files at the top of `src/`.
const LAYERS: &[&str] = &[
    "top", "config", "building", "place", "packing", "fetch", "s3", "mend", "commands", "binding",
];

/// Files that exist only for tests (they may reach anything).
const TEST_ONLY: &[&str] = &["test_support", "properties", "lib"];

/// A module: `config::manifest`, `commands` (a folder's mod.rs), `error` (a top file).
type Module = String;

fn layer_of(module: &str) -> &str {
    match module.split("::").next() {
        Some(first) if LAYERS[1..].contains(&first) => first,
        _ => "top",
    }
}

fn rank(layer: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == layer)
        .expect("a known layer")
}

/// Source text without comments and without `#[cfg(test)]`-gated items.
fn strip(src: &str) -> String {
    let no_comments: String = src
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::new();
    let mut rest = no_comments.as_str();
    while let Some(i) = rest
        .find("#[cfg(test)]")
        .or_else(|| rest.find("#[cfg(all(test"))
    {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        // Skip the gated item: up to its matching closing brace, or its `;`.
        let (Some(open), semi) = (after.find('{'), after.find(';')) else {
            rest = "";
            break;
        };
        if semi.is_some_and(|s| s < open) {
            rest = &after[semi.unwrap() + 1..];
            continue;
        }
        let mut depth = 0;
        let mut end = after.len();
        for (j, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The paths after `prefix` in `src`, with `{a, b::c}` groups expanded:
/// `use crate::{a::X, b}` gives `a::X` and `b`.
fn paths_after(src: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find(prefix) {
        let before_ok = rest[..i]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
        let after = &rest[i + prefix.len()..];
        rest = after;
        if !before_ok {
            continue;
        }
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(j, _)| j);
            // Only the first segment of each item matters below.
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(item.trim().to_string());
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            out.push(item.trim().to_string());
        } else {
            let path: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push(path);
        }
    }
    out.retain(|p| !p.is_empty() && p != "self");
    out
}

/// The module a file is: `src/config/manifest.rs` -> `config::manifest`,
/// `src/s3/mod.rs` -> `s3`.
fn module_of(src_dir: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src_dir).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The module a path names: its first segment, plus the second when that is a module
/// of the first's folder (`config::manifest::Binary` -> `config::manifest`).
fn target_of(known: &BTreeSet<Module>, path: &str) -> Option<Module> {
    let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let first = *segs.first()?;
    if let Some(second) = segs.get(1) {
        let both = format!("{first}::{second}");
        if known.contains(&both) {
            return Some(both);
        }
    }
    known.contains(first).then(|| first.to_string())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every import edge of the tree at `src_dir`: module -> (module it uses -> the path).
fn edges(src_dir: &Path) -> BTreeMap<Module, BTreeMap<Module, String>> {
    let mut files = Vec::new();
    rust_files(src_dir, &mut files);
    let known: BTreeSet<Module> = files.iter().map(|f| module_of(src_dir, f)).collect();
    let mut graph: BTreeMap<Module, BTreeMap<Module, String>> = BTreeMap::new();
    for file in &files {
        let from = module_of(src_dir, file);
        if TEST_ONLY.contains(&from.split("::").next().unwrap()) {
            continue;
        }
        let src = strip(&std::fs::read_to_string(file).unwrap());
        let mut used: Vec<(String, String)> = paths_after(&src, "crate::")
            .into_iter()
            .map(|p| (p.clone(), format!("crate::{p}")))
            .collect();
        // `super::x` is the parent module's `x`; each further `super::` goes one up.
        let parent: Vec<&str> = from.split("::").collect();
        used.extend(paths_after(&src, "super::").into_iter().filter_map(|p| {
            let mut base = parent[..parent.len() - 1].to_vec();
            let mut rest = p.as_str();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop()?;
                rest = r;
            }
            base.push(rest);
            Some((base.join("::"), format!("super::{p}")))
        }));
        let out = graph.entry(from.clone()).or_default();
        for (path, shown) in used {
            if let Some(to) = target_of(&known, &path) {
                if to != from && !TEST_ONLY.contains(&to.as_str()) {
                    out.entry(to).or_insert(shown);
                }
            }
        }
    }
    graph
}

/// Imports against the layer order, as "file: path (from -> to)".
fn violations(graph: &BTreeMap<Module, BTreeMap<Module, String>>) -> Vec<String> {
    let mut out = Vec::new();
    for (from, tos) in graph {
        for (to, path) in tos {
            let (lf, lt) = (layer_of(from), layer_of(to));
            if lf != lt && rank(lt) > rank(lf) {
                out.push(format!(
                    "{from} uses {path}: `{lf}` may not use `{lt}`, a layer above it"
                ));
            }
        }
    }
    out
}

/// One import cycle, as the modules along it, if there is any.
fn find_cycle(graph: &BTreeMap<Module, BTreeMap<Module, String>>) -> Option<Vec<Module>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        m: &Module,
        graph: &BTreeMap<Module, BTreeMap<Module, String>>,
        marks: &mut BTreeMap<Module, Mark>,
        stack: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        match marks.get(m) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = stack.iter().position(|s| s == m).unwrap();
                let mut cycle = stack[start..].to_vec();
                cycle.push(m.clone());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(m.clone(), Mark::Open);
        stack.push(m.clone());
        for next in graph.get(m).into_iter().flat_map(|t| t.keys()) {
            if let Some(c) = visit(next, graph, marks, stack) {
                return Some(c);
            }
        }
        stack.pop();
        marks.insert(m.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut marks, &mut Vec::new()))
}

/// The modules of `commands/` that are no command: what several commands share.
const COMMAND_SHARED: &[&str] = &["common"];

/// The command a module belongs to: `commands::migrate::js` -> `migrate`; `None` for the
/// command table (`commands` itself), the shared modules and everything outside.
fn command_of(module: &str) -> Option<&str> {
    let mut segs = module.split("::");
    if segs.next()? != "commands" {
        return None;
    }
    let c = segs.next()?;
    (!COMMAND_SHARED.contains(&c)).then_some(c)
}

/// Imports from one command's modules into another's, or from the shared modules into
/// a command's, as "from uses path".
fn command_crossings(graph: &BTreeMap<Module, BTreeMap<Module, String>>) -> Vec<String> {
    let mut out = Vec::new();
    for (from, tos) in graph {
        for (to, path) in tos {
            let crossing = match (command_of(from), command_of(to)) {
                (Some(a), Some(b)) => a != b,
                (None, Some(_)) => from.starts_with("commands::"),
                _ => false,
            };
            if crossing {
                out.push(format!("{from} uses {path}"));
            }
        }
    }
    out
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_folder_is_a_known_layer() {
    for entry in std::fs::read_dir(src_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() && !TEST_ONLY.contains(&name.as_str()) {
            assert!(
                LAYERS.contains(&name.as_str()),
                "src/{name}/ is not in tests/architecture.rs's LAYERS: give it a place in the order (and in ARCHITECTURE.md)"
            );
        }
    }
}

/// ARCHITECTURE.md's layer table names the folders in `LAYERS`' order: the one
/// statement of the layers agrees with the check.
#[test]
fn architecture_md_states_these_layers() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md");
    let folders: Vec<&str> = doc
        .lines()
        .filter_map(|l| {
            let mut cells = l.split('|').map(str::trim).skip(1);
            let rank = cells.next()?;
            let folder = cells.next()?;
            rank.parse::<usize>().ok()?;
            Some(if folder.starts_with('`') {
                folder.trim_matches(|c| c == '`' || c == '/')
            } else {
                "top"
            })
        })
        .collect();
    assert_eq!(
        folders, LAYERS,
        "ARCHITECTURE.md's layer table and tests/architecture.rs's LAYERS disagree"
    );
}

#[test]
fn imports_go_down_the_layers_only() {
    let v = violations(&edges(&src_dir()));
    assert!(
        v.is_empty(),
        "imports against the direction:\n{}",
        v.join("\n")
    );
}

#[test]
fn no_import_cycle() {
    if let Some(cycle) = find_cycle(&edges(&src_dir())) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn no_command_uses_another_command() {
    let v = command_crossings(&edges(&src_dir()));
    assert!(
        v.is_empty(),
        "a command module uses another command's module (move what they share to commands/common/, or run the other command through commands::run_step):\n{}",
        v.join("\n")
    );
    // The check itself, on a planted tree read as the real one is.
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in [
        (
            "commands/mod.rs",
            "pub mod common; pub mod heal; pub mod install; pub mod migrate; pub mod package;",
        ),
        ("commands/heal.rs", "use super::install::install;\n"),
        ("commands/install.rs", "use super::common::staged::S;\n"),
        ("commands/package.rs", ""),
        ("commands/common/mod.rs", "pub mod staged; pub mod x;"),
        ("commands/common/staged.rs", ""),
        ("commands/common/x.rs", "use super::super::package::P;\n"),
        ("commands/migrate/mod.rs", "pub mod js; pub struct Target;"),
        ("commands/migrate/js.rs", "use super::Target;\n"),
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    assert_eq!(
        command_crossings(&edges(dir.path())),
        [
            "commands::common::x uses super::super::package::P",
            "commands::heal uses super::install::install"
        ]
    );
}

#[test]
fn the_tree_is_read_at_all() {
    // Guards the two checks above against passing on an empty or misread graph.
    let g = edges(&src_dir());
    assert!(g.len() > 30, "only {} modules read", g.len());
    let uses = |a: &str, b: &str| g.get(a).is_some_and(|t| t.contains_key(b));
    assert!(uses("config::versioning", "config::manifest"));
    assert!(
        uses("commands::install", "commands"),
        "super:: paths are read"
    );
    assert!(
        uses("fetch::download", "place::archive"),
        "grouped or nested paths are read"
    );
}

/// The checks themselves, on planted trees: a cycle, an upward import, and test-only
/// code that is allowed to do either.
#[test]
fn planted_cycles_and_upward_imports_are_caught() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let write = |rel: &str, text: &str| {
        let p = src.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("error.rs", "");
    write("config/mod.rs", "pub mod a; pub mod b;");
    write("config/a.rs", "use crate::config::b::B;\n");
    write("config/b.rs", "use crate::{error::E, config::a::{A, X}};\n");
    write("fetch/mod.rs", "pub mod http;");
    write("fetch/http.rs", "use crate::config::a::A;\n");
    write(
        "commands/mod.rs",
        "pub mod x;\n#[cfg(test)]\nmod tests { use crate::binding::cli; }",
    );
    write("commands/x.rs", "use super::Context;\n");
    let g = edges(src);
    let cycle = find_cycle(&g).expect("the planted cycle");
    assert!(cycle.contains(&"config::a".to_string()) && cycle.contains(&"config::b".to_string()));
    assert!(violations(&g).is_empty(), "{:?}", violations(&g));
    assert!(g["commands::x"].contains_key("commands"));

    // Break the cycle; then plant an upward import (config -> fetch).
    write("config/b.rs", "use crate::error::E;\n");
    assert_eq!(find_cycle(&edges(src)), None);
    write("config/a.rs", "fn f() { crate::fetch::http::get(); }\n");
    let v = violations(&edges(src));
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].contains("config::a uses crate::fetch::http::get"),
        "{}",
        v[0]
    );
}

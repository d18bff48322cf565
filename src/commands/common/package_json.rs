//! package.json edited as a person would: key order, indentation, line endings and the
//! trailing newline kept, so that an edit shows in a diff as the lines it changed.

use crate::error::{Error, IoContext, Result};
use serde_json::Value;
use std::path::Path;

/// The indentation of a JSON text (its first indented line), two spaces if none.
fn detect_indent(text: &str) -> Vec<u8> {
    text.lines()
        .skip(1)
        .find_map(|l| {
            let ws: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            (!ws.is_empty()).then_some(ws)
        })
        .unwrap_or_else(|| "  ".into())
        .into_bytes()
}

/// `doc` as JSON text in the style of `original` (its indentation, line endings and
/// trailing newline), so that an edit shows in a diff as the lines it changed.
pub fn render_package_json(original: &str, doc: &Value) -> String {
    use serde::Serialize;
    let indent = detect_indent(original);
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(&indent);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    doc.serialize(&mut ser).expect("a JSON value serializes");
    let newline = if original.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut body = String::from_utf8(out).expect("serde_json writes UTF-8");
    if original.starts_with('\u{feff}') {
        body.insert(0, '\u{feff}');
    }
    if newline != "\n" {
        body = body.replace('\n', newline);
    }
    if original.ends_with('\n') || original.is_empty() {
        body.push_str(newline);
    }
    body
}

/// Applies `edit` to package.json, keeping key order, indentation and the trailing
/// newline; written to a temp file, then renamed (`checksums --write`, migrate).
pub fn edit_package_json(path: &Path, edit: impl FnOnce(&mut Value) -> Result<()>) -> Result<()> {
    let body = edited_package_json(path, edit)?;
    crate::place::atomic::write_file(path, body.as_bytes())
}

/// package.json's text after `edit`, as [`edit_package_json`] would write it; written
/// nowhere (a dry run, or one file of a set written all or none).
pub fn edited_package_json(
    path: &Path,
    edit: impl FnOnce(&mut Value) -> Result<()>,
) -> Result<String> {
    let (text, mut doc) = read_package_json(path)?;
    edit(&mut doc)?;
    Ok(render_package_json(&text, &doc))
}

fn read_package_json(path: &Path) -> Result<(String, Value)> {
    let text = std::fs::read_to_string(path).at("read", path)?;
    let doc = crate::config::hostfs::parse_json(text.as_bytes()).map_err(|source| {
        Error::PackageJsonInvalid {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok((text, doc))
}

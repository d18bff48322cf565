//! Template evaluation: the reference's `eval_template`, substituting `{key}` in the
//! `binary` fields and platform package names. The bottom of the configuration chain:
//! it knows only JSON values, so that both `platform` and `versioning` can use it.

use serde_json::{Map, Value};

/// The reference's `eval_template`: each known `{key}` is replaced, in key order;
/// unknown keys stay as they are.
pub fn eval_template(template: &str, values: &Map<String, Value>) -> String {
    if !template.contains('{') {
        return template.to_string();
    }
    // One pass over the template is the same as the reference's key-by-key replacing
    // unless a substituted value itself contains a brace: with `{` later keys could
    // apply to it, and with `}` it can close a `{key` of the template that is still
    // waiting for a later key (`{version{name}` with name `}` is `{version}`, then
    // the version). Those rare values take the key-by-key way.
    let simple = values
        .values()
        .all(|v| !matches!(v, Value::String(s) if s.contains(['{', '}'])));
    if simple {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if values.contains_key(&after[..close]) => {
                    out.push_str(&js_string(&values[&after[..close]]));
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        return out;
    }
    let mut out = template.to_string();
    for (k, v) in values {
        let pattern = format!("{{{k}}}");
        if out.contains(&pattern) {
            out = out.replace(&pattern, &js_string(v));
        }
    }
    out
}

/// Whether `template` names any of `variables` (each written with its braces).
pub fn mentions(template: Option<&str>, variables: &[&str]) -> bool {
    template.is_some_and(|t| variables.iter().any(|v| t.contains(v)))
}

/// How JS's `String(value)` renders a value (undefined for null).
pub fn js_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "undefined".into(),
        other => other.to_string(),
    }
}

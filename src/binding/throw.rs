//! The JS exception the lean entries (`napi_find`, `wasm`) hand back: napi-rs's codes and
//! messages for argument errors, and an [`Error`]'s stable code and message otherwise.

use crate::error::Error;

/// A JS exception to throw: `err.code` and `err.message`.
pub(super) struct Throw(pub(super) String, pub(super) String);

impl From<Error> for Throw {
    fn from(e: Error) -> Self {
        Throw(e.code().to_string(), e.to_string())
    }
}

/// What a lean entry returns.
pub(super) type R<T> = Result<T, Throw>;

/// napi-rs's error for an argument of the wrong type, word for word.
pub(super) fn expected(what: &str, name: &str) -> Throw {
    let code = match what {
        "string" => "StringExpected",
        "boolean" => "BooleanExpected",
        "number" => "NumberExpected",
        _ => "ObjectExpected",
    };
    Throw(
        code.into(),
        format!("Failed to convert JavaScript value `{name}` into rust type: expected {what}"),
    )
}

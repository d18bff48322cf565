//! `explain`.

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// `explain`.
pub async fn explain(_ctx: &Context) -> Result<Outcome> {
    Err(Error::Usage("explain is not available yet".into()))
}

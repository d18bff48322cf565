//! `heal`.

use super::{Context, Outcome};
use crate::error::{Error, Result};

/// `heal`.
pub async fn heal(_ctx: &Context) -> Result<Outcome> {
    Err(Error::Usage("heal is not available yet".into()))
}

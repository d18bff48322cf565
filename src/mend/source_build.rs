//! The build from source that an install script's node-gyp fallback (or npm's implicit
//! `node-gyp rebuild`, or node-gyp-build's own) would have run: node-gyp in the package
//! folder, found the way `build` finds it, its output kept off stdout when stdout holds
//! results, and the binding test-loaded afterwards.

use crate::building::gyp::Gyp;
use crate::building::process::ChildOutput;
use crate::config::options::Options;
use crate::config::target::{HostInfo, Runtime};
use crate::error::{Error, Result};
use crate::mend::kind;
use std::path::Path;

/// Runs node-gyp with `args` (default `rebuild`) in `dir`, then checks that
/// `build/Release` holds a binding.
pub async fn node_gyp(
    dir: &Path,
    args: &[String],
    opts: &Options,
    host: &HostInfo,
    output: ChildOutput,
) -> Result<()> {
    let args: Vec<String> = if args.is_empty() {
        vec!["rebuild".into()]
    } else {
        args.to_vec()
    };
    let gyp = Gyp::locate(Runtime::Node, dir, host, &opts.env, output)?;
    gyp.run(&args).await?;
    if kind::built_bindings(dir).is_empty() {
        return Err(Error::Usage(format!(
            "node-gyp {} finished in {} but left no build/Release/*.node",
            args.join(" "),
            dir.display()
        )));
    }
    Ok(())
}

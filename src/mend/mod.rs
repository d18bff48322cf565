//! Mending native packages that pregyp does not describe itself: those installed by
//! prebuild-install, by node-gyp-build with bundled `prebuilds/`, or by npm's implicit
//! `node-gyp rebuild` for a bare `binding.gyp`. A package manager that blocks install
//! scripts leaves them without a binding; `heal` (and `install` run in such a package)
//! gets one the way the blocked script would have, with pregyp's standards around it.
//!
//! - `kind`: what installs a package's binding, and whether that binding loads;
//! - `prebuild_install`: prebuild-install 7.1.3's rules (URL, options, token forms), and
//!   the verified, cached, atomic download they lead to;
//! - `source_build`: the script's `|| node-gyp rebuild` fallback.
//!
//! May use every layer below `commands`.

pub mod kind;
pub mod prebuild_install;
pub mod source_build;

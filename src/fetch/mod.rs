//! Getting tarballs: `http` (client, proxy, CAs, redirects), `retry` (the one retry
//! policy), `download` (stream → hash → unpack, sidecars) and `cache` (content-addressed,
//! verified on reuse). May use `config`, `building`, `place`, `packing` and the top-level files.

pub mod cache;
pub mod download;
pub mod http;
pub mod retry;
pub mod settings;

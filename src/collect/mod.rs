//! Collection: what to gather on each node (`plan`, as data), how a node is reached (`access`:
//! `local` for this machine, `ssh` for the peer), gathering one node by the plan (`gather`:
//! probes and commands; `files`: cut to the `window`, `redact`ed on the way), the peer's `clock`
//! offset, and finding the `peer`. It fills a staging directory per node and returns what it
//! gathered; it knows nothing of manifest.json or archives (commands/collect.rs hands its result
//! to bundle::write), so it imports no later stage.

pub mod access;
pub mod clock;
mod files;
pub mod gather;
pub mod local;
pub mod peer;
pub mod plan;
pub mod redact;
pub mod ssh;
pub mod window;

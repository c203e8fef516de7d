//! The rule engine: diagnosis rules are data (`rules/*.toml`, one cause or finding per file),
//! with conditions in a small language (`condition`), evaluated on the reconstructed timeline
//! (`eval`, `engine`). Each rule's own test cases run in `diagnosis::cases`, through the whole chain.

pub mod condition;
pub mod engine;
pub mod eval;
pub mod incidents;
pub mod lint;
pub mod model;
pub mod now;
pub mod outage;

pub use engine::Analysis;
pub use model::{Rule, RuleSet, Severity, SubjectKind};

//! The rule engine: diagnosis rules are data (`rules/*.toml`, one cause or finding per file),
//! with conditions in a small language (`condition`), evaluated on the reconstructed timeline
//! (`eval`, `engine`). `cases` runs every rule's own test cases; `lint` checks rule files.

pub mod cases;
pub mod condition;
pub mod engine;
pub mod eval;
pub mod model;

pub use engine::{Analysis, Status};
pub use model::{Rule, RuleSet, Severity, SubjectKind};

//! `esc-diag diff` for tools, schema "esc-diag/diff/v1" (schema/diff-v1.schema.json): the two
//! sides and every change, each with its area, node, subject, item and the values before and
//! after (null: absent on that side; secrets are `<secret>`). Fields may be added within v1.

use serde::Serialize;

use crate::diagnosis::compare::{Change, Unread};

/// The schema name of the diff report.
pub const DIFF_SCHEMA: &str = "esc-diag/diff/v1";

#[derive(Serialize)]
pub struct DiffReport {
    pub schema: &'static str,
    pub tool_version: &'static str,
    pub generated_at: String,
    pub before: SideRecord,
    pub after: SideRecord,
    /// Whether anything changed (the exit code is 1 when it did).
    pub changed: bool,
    pub changes: Vec<ChangeRecord>,
    /// Files that could not be compared, and why.
    pub unread: Vec<UnreadRecord>,
}

#[derive(Serialize)]
pub struct SideRecord {
    pub input: String,
    pub collected_at: Option<String>,
    pub nodes: Vec<String>,
    pub verdict: &'static str,
}

#[derive(Serialize)]
pub struct ChangeRecord {
    /// verdict, master, nodes, keepalived, esc-config, drbd, addresses, routes, checks, findings.
    pub area: &'static str,
    pub node: Option<String>,
    /// The VRRP instance, DRBD file or other group the item belongs to.
    pub subject: Option<String>,
    pub item: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Serialize)]
pub struct UnreadRecord {
    pub node: String,
    pub file: String,
    pub why: String,
}

impl DiffReport {
    pub fn new(
        generated_at: String,
        before: SideRecord,
        after: SideRecord,
        changes: &[Change],
        unread: &[Unread],
    ) -> DiffReport {
        DiffReport {
            schema: DIFF_SCHEMA,
            tool_version: env!("CARGO_PKG_VERSION"),
            generated_at,
            before,
            after,
            changed: !changes.is_empty(),
            changes: changes
                .iter()
                .map(|change| ChangeRecord {
                    area: change.area.name(),
                    node: change.node.clone(),
                    subject: change.subject.clone(),
                    item: change.item.clone(),
                    before: change.before.clone(),
                    after: change.after.clone(),
                })
                .collect(),
            unread: unread
                .iter()
                .map(|unread| UnreadRecord {
                    node: unread.node.clone(),
                    file: unread.file.clone(),
                    why: unread.why.clone(),
                })
                .collect(),
        }
    }
}

//! What checks and rules produce: findings with their severity and evidence, failovers with their
//! cause, split-brain windows. Evidence points at timeline events by index.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::timeline::state::Role;

/// The two kinds of split-brain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitBrainKind {
    Vrrp,
    Drbd,
}

impl SplitBrainKind {
    pub fn name(self) -> &'static str {
        match self {
            SplitBrainKind::Vrrp => "vrrp",
            SplitBrainKind::Drbd => "drbd",
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }

    /// Parses a level name (for --min-severity).
    pub fn parse(text: &str) -> Result<Severity, String> {
        match text {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity {other:?} (info, warning, error, critical)"
            )),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// One finding of the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Stable for the same input: rule, node and time.
    pub id: String,
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub nodes: Vec<String>,
    pub cause: Option<String>,
    pub explanation: String,
    /// The finding's own remedy; shared advice (`advice`) is appended once when the findings of an
    /// incident are folded together.
    pub remedy: String,
    /// Keys of shared advice (`rules/advice/*.toml`) the remedy ends with.
    pub advice: Vec<String>,
    pub references: Vec<String>,
    /// Indices of timeline events.
    pub evidence: Vec<usize>,
    /// The VRRP instance the finding is about, where it is about one.
    pub instance: Option<String>,
    /// Indices (in `Analysis::transitions`) of the transitions this finding reports.
    pub transitions: Vec<usize>,
    /// The ids of the findings folded into this one (one incident, one finding).
    pub merged: Vec<String>,
}

impl Finding {
    /// Whether the finding names a cause, and one other than `unknown`.
    pub fn cause_known(&self) -> bool {
        self.cause
            .as_deref()
            .is_some_and(|cause| cause != "unknown")
    }
}

/// A state transition of a VRRP instance and why it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Failover {
    pub time: Option<DateTime<Utc>>,
    pub instance: String,
    pub node: String,
    pub from: Role,
    /// The earlier state is known from a line keepalived writes only in it, not a state line.
    pub from_inferred: bool,
    pub to: Role,
    /// A takeover, yield, FAULT or a master's stop (in `failovers[]`); other transitions (a
    /// start-up into BACKUP, FAULT back to BACKUP) are only in `transitions[]`.
    pub failover: bool,
    /// A stable cause id (network-partition, peer-down, ..., unknown).
    pub cause: String,
    pub rule: Option<String>,
    pub severity: Severity,
    /// For `unknown`: what was missing to decide.
    pub detail: Option<String>,
    pub evidence: Vec<usize>,
    /// The id of the finding that reports this transition (failovers only).
    pub finding: Option<String>,
}

/// Two nodes MASTER of the same instance at once (kind `vrrp`), or DRBD data that diverged (kind
/// `drbd`).
#[derive(Debug, Clone, PartialEq)]
pub struct SplitBrain {
    pub kind: SplitBrainKind,
    /// both-sides, advert-while-master, drbd-detected.
    pub proof: String,
    /// The VRRP instance (vrrp).
    pub instance: Option<String>,
    /// The DRBD resource, or the minor where the line names no resource (drbd).
    pub resource: Option<String>,
    /// None where the logs do not show it.
    pub start: Option<DateTime<Utc>>,
    /// None while still open at the end of the logs, or not shown.
    pub end: Option<DateTime<Utc>>,
    /// The instant the evidence proves the split-brain.
    pub seen_at: Option<DateTime<Utc>>,
    pub uncertainty_s: f64,
    pub nodes: Vec<String>,
    pub evidence: Vec<usize>,
    /// The id of the finding that reports this split-brain.
    pub finding: Option<String>,
}

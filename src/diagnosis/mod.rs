//! The diagnosis of one input, chained in one place: the checks on the captures, the rules on the
//! reconstructed states, and the verdict decided from all of them. `analyze`, `collect --analyze`
//! and the rules' own test cases run this same chain. A report window (`--since`/`--until`)
//! selects which transitions, windows and findings are reported; the states are always
//! reconstructed from everything given.

pub mod cases;
pub mod compare;
pub mod live;
pub mod verdict;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::bundle::Bundle;
use crate::checks::captures::NodeCaptures;
use crate::checks::{self, CheckResult};
use crate::rules::{Analysis, RuleSet};
use crate::timeline::Timeline;
pub use verdict::{Status, Verdict};

/// Which part of the analysis is reported (None: unbounded).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReportWindow {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl ReportWindow {
    /// Whether an instant (or a span, for windows) falls in the report window.
    pub fn holds(&self, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> bool {
        let start_ok = self
            .until
            .is_none_or(|until| start.is_none_or(|start| start <= until));
        let end_ok = self
            .since
            .is_none_or(|since| end.or(start).is_none_or(|end| end >= since));
        start_ok && end_ok
    }

    fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }
}

/// Everything decided about one input.
pub struct Diagnosis {
    pub checks: Vec<CheckResult>,
    pub analysis: Analysis,
    pub verdict: Verdict,
}

/// Runs the checks and the rules on the whole input, keeps what falls in `window`, and decides
/// the verdict from what is kept.
pub fn diagnose(
    bundle: &Bundle,
    timeline: &Timeline,
    rules: &RuleSet,
    window: ReportWindow,
) -> Diagnosis {
    let checks = checks::run(bundle, timeline);
    // Each node's own addresses from its `ip addr` capture name the senders of adverts.
    // (A node directory whose lines all went to another directory's node adds its addresses to
    // that node's, replacing none.)
    let mut known_addresses: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in &bundle.nodes {
        let addresses = NodeCaptures::read(node)
            .addresses
            .unwrap_or_default()
            .iter()
            .map(|address| address.address.to_string())
            .collect::<Vec<_>>();
        known_addresses
            .entry(timeline.node_name_for(&node.name, None).to_string())
            .or_default()
            .extend(addresses);
    }
    let mut analysis = Analysis::run(timeline, rules, &known_addresses);
    live::split_brain_now(&checks, timeline, &mut analysis, rules);
    if !window.is_unbounded() {
        analysis
            .transitions
            .retain(|transition| window.holds(transition.time, None));
        analysis
            .failovers
            .retain(|failover| window.holds(failover.time, None));
        analysis.split_brain.retain(|split| {
            window.holds(split.start.or(split.seen_at), split.end.or(split.seen_at))
        });
        analysis
            .findings
            .retain(|finding| window.holds(finding.start, finding.end));
    }
    let verdict = verdict::decide(timeline, &analysis, &checks, window);
    Diagnosis {
        checks,
        analysis,
        verdict,
    }
}

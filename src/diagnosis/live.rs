//! What the captures show at collection time that the logs alone do not: the VIP configured on
//! more than one node, a split-brain now. It becomes a critical finding and a `split_brain[]`
//! entry (proof `vip-on-both-nodes`), with the remedy naming the node to release the VIP.

use std::collections::BTreeMap;

use crate::checks::{CheckResult, CheckStatus};
use crate::finding::{Finding, Severity, SplitBrain, SplitBrainKind};
use crate::rules::engine::serving_basis;
use crate::rules::now::serving_node;
use crate::rules::{Analysis, RuleSet};
use crate::timeline::{Timeline, format_clock};

/// The check whose failure with several owners is a split-brain now.
const VIP_CHECK: &str = "vip-single-owner";

/// Adds a finding and a split-brain entry for each VIP held by more than one node.
pub fn split_brain_now(
    checks: &[CheckResult],
    timeline: &Timeline,
    analysis: &mut Analysis,
    rules: &RuleSet,
) {
    let collected_at = timeline
        .nodes
        .iter()
        .filter_map(|node| node.collected_at)
        .max();
    let serving = serving_node(&analysis.now);
    let instance = analysis.states.instances.first().cloned();
    for check in checks {
        if check.id != VIP_CHECK || check.status != CheckStatus::Fail {
            continue;
        }
        let (Some(vip), Some(owners)) = (check.values.get("vip"), check.values.get("owners"))
        else {
            continue;
        };
        let owners: Vec<String> = owners.split(" and ").map(str::to_string).collect();
        let survivor = serving.clone().filter(|node| owners.contains(node));
        let victims: Vec<&str> = owners
            .iter()
            .map(String::as_str)
            .filter(|node| Some(*node) != survivor.as_deref())
            .collect();
        // One set of values serves both pieces of advice: who keeps the VIP is who keeps the data.
        let mut values: BTreeMap<&str, Option<String>> = BTreeMap::new();
        values.insert("survivor", survivor.clone());
        values.insert(
            "survivor_basis",
            survivor
                .as_deref()
                .map(|node| serving_basis(node, analysis.text_context)),
        );
        values.insert(
            "survivor_unknown",
            survivor.is_none().then(|| match &serving {
                Some(serving) => format!(
                    "the node MASTER at the end of these logs, {serving}, does not hold the VIP"
                ),
                None => "these logs name no single node MASTER at their end".to_string(),
            }),
        );
        values.insert("victim", Some(victims.join(" and ")));
        values.insert("vip", Some(vip.clone()));
        values.insert(
            "kad_vif",
            Some(
                check
                    .values
                    .get("kad_vif")
                    .cloned()
                    .unwrap_or_else(|| "the kad_vif".to_string()),
            ),
        );
        values.insert(
            "resource",
            Some(
                check
                    .values
                    .get("resource")
                    .cloned()
                    .unwrap_or_else(|| "all".to_string()),
            ),
        );
        let advice = vec!["vip-on-both-nodes".to_string(), "drbd-recovery".to_string()];
        let remedy = rules.with_advice("", &advice, &values, analysis.text_context);
        let when = collected_at.map_or("collection".to_string(), |time| {
            format!("collection ({})", format_clock(time, timeline.spans_days()))
        });
        let id = format!("vip-on-both-nodes@{}@{vip}", owners.join("+"));
        let finding = Finding {
            id: id.clone(),
            rule: "vip-on-both-nodes".to_string(),
            severity: Severity::Critical,
            title: format!(
                "Split-brain now: the VIP {vip} is on {} at {when}",
                owners.join(" and ")
            ),
            start: collected_at,
            end: None,
            nodes: owners.clone(),
            cause: None,
            explanation: format!(
                "When the bundle was collected, each of {} had the VIP {vip} configured: each answers ARP for it, so clients and the peer ESC reach whichever answered last, and ESC may write on both.",
                owners.join(" and ")
            ),
            remedy,
            advice,
            references: Vec::new(),
            evidence: Vec::new(),
            instance: instance.clone(),
            transitions: Vec::new(),
            merged: Vec::new(),
        };
        analysis.findings.insert(0, finding);
        analysis.split_brain.insert(
            0,
            SplitBrain {
                kind: SplitBrainKind::Vrrp,
                proof: "vip-on-both-nodes".to_string(),
                instance: instance.clone(),
                resource: None,
                start: None,
                end: None,
                seen_at: collected_at,
                uncertainty_s: 0.0,
                nodes: owners,
                evidence: Vec::new(),
                finding: Some(id),
            },
        );
    }
}

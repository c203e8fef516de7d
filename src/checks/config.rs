//! Configuration checks: the two nodes' keepalived.conf agree on what one VRRP instance shares.

use super::{CheckInput, CheckResult, CheckStatus};

/// VRID, advert_int, authentication type and unicast/multicast agree between the nodes.
pub fn keepalived_config_agree(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "keepalived-config-agree";
    let configured: Vec<_> = input
        .nodes
        .iter()
        .filter_map(|node| node.config.map(|config| (node.name, config)))
        .collect();
    if configured.len() < 2 {
        return vec![CheckResult::new(
            ID,
            None,
            CheckStatus::Skipped,
            "needs both nodes' keepalived.conf",
        )];
    }
    let (first_name, first) = configured[0];
    let mut differences = Vec::new();
    for (name, config) in &configured[1..] {
        for key in ["vrid", "advert_int", "auth_type", "unicast", "instance"] {
            let (mine, theirs) = (first.get(key), config.get(key));
            if mine != theirs {
                differences.push(format!(
                    "{key}: {first_name} {} / {name} {}",
                    mine.unwrap_or("-"),
                    theirs.unwrap_or("-")
                ));
            }
        }
    }
    if differences.is_empty() {
        let vrid = first.get("vrid").unwrap_or("-");
        vec![CheckResult::new(
            ID,
            None,
            CheckStatus::Pass,
            format!("VRID {vrid}, advert_int, authentication and unicast agree"),
        )]
    } else {
        vec![CheckResult::new(
            ID,
            None,
            CheckStatus::Fail,
            differences.join("; "),
        )]
    }
}

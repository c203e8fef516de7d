//! Node checks: disk space, maintenance mode, clock synchronisation, DRBD connection, ESC services.

use super::{CheckInput, CheckResult, CheckStatus};

/// Use at or above this is a failure (and "No space left" in the logs).
const DISK_FULL_PERCENT: u32 = 95;
/// A measured offset above this many seconds is a failure.
const CLOCK_OFFSET_LIMIT_S: f64 = 1.0;

/// No filesystem at 95 % or more, and no "No space left on device" in the logs.
pub fn disk_space(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "disk-space";
    input
        .nodes
        .iter()
        .map(|node| {
            let full_in_logs = node
                .events
                .iter()
                .find(|event| event.event.as_deref() == Some("disk-full"));
            let full: Vec<String> = node
                .captures
                .disks
                .iter()
                .flatten()
                .filter(|disk| disk.used_percent >= DISK_FULL_PERCENT)
                .map(|disk| format!("{} {}%", disk.mount, disk.used_percent))
                .collect();
            match (&node.captures.disks, full.is_empty(), full_in_logs) {
                (_, false, _) => CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Fail,
                    format!("full: {}", full.join(", ")),
                ),
                (_, true, Some(event)) => CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Fail,
                    format!(
                        "\"No space left on device\" in {}:{}",
                        event.file, event.line
                    ),
                ),
                (None, true, None) => {
                    CheckResult::new(ID, Some(node.name), CheckStatus::Skipped, "no `df` capture")
                }
                (Some(disks), true, None) => {
                    let highest = disks
                        .iter()
                        .map(|disk| disk.used_percent)
                        .max()
                        .unwrap_or(0);
                    CheckResult::new(
                        ID,
                        Some(node.name),
                        CheckStatus::Pass,
                        format!("highest use {highest}%"),
                    )
                }
            }
        })
        .collect()
}

/// `escadm op_mode show` says OPERATION (MAINTENANCE is reported: it survives a switchover).
pub fn maintenance_mode(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "maintenance-mode";
    input
        .nodes
        .iter()
        .map(|node| match &node.captures.op_mode {
            None => CheckResult::new(
                ID,
                Some(node.name),
                CheckStatus::Skipped,
                "no `escadm op_mode show` capture",
            ),
            Some(text) if text.to_ascii_uppercase().contains("MAINTENANCE") => CheckResult::new(
                ID,
                Some(node.name),
                CheckStatus::Warn,
                "in MAINTENANCE mode (it persists across a switchover since ESC 4.4)",
            ),
            Some(text) if text.to_ascii_uppercase().contains("OPERATION") => {
                CheckResult::new(ID, Some(node.name), CheckStatus::Pass, "OPERATION mode")
            }
            Some(text) => CheckResult::new(
                ID,
                Some(node.name),
                CheckStatus::Skipped,
                format!("unrecognised output: {}", text.lines().next().unwrap_or("")),
            ),
        })
        .collect()
}

/// NTP synchronised (chronyc / timedatectl) and the measured offset under 1 s.
pub fn clock_sync(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "clock-sync";
    input
        .nodes
        .iter()
        .map(|node| {
            if let Some(offset) = node.clock_offset_s
                && offset.abs() > CLOCK_OFFSET_LIMIT_S
            {
                return CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Fail,
                    format!(
                        "clock {offset:+.3} s from the collector's (over {CLOCK_OFFSET_LIMIT_S} s)"
                    ),
                );
            }
            match &node.captures.time_sync {
                Some(text) => {
                    let lower = text.to_ascii_lowercase();
                    if lower.contains("not synchronised")
                        || lower.contains("synchronized: no")
                        || lower.contains("ntp synchronized: no")
                    {
                        CheckResult::new(
                            ID,
                            Some(node.name),
                            CheckStatus::Fail,
                            "NTP not synchronised",
                        )
                    } else {
                        CheckResult::new(ID, Some(node.name), CheckStatus::Pass, "NTP synchronised")
                    }
                }
                None => match node.clock_offset_s {
                    Some(offset) => CheckResult::new(
                        ID,
                        Some(node.name),
                        CheckStatus::Pass,
                        format!("clock {offset:+.3} s from the collector's"),
                    ),
                    None => CheckResult::new(
                        ID,
                        Some(node.name),
                        CheckStatus::Skipped,
                        "no chronyc/timedatectl capture and no measured offset",
                    ),
                },
            }
        })
        .collect()
}

/// DRBD connected with both disks UpToDate (from /proc/drbd or drbdadm status).
pub fn drbd_connected(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "drbd-connected";
    input
        .nodes
        .iter()
        .map(|node| {
            let Some(status) = node.drbd_status() else {
                return CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Skipped,
                    "no /proc/drbd or drbdadm status capture",
                );
            };
            let connection = status.field("connection").unwrap_or("unknown");
            let disk = status.field("disk").unwrap_or("unknown");
            let peer_disk = status.field("peer_disk").unwrap_or("unknown");
            let detail = format!(
                "connection {connection}, disk {disk}/{peer_disk}, role {}",
                status.field("role").unwrap_or("unknown")
            );
            if connection == "Connected"
                && disk == "UpToDate"
                && matches!(peer_disk, "UpToDate" | "unknown")
            {
                CheckResult::new(ID, Some(node.name), CheckStatus::Pass, detail)
            } else if connection.starts_with("Sync") {
                CheckResult::new(ID, Some(node.name), CheckStatus::Warn, detail)
            } else {
                CheckResult::new(ID, Some(node.name), CheckStatus::Fail, detail)
            }
        })
        .collect()
}

/// `escadm status --v`: every ESC service running.
pub fn esc_services(input: &CheckInput) -> Vec<CheckResult> {
    const ID: &str = "esc-services";
    const DOWN: [&str; 5] = ["stopped", "failed", "inactive", "dead", "not running"];
    input
        .nodes
        .iter()
        .map(|node| {
            let Some(text) = &node.captures.escadm_status else {
                return CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Skipped,
                    "no `escadm status --v` capture",
                );
            };
            let down: Vec<String> = text
                .lines()
                .filter(|line| {
                    let lower = line.to_ascii_lowercase();
                    DOWN.iter().any(|word| lower.contains(word))
                })
                .map(|line| line.trim().to_string())
                .collect();
            let unhealthy = text.contains("status=") && !text.contains("status=0");
            if !down.is_empty() || unhealthy {
                let mut reasons = down;
                if unhealthy {
                    reasons.push("escadm status is not 0".to_string());
                }
                CheckResult::new(ID, Some(node.name), CheckStatus::Fail, reasons.join("; "))
            } else {
                CheckResult::new(
                    ID,
                    Some(node.name),
                    CheckStatus::Pass,
                    text.lines().next().unwrap_or("").trim().to_string(),
                )
            }
        })
        .collect()
}

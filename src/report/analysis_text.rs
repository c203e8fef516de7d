//! The analysis for people: the verdict on one line, findings by severity with their evidence
//! (node, file:line, time) and remedy, each node's role timeline, and what could not be checked.

use std::io::{self, Write};

use colored::Colorize;

use super::analysis_json::{EvidenceRecord, Report};
use super::phrases::{self, InstanceNowPhrases};
use crate::bundle::parse_rfc3339;
use crate::rules::Analysis;
use crate::timeline::align::offset_duration;
use crate::timeline::format_clock;
use crate::timeline::state::{Opening, Role};

/// An evidence line is quoted right of its time, node and file where that leaves it this many
/// columns; under them, indented by `EVIDENCE_INDENT`, where it would leave fewer.
const MIN_EVIDENCE_ROOM: usize = 40;
const EVIDENCE_INDENT: usize = 2;

/// The text report fits a terminal this wide (log lines quoted as evidence wrap under themselves).
const WIDTH: usize = 100;

/// How many states of one instance the Roles section shows before it abridges the path.
const ROLE_PATH_SHOWN: usize = 12;

fn severity_label(severity: &str) -> colored::ColoredString {
    let label = format!("{:<8}", severity.to_uppercase());
    match severity {
        "critical" => label.red().bold(),
        "error" => label.red(),
        "warning" => label.yellow(),
        _ => label.normal(),
    }
}

/// Writes the text report from the same record the JSON report is made of.
/// `verbose` lists every check; otherwise only the failed and warned ones, with a count of the rest.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    analysis: &Analysis,
    verbose: bool,
    dated: bool,
) -> io::Result<()> {
    let status = report.verdict.status.to_uppercase();
    let status = match report.verdict.status {
        "split-brain" => status.red().bold(),
        "failover" | "degraded" => status.yellow().bold(),
        "healthy" => status.green().bold(),
        _ => status.normal(),
    };
    // The headline wraps under itself within the width.
    let indent = report.verdict.status.len() + 2;
    write_under_head(
        out,
        &format!("{status}  "),
        indent,
        &report.verdict.headline,
        WIDTH - indent,
    )?;
    // The state now: who holds each instance at the end of the evidence, and whether a standby
    // exists.
    for now in &report.state_now {
        let InstanceNowPhrases {
            masters,
            standby,
            others,
            ..
        } = phrases::instance_now(report, now);
        // Wrapped under itself, after the instance's name.
        let head = format!("  now: {:<10} ", now.instance);
        let indent = head.chars().count();
        let body = format!(
            "{masters}; {standby}{}",
            if others.is_empty() {
                String::new()
            } else {
                format!("; {}", others.join(", "))
            }
        );
        write_under_head(
            out,
            &head,
            indent,
            &body,
            WIDTH.saturating_sub(indent).max(40),
        )?;
    }
    // DRBD and ESC's services at the end of the evidence, where the bundle shows them.
    let drbd: Vec<String> = report
        .nodes
        .iter()
        .filter_map(|node| phrases::drbd_now(node).map(|drbd| format!("{} {drbd}", node.name)))
        .collect();
    let services: Vec<String> = report
        .nodes
        .iter()
        .filter_map(|node| {
            node.esc_services
                .as_deref()
                .map(|services| format!("{} {services}", node.name))
        })
        .collect();
    let mut parts = Vec::new();
    if !drbd.is_empty() {
        parts.push(format!("DRBD {}", drbd.join(", ")));
    }
    if !services.is_empty() {
        parts.push(format!("ESC services {}", services.join(", ")));
    }
    if !parts.is_empty() {
        for (index, line) in textwrap(&parts.join("; "), WIDTH - 7)
            .into_iter()
            .enumerate()
        {
            writeln!(
                out,
                "{}{line}",
                if index == 0 { "  now: " } else { "       " }
            )?;
        }
    }
    writeln!(out)?;
    if report.findings.is_empty() {
        writeln!(out, "{}", phrases::no_findings(report))?;
    }
    let (mut corrected, mut inferred) = (false, false);
    for (finding, words) in report
        .findings
        .iter()
        .zip(phrases::shown_words(&report.findings))
    {
        let mut title = textwrap(&finding.title, WIDTH - 9).into_iter();
        writeln!(
            out,
            "{} {}",
            severity_label(finding.severity),
            title.next().unwrap_or_default().bold()
        )?;
        for line in title {
            writeln!(out, "         {}", line.bold())?;
        }
        if let Some(cause) = &finding.cause {
            writeln!(out, "         cause: {cause}")?;
        }
        if !words.explanation.is_empty() {
            for line in textwrap(&words.explanation, WIDTH - 9) {
                writeln!(out, "         {line}")?;
            }
        }
        // Information needs less proof on screen than a problem does.
        let shown = if finding.severity == "info" { 2 } else { 6 };
        for evidence in evidence_shown(&finding.evidence, shown) {
            let marker = if evidence.clock_offset_s.is_some() {
                corrected = true;
                "* "
            } else if evidence.time_inferred && evidence.time.is_some() {
                inferred = true;
                "~ "
            } else {
                " "
            };
            // The line's own envelope (stamp, host) is the time and node shown before it.
            let instant = evidence.time.as_deref().and_then(parse_rfc3339);
            let time = match (instant, evidence.time.as_deref()) {
                (Some(instant), _) => format_clock(instant, dated),
                (None, written) => written.unwrap_or("-").to_string(),
            };
            let file = evidence
                .file
                .strip_prefix("var/log/")
                .unwrap_or(&evidence.file);
            // The node's own stamp: the corrected time plus the offset taken off it.
            let own_stamp = evidence
                .clock_offset_s
                .zip(instant)
                .and_then(|(offset, instant)| {
                    let own = instant.checked_add_signed(offset_duration(offset))?;
                    Some(format!("[its clock: {}] ", format_clock(own, dated)))
                })
                .unwrap_or_default();
            let said = match &evidence.program {
                Some(program) => format!(
                    "{own_stamp}{}: {}",
                    program.split('[').next().unwrap_or(program),
                    evidence.message
                ),
                None => format!("{own_stamp}{}", evidence.message),
            };
            let head = format!("{time}{marker}{} {file}:{}  ", evidence.node, evidence.line);
            let room = WIDTH.saturating_sub(9 + head.chars().count());
            if room < MIN_EVIDENCE_ROOM {
                // A long file name: the line goes under its head, not squeezed right of it.
                writeln!(out, "         {}", head.trim_end().dimmed())?;
                for line in textwrap(&said, WIDTH - 9 - EVIDENCE_INDENT) {
                    writeln!(out, "         {:EVIDENCE_INDENT$}{line}", "")?;
                }
                continue;
            }
            write_under_head(
                out,
                &format!("         {}", head.dimmed()),
                9 + head.chars().count(),
                &said,
                room,
            )?;
        }
        if finding.evidence.len() > shown {
            writeln!(
                out,
                "         ... {} more of evidence (see --format json)",
                phrases::counted((finding.evidence.len() - shown) as u64, "line")
            )?;
        }
        if !words.remedy.is_empty() {
            let mut lines = textwrap(words.remedy, WIDTH - 17).into_iter();
            if let Some(first) = lines.next() {
                writeln!(out, "         {} {first}", "remedy:".cyan())?;
            }
            for line in lines {
                writeln!(out, "                 {line}")?;
            }
        }
        writeln!(out)?;
    }
    if corrected || inferred {
        let offsets: Vec<String> = report
            .nodes
            .iter()
            .filter_map(|node| {
                node.clock_offset_s
                    .filter(|offset| *offset != 0.0)
                    .map(|offset| format!("{} {offset:+.3} s", node.name))
            })
            .collect();
        if corrected {
            for line in textwrap(
                &format!(
                    "* time corrected by the node's measured clock offset ({}); [its clock: ...] is the stamp the node wrote",
                    offsets.join(", ")
                ),
                WIDTH,
            ) {
                writeln!(out, "{line}")?;
            }
        }
        if inferred {
            writeln!(
                out,
                "~ the line has no stamp of its own: the time of the line before"
            )?;
        }
        writeln!(out)?;
    }
    if report.nodes.iter().all(|node| node.instances.is_empty()) {
        writeln!(out, "{} no VRRP instance in the logs", "Roles:".bold())?;
    } else {
        writeln!(out, "{}", "Roles".bold())?;
    }
    for node in &report.nodes {
        let mut state_file = node.keepalived_state.as_ref();
        for instance in &node.instances {
            let mut path: Vec<String> = Vec::new();
            let mut restart_shown = None;
            for interval in
                analysis.states.intervals.iter().filter(|interval| {
                    interval.node == node.name && interval.instance == instance.name
                })
            {
                if interval.role == Role::Unknown && interval.start.is_none() {
                    continue;
                }
                // Held since before the logs: from their start, or, known only from a line
                // keepalived writes in that state before the change that ends it, by that line
                // (not before it).
                // Begun where the logs do not show (keepalived restarted unlogged after a
                // stop), known from a line at its start: by then, not since then.
                let since = match (interval.start, interval.proven_from) {
                    (Some(start), Some(proven)) if proven == start => {
                        format!("by {}", format_clock(proven, dated))
                    }
                    (Some(start), _) => format_clock(start, dated),
                    (None, Some(proven)) if interval.end != Some(proven) => {
                        format!("by {}", format_clock(proven, dated))
                    }
                    (None, _) => "at the logs' start".to_string(),
                };
                // The moment of a restart the logs show only by its start: the state held
                // before ended then or earlier, unseen (and the new process's first state may
                // take a moment: a 1.x transition until its Entering line).
                // A state known from the new process's line at it follows the restart (said
                // once: an unknown state's interval at the restart says it first).
                let restart = interval
                    .start
                    .filter(|start| restart_shown != Some(*start))
                    .and_then(|start| {
                        analysis
                            .states
                            .unseen_restart_ending_at(&node.name, &instance.name, start)
                    });
                if let Some(restart) = restart {
                    restart_shown = Some(restart.restart);
                    // Where the old process fell silent well before: the state drawn before
                    // lasted until then at least, not until the restart.
                    let silent = restart.restart - restart.last_seen > chrono::Duration::seconds(2);
                    path.push(if silent {
                        format!(
                            "restarted {since} (no stop logged; the old process's last line {})",
                            format_clock(restart.last_seen, dated)
                        )
                    } else {
                        format!("restarted {since} (no stop logged)")
                    });
                    if interval.role != Role::Unknown {
                        path.push(format!("{} {since}", interval.role));
                    }
                } else if interval.role == Role::Master
                    && interval.end.is_none()
                    && crate::rules::now::takeover_begun_at(
                        &analysis.now,
                        &node.name,
                        &instance.name,
                        interval.start,
                    )
                {
                    // A 1.x `Transition to MASTER` the logs end in: begun, not done.
                    path.push(format!(
                        "began a takeover {since} (its end is not in the logs)"
                    ));
                } else {
                    // A crash's STOP, and the state after a start or a new VRRP process, not yet
                    // said: named by the line that opened them.
                    let word = match interval.opened_as {
                        Opening::Crash => "crashed".to_string(),
                        Opening::Start => "started".to_string(),
                        Opening::Respawn => "respawned".to_string(),
                        Opening::LeftUnseen => "left unseen after".to_string(),
                        Opening::Line => interval.role.to_string(),
                    };
                    let unsaid = interval.end.is_none()
                        && matches!(interval.opened_as, Opening::Start | Opening::Respawn);
                    path.push(if unsaid {
                        format!("{word} {since} (no state logged after)")
                    } else {
                        format!("{word} {since}")
                    });
                }
            }
            writeln!(
                out,
                "  {:<12} {:<10} {}{}",
                node.name,
                instance.name,
                if path.is_empty() {
                    match analysis
                        .states
                        .undated
                        .get(&(node.name.clone(), instance.name.clone()))
                    {
                        Some(roles) => format!(
                            "no dated state; lines without a stamp say {}",
                            roles
                                .iter()
                                .map(Role::to_string)
                                .collect::<Vec<_>>()
                                .join(" → ")
                        ),
                        None => "no state seen".to_string(),
                    }
                } else if path.len() > ROLE_PATH_SHOWN {
                    // A flapping instance: its first and last states, and how many in between.
                    let tail = ROLE_PATH_SHOWN / 2;
                    format!(
                        "{} → ({} more) → {}",
                        path[..ROLE_PATH_SHOWN - tail].join(" → "),
                        path.len() - ROLE_PATH_SHOWN,
                        path[path.len() - tail..].join(" → ")
                    )
                } else {
                    path.join(" → ")
                },
                state_file.take().map_or(String::new(), |state| format!(
                    " (keepalived_state: {state})"
                ))
            )?;
        }
        if let Some(state) = state_file {
            writeln!(
                out,
                "  {:<12} {:<10} keepalived_state says {state}",
                node.name, ""
            )?;
        }
    }
    let shown: Vec<_> = report
        .checks
        .iter()
        .filter(|check| verbose || matches!(check.status, "fail" | "warn"))
        .collect();
    let hidden = |status: &str| {
        report
            .checks
            .iter()
            .filter(|check| check.status == status)
            .count()
    };
    if !report.checks.is_empty() {
        writeln!(out)?;
        let (passed, skipped) = (hidden("pass"), hidden("skipped"));
        if !verbose && shown.is_empty() {
            let said = if passed == 0 {
                format!(
                    "none could run ({skipped}): they read command output and configuration that \
                     esc-diag collect gathers from the nodes, which the input does not hold \
                     (--verbose lists them)"
                )
            } else {
                format!(
                    "none failed or warned ({passed} passed, {skipped} could not run; --verbose \
                     lists them)"
                )
            };
            write_under_head(out, &format!("{} ", "Checks:".bold()), 8, &said, WIDTH - 8)?;
        } else {
            writeln!(out, "{}", "Checks".bold())?;
        }
        if !verbose && !shown.is_empty() {
            writeln!(
                out,
                "  ({passed} passed and {skipped} that could not run are not listed; --verbose lists them)"
            )?;
        }
        let mut checks = shown;
        let rank = |status: &str| match status {
            "fail" => 0,
            "warn" => 1,
            "pass" => 2,
            _ => 3,
        };
        checks.sort_by_key(|check| rank(check.status));
        for check in checks {
            let status = format!("{:<7}", check.status.to_uppercase());
            let status = match check.status {
                "fail" => status.red().bold(),
                "warn" => status.yellow(),
                "pass" => status.green(),
                _ => status.dimmed(),
            };
            writeln!(
                out,
                "  {status} {:<24} {:<12} {}",
                check.id,
                check.node.as_deref().unwrap_or("(pair)"),
                check.detail
            )?;
            if let Some(remedy) = &check.remedy {
                let mut lines = textwrap(remedy, 86).into_iter();
                if let Some(first) = lines.next() {
                    writeln!(out, "          {} {first}", "remedy:".cyan())?;
                }
                for line in lines {
                    writeln!(out, "                  {line}")?;
                }
            }
        }
    }
    let not_checked = phrases::not_checked(report);
    if !not_checked.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "Not checked, or only in part".bold())?;
        for item in not_checked {
            write_under_head(out, "  - ", 4, &item, WIDTH - 4)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", phrases::coverage_sentence(report))
}

/// Writes `text` wrapped at `width` after `head` (which takes `indent` columns on screen, colours
/// aside), its further lines under the first.
fn write_under_head(
    out: &mut dyn Write,
    head: &str,
    indent: usize,
    text: &str,
    width: usize,
) -> io::Result<()> {
    let mut lines = textwrap(text, width).into_iter();
    writeln!(out, "{head}{}", lines.next().unwrap_or_default())?;
    for line in lines {
        writeln!(out, "{:indent$}{line}", "")?;
    }
    Ok(())
}

/// Splits text into lines of at most `width` characters at spaces.
fn textwrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// The evidence lines a finding shows in text, at most `shown`, in their order: where there are
/// more, a line that repeats one already chosen (the same node and program saying the same thing
/// at another time) gives way to one that says something else, so the lines after a burst of
/// repeats (the other node's, the change itself) are not cut off; repeats fill what room is left.
fn evidence_shown(evidence: &[EvidenceRecord], shown: usize) -> Vec<&EvidenceRecord> {
    if evidence.len() <= shown {
        return evidence.iter().collect();
    }
    let mut said: Vec<(&str, Option<&str>, &str)> = Vec::new();
    let mut first_of_kind = Vec::new();
    let mut repeats = Vec::new();
    for (position, line) in evidence.iter().enumerate() {
        // The program too: the VRRP process's `Stopped` is not the checker's.
        let program = line
            .program
            .as_deref()
            .map(|program| program.split('[').next().unwrap_or(program));
        let key = (line.node.as_str(), program, line.message.as_str());
        if said.contains(&key) {
            repeats.push(position);
        } else {
            said.push(key);
            first_of_kind.push(position);
        }
    }
    // Where the different lines are more than there is room for: the first ones and the last
    // one (the change itself, which the lines before it lead to).
    let mut chosen: Vec<usize> = if first_of_kind.len() > shown && shown >= 2 {
        let last = first_of_kind[first_of_kind.len() - 1];
        let mut chosen: Vec<usize> = first_of_kind.into_iter().take(shown - 1).collect();
        chosen.push(last);
        chosen
    } else {
        first_of_kind.into_iter().take(shown).collect()
    };
    let room = shown - chosen.len();
    chosen.extend(repeats.into_iter().take(room));
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|position| &evidence[position])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(node: &str, number: u64, message: &str) -> EvidenceRecord {
        EvidenceRecord {
            node: node.to_string(),
            file: "var/log/messages".to_string(),
            line: number,
            time: None,
            clock_offset_s: None,
            time_inferred: false,
            text: message.to_string(),
            program: None,
            message: message.to_string(),
        }
    }

    #[test]
    fn repeated_evidence_gives_way_to_lines_that_say_something_else() {
        let failing = "/usr/bin/killall -0 nginx exited with status 1";
        let evidence = vec![
            line("a", 1, failing),
            line("a", 2, failing),
            line("a", 3, "VRRP_Script(chk) failed"),
            line("a", 4, failing),
            line("a", 5, "Entering BACKUP STATE"),
            line("b", 1, "Entering MASTER STATE"),
        ];
        let lines = |shown| -> Vec<(String, u64)> {
            evidence_shown(&evidence, shown)
                .into_iter()
                .map(|line| (line.node.clone(), line.line))
                .collect()
        };
        // Room for the four different lines: the repeats go, the order stays.
        assert_eq!(
            lines(4),
            [("a", 1), ("a", 3), ("a", 5), ("b", 1)].map(|(node, line)| (node.to_string(), line))
        );
        // Room to spare: the earliest repeats fill it.
        assert_eq!(
            lines(5),
            [("a", 1), ("a", 2), ("a", 3), ("a", 5), ("b", 1)]
                .map(|(node, line)| (node.to_string(), line))
        );
        // Less room than different lines: the first ones and the last, in order.
        assert_eq!(
            lines(2),
            [("a", 1), ("b", 1)].map(|(node, line)| (node.to_string(), line))
        );
        assert_eq!(
            lines(3),
            [("a", 1), ("a", 3), ("b", 1)].map(|(node, line)| (node.to_string(), line))
        );
        assert_eq!(lines(6).len(), 6);
    }
}

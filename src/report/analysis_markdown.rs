//! The analysis as a ticket body in CommonMark (GitHub, GitLab, Jira and ServiceNow render it):
//! the summary line, the verdict, the state now, the findings with their evidence in fenced
//! blocks and their remedies, the failed checks, and what could not be checked. Short by design:
//! the JSON report carries the rest.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::analysis_json::{EvidenceRecord, Report};
use super::phrases;
use crate::bundle::parse_rfc3339;
use crate::timeline::format_clock;

/// Evidence lines shown per finding: fewer for information than for a problem.
const EVIDENCE_PROBLEM: usize = 6;
const EVIDENCE_INFO: usize = 2;
/// Lines of "not checked" listed before a count of the rest.
const NOT_CHECKED_SHOWN: usize = 8;

/// Escapes the characters CommonMark gives a meaning to inside running text. An underscore
/// between letters or digits (`esc_ha`) cannot open emphasis and stays as it is.
fn inline(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    let characters: Vec<char> = text.chars().collect();
    for (index, character) in characters.iter().copied().enumerate() {
        let intraword = character == '_'
            && index > 0
            && characters[index - 1].is_alphanumeric()
            && characters
                .get(index + 1)
                .is_some_and(|next| next.is_alphanumeric());
        if !intraword
            && matches!(
                character,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' | '&'
            )
        {
            escaped.push('\\');
        }
        escaped.push(if character.is_control() {
            ' '
        } else {
            character
        });
    }
    escaped
}

/// A fence longer than any run of backticks in the block.
fn fence(lines: &[String]) -> String {
    let longest = lines
        .iter()
        .map(|line| {
            line.split(|character| character != '`')
                .map(str::len)
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn clock(value: Option<&str>, dated: bool) -> Option<String> {
    value
        .and_then(parse_rfc3339)
        .map(|time| format_clock(time, dated))
}

fn evidence_lines(evidence: &[EvidenceRecord], shown: usize, dated: bool) -> Vec<String> {
    let mut lines: Vec<String> = evidence
        .iter()
        .take(shown)
        .map(|record| {
            let marker = if record.clock_offset_s.is_some() {
                "*"
            } else if record.time_inferred {
                "~"
            } else {
                " "
            };
            let file = record.file.strip_prefix("var/log/").unwrap_or(&record.file);
            format!(
                "{}{marker} {} {file}:{}  {}",
                clock(record.time.as_deref(), dated).unwrap_or_else(|| "-".to_string()),
                record.node,
                record.line,
                record.text.replace(char::is_control, " ")
            )
        })
        .collect();
    if evidence.len() > shown {
        lines.push(format!(
            "... {} more in the JSON report",
            phrases::counted((evidence.len() - shown) as u64, "line")
        ));
    }
    lines
}

/// Writes the ticket body.
pub fn write(out: &mut dyn Write, report: &Report, dated: bool) -> io::Result<()> {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "## {}: {}\n",
        report.verdict.status.to_uppercase(),
        inline(&report.verdict.headline)
    );
    let mut meta = vec![format!("`{}`", report.summary.replace('`', "'"))];
    if let Some(collected) = &report.collected_at {
        meta.push(match &report.collected_by {
            Some(by) => format!("collected {collected} on {}", inline(by)),
            None => format!("collected {collected}"),
        });
    }
    meta.push(format!("esc-diag {}", report.tool_version));
    let _ = writeln!(text, "{}\n", meta.join(" · "));

    // The state now: a row per VRRP instance, then DRBD and ESC per node.
    if !report.state_now.is_empty() {
        text.push_str(
            "### State now\n\n| Instance | MASTER | BACKUP | Other |\n|---|---|---|---|\n",
        );
        for now in &report.state_now {
            let phrases = phrases::instance_now(report, now);
            let others = phrases.others;
            let cell = |names: &[String]| {
                if names.is_empty() && phrases.one_side {
                    "not in these logs".to_string()
                } else if names.is_empty() {
                    "none".to_string()
                } else {
                    inline(&names.join(", "))
                }
            };
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} |",
                inline(&now.instance),
                cell(&now.masters),
                cell(&now.backups),
                inline(&others.join(", "))
            );
        }
        text.push('\n');
    }
    let node_states: Vec<String> = report
        .nodes
        .iter()
        .filter_map(|node| {
            let parts = phrases::node_now(node);
            (!parts.is_empty())
                .then(|| format!("- {}: {}", inline(&node.name), inline(&parts.join("; "))))
        })
        .collect();
    if !node_states.is_empty() {
        if report.state_now.is_empty() {
            text.push_str("### State now\n\n");
        }
        for line in node_states {
            let _ = writeln!(text, "{line}");
        }
        text.push('\n');
    }

    text.push_str("### Findings\n\n");
    if report.findings.is_empty() {
        let _ = writeln!(text, "{}\n", phrases::no_findings(report));
    }
    for (finding, words) in report
        .findings
        .iter()
        .zip(phrases::shown_words(&report.findings))
    {
        let _ = writeln!(
            text,
            "#### {}: {}\n",
            finding.severity.to_uppercase(),
            inline(&finding.title)
        );
        let facts = phrases::finding_facts(finding, dated);
        let mut paragraph = inline(&facts.join(" · "));
        if !words.explanation.is_empty() {
            if !paragraph.is_empty() {
                paragraph.push_str(". ");
            }
            paragraph.push_str(&inline(&words.explanation));
        }
        if !paragraph.is_empty() {
            let _ = writeln!(text, "{paragraph}\n");
        }
        let shown = if finding.severity == "info" {
            EVIDENCE_INFO
        } else {
            EVIDENCE_PROBLEM
        };
        let lines = evidence_lines(&finding.evidence, shown, dated);
        if !lines.is_empty() {
            let fence = fence(&lines);
            let _ = writeln!(text, "{fence}text\n{}\n{fence}\n", lines.join("\n"));
        }
        // A remedy's paragraphs stay paragraphs, the first labelled.
        for (index, paragraph) in words
            .remedy
            .split("\n\n")
            .filter(|paragraph| !paragraph.trim().is_empty())
            .enumerate()
        {
            let label = if index == 0 { "**Remedy:** " } else { "" };
            let _ = writeln!(text, "{label}{}\n", inline(paragraph.trim()));
        }
    }

    let failed: Vec<_> = report
        .checks
        .iter()
        .filter(|check| matches!(check.status, "fail" | "warn"))
        .collect();
    if !failed.is_empty() {
        text.push_str("### Failed checks\n\n| Status | Check | Node | Detail | Remedy |\n|---|---|---|---|---|\n");
        for check in failed {
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} | {} |",
                check.status.to_uppercase(),
                inline(&check.id),
                inline(check.node.as_deref().unwrap_or("(pair)")),
                inline(&check.detail),
                inline(check.remedy.as_deref().unwrap_or(""))
            );
        }
        text.push('\n');
    }

    let not_checked = phrases::not_checked(report);
    let skipped = report
        .checks
        .iter()
        .filter(|check| check.status == "skipped")
        .count();
    if !not_checked.is_empty() || skipped > 0 {
        text.push_str("### Not checked, or only in part\n\n");
        for line in not_checked.iter().take(NOT_CHECKED_SHOWN) {
            let _ = writeln!(text, "- {}", inline(line));
        }
        if not_checked.len() > NOT_CHECKED_SHOWN {
            let _ = writeln!(
                text,
                "- and {} more (see the JSON report)",
                not_checked.len() - NOT_CHECKED_SHOWN
            );
        }
        if skipped > 0 {
            let _ = writeln!(
                text,
                "- {skipped} checks could not run: what they read (command output, configuration that esc-diag collect gathers) is not in the input"
            );
        }
        text.push('\n');
    }
    let _ = writeln!(text, "{}", phrases::coverage_sentence(report));
    out.write_all(text.as_bytes())
}

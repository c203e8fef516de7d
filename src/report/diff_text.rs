//! `esc-diag diff` for people: one line saying how many changes, the two sides, then the changes
//! grouped by area (verdict, who is MASTER, configuration, network, checks, findings), each as
//! `node subject item  before → after`.

use std::io::{self, Write};

use colored::Colorize;

use super::diff_json::{DiffReport, SideRecord};
use super::phrases::counted;

fn side(label: &str, side: &SideRecord) -> String {
    let mut facts = vec![side.verdict.to_string()];
    if let Some(collected) = &side.collected_at {
        facts.push(format!("collected {collected}"));
    }
    if !side.nodes.is_empty() {
        facts.push(side.nodes.join(", "));
    }
    format!("  {label} {} ({})", side.input, facts.join(", "))
}

/// Writes the text diff.
pub fn write(out: &mut dyn Write, report: &DiffReport) -> io::Result<()> {
    let count = report.changes.len();
    if count == 0 {
        writeln!(out, "{}  nothing relevant changed", "SAME".green().bold())?;
    } else {
        writeln!(
            out,
            "{}  {} from before to after",
            "CHANGED".yellow().bold(),
            counted(count as u64, "change")
        )?;
    }
    writeln!(out, "{}", side("before:", &report.before))?;
    writeln!(out, "{}", side("after: ", &report.after))?;
    // Places and items line up across the whole diff.
    let place_of = |change: &super::diff_json::ChangeRecord| -> String {
        [change.node.as_deref(), change.subject.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let settings = report
        .changes
        .iter()
        .filter(|change| change.area != "findings");
    let place_width = settings
        .clone()
        .map(|change| place_of(change).chars().count())
        .max()
        .unwrap_or(0);
    let item_width = settings
        .map(|change| change.item.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let mut area = "";
    for change in &report.changes {
        if change.area != area {
            area = change.area;
            writeln!(out)?;
            writeln!(out, "{}", title(area).bold())?;
        }
        if change.area == "findings" {
            let (sign, finding) = match (&change.before, &change.after) {
                (None, Some(finding)) => ("+ new ", finding),
                (Some(finding), _) => ("- gone", finding),
                (None, None) => continue,
            };
            writeln!(out, "  {sign} {finding}")?;
            writeln!(out, "         {}", change.item.dimmed())?;
            continue;
        }
        let show = |value: &Option<String>| match value {
            Some(value) if value.is_empty() => "(empty)".to_string(),
            Some(value) => value.clone(),
            None => "(none)".to_string(),
        };
        writeln!(
            out,
            "  {:place_width$}  {:item_width$}  {} → {}",
            place_of(change),
            change.item,
            show(&change.before),
            show(&change.after)
        )?;
    }
    if !report.unread.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", "Not compared".bold())?;
        for unread in &report.unread {
            writeln!(out, "  - {} {}: {}", unread.node, unread.file, unread.why)?;
        }
    }
    Ok(())
}

/// An area's heading (the JSON names them in lower case).
fn title(area: &str) -> &'static str {
    match area {
        "verdict" => "Verdict",
        "master" => "Who is MASTER",
        "nodes" => "Nodes",
        "keepalived" => "keepalived.conf",
        "esc-config" => "esc-config.yaml",
        "drbd" => "DRBD configuration",
        "addresses" => "Addresses",
        "routes" => "Routes",
        "checks" => "Checks",
        "findings" => "Findings",
        _ => "Other",
    }
}

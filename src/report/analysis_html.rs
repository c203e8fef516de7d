//! The analysis as one self-contained HTML page: the verdict, the state now and the findings at the
//! top, both nodes' swimlanes on one time axis (SVG drawn here, so it reads without JavaScript; an
//! inline script adds zoom, pan and the evidence of a clicked marker), the split-brain windows, the
//! transitions, the checks, and the merged timeline as a table with a column per node. Nothing is
//! fetched from anywhere: the page carries a Content-Security-Policy that forbids it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use super::analysis_json::{EvidenceRecord, Report};
use super::phrases;
use super::swimlanes::{LaneKind, Swimlanes, state_class};
use crate::bundle::parse_rfc3339;
use crate::rules::Analysis;
use crate::sources::EventKind;
use crate::timeline::{Timeline, format_clock};

/// The SVG's user units: the whole drawing, the label column, the plot area.
const SVG_WIDTH: f64 = 1200.0;
const PLOT_X: f64 = 200.0;
const PLOT_WIDTH: f64 = 980.0;
const AXIS_HEIGHT: f64 = 30.0;
const LANE_HEIGHT: f64 = 28.0;
const LANE_GAP: f64 = 4.0;
/// Extra space between one node's lanes and the next node's.
const NODE_GAP: f64 = 10.0;
/// The narrowest a window known at one instant is drawn.
const MIN_WINDOW_WIDTH: f64 = 3.0;
/// A label's width per character at the lanes' font size (the script measures the real one).
const LABEL_CHAR_WIDTH: f64 = 5.6;

/// Bounds that keep the page small whatever the input: rows of the event table, transitions
/// listed and drawn, evidence lines per finding.
pub const MAX_TABLE_ROWS: usize = 2000;
pub const MAX_TRANSITIONS: usize = 2000;
pub const MAX_EVIDENCE: usize = 40;
/// Evidence lines shown before the rest fold under a "more lines" summary.
const EVIDENCE_OPEN: usize = 6;

/// HTML-escapes text for element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            // Control characters from a damaged log are shown, not passed on.
            control if control.is_control() && control != '\n' && control != '\t' => {
                escaped.push('\u{FFFD}')
            }
            other => escaped.push(other),
        }
    }
    escaped
}

fn millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

/// Maps instants to x in the plot area.
struct Axis {
    start: i64,
    end: i64,
}

impl Axis {
    fn new(first: DateTime<Utc>, last: DateTime<Utc>) -> Axis {
        // A little room on both sides, and at least a second of axis.
        let (first, last) = (millis(first), millis(last));
        let pad = ((last - first) / 50).max(500);
        Axis {
            start: first - pad,
            end: last + pad,
        }
    }

    fn x(&self, time: i64) -> f64 {
        let span = (self.end - self.start).max(1) as f64;
        (PLOT_X + (time - self.start) as f64 / span * PLOT_WIDTH).clamp(PLOT_X, PLOT_X + PLOT_WIDTH)
    }

    /// Open ends reach the axis' ends.
    fn bounds(&self, start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> (i64, i64) {
        (
            start.map_or(self.start, millis).clamp(self.start, self.end),
            end.map_or(self.end, millis).clamp(self.start, self.end),
        )
    }
}

/// Tick steps for the time axis, in milliseconds; the script has the same list.
const TICK_STEPS_MS: [i64; 20] = [
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    86_400_000,
    172_800_000,
    604_800_000,
];

/// Ticks for a span: at most 10, on round instants.
fn ticks(start: i64, end: i64) -> (i64, Vec<i64>) {
    let span = end - start;
    let step = TICK_STEPS_MS
        .iter()
        .copied()
        .find(|step| span / step <= 10)
        .unwrap_or(604_800_000);
    let first = start.div_euclid(step) * step + if start.rem_euclid(step) == 0 { 0 } else { step };
    let mut ticks = Vec::new();
    let mut tick = first;
    while tick <= end && ticks.len() < 12 {
        ticks.push(tick);
        tick += step;
    }
    (step, ticks)
}

fn tick_label(tick: i64, step: i64, dated: bool) -> String {
    let Some(time) = DateTime::<Utc>::from_timestamp_millis(tick) else {
        return String::new();
    };
    if step >= 86_400_000 {
        time.format("%Y-%m-%d").to_string()
    } else if dated {
        time.format(if step >= 60_000 {
            "%m-%d %H:%M"
        } else {
            "%m-%d %H:%M:%S"
        })
        .to_string()
    } else if step >= 60_000 {
        time.format("%H:%M").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    }
}

const STYLE: &str = r#"
:root { --master: #8bc98e; --backup: #90c2ee; --fault: #ef8f8f; --stop: #c4c4c4; --unknown: #eeeeee;
  --primary: #f6c177; --secondary: #b7e0f5; --running: #c5e1a5; --stopped: #dddddd; --split: #d32f2f; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
  max-width: 1240px; padding: 16px 20px 40px; color: #1d1d1d; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px;
  border-bottom: 1px solid #ddd; padding-bottom: 3px; } h3 { font-size: 15px; margin: 0 0 4px; }
.status { display: inline-block; padding: 1px 8px; border-radius: 3px; color: #fff; margin-right: 6px; }
.status-split-brain { background: #c62828; } .status-failover, .status-degraded { background: #ef6c00; }
.status-healthy { background: #2e7d32; } .status-unknown { background: #616161; }
.meta { color: #555; font-size: 12.5px; }
.now { margin: 8px 0; } .now li { margin: 2px 0; }
article.finding { border-left: 4px solid #999; padding: 6px 12px; margin: 12px 0; background: #fafafa; }
article.sev-critical { border-color: #b71c1c; } article.sev-error { border-color: #e53935; }
article.sev-warning { border-color: #f9a825; } article.sev-info { border-color: #90a4ae; }
.sev { font-weight: 600; text-transform: uppercase; font-size: 12px; margin-right: 6px; }
.sev-critical .sev, .sev-error .sev { color: #b71c1c; } .sev-warning .sev { color: #a66d00; }
pre.evidence { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; background: #fff;
  border: 1px solid #e3e3e3; padding: 6px 8px; overflow-x: auto; white-space: pre-wrap;
  word-break: break-all; margin: 6px 0; }
.where { color: #666; } .remedy { margin: 4px 0; } .remedy b { color: #00695c; }
.controls { display: none; gap: 6px; align-items: center; margin: 6px 0; }
.controls button { font: inherit; padding: 2px 10px; }
#lanes { width: 100%; height: auto; border: 1px solid #e0e0e0; background: #fff; user-select: none; }
#lanes text { font: 11px system-ui, sans-serif; fill: #222; }
#lanes .lane-label { font-weight: 600; } #lanes .lane-sub { fill: #666; font-weight: 400; }
#lanes .tick line { stroke: #e6e6e6; } #lanes .tick text { fill: #555; font-size: 10.5px; }
#lanes .seg { stroke: #fff; stroke-width: 0.5; }
#lanes .inferred { opacity: 0.6; } #lanes .silent { opacity: 0.3; } #lanes .open-start, #lanes .open-end { opacity: 0.75; }
.s-MASTER { fill: var(--master); } .s-BACKUP { fill: var(--backup); } .s-FAULT { fill: var(--fault); }
.s-STOP { fill: var(--stop); } .s-UNKNOWN { fill: var(--unknown); } .s-PRIMARY { fill: var(--primary); }
.s-SECONDARY { fill: var(--secondary); } .s-RUNNING { fill: var(--running); }
.s-STOPPED { fill: var(--stopped); } .s-FLAPPING { fill: url(#flap-hatch); }
#lanes .blind { fill: url(#hatch); }
#lanes .split-brain { fill: url(#split-hatch); stroke: var(--split); stroke-width: 1.5; }
#lanes .split-label { fill: #b71c1c; font-weight: 600; }
#lanes .marker path { fill: #222; } #lanes .marker text { font-size: 10px; }
#lanes .marker.label-hidden text { display: none; }
#lanes a { cursor: pointer; } #lanes a:hover path { fill: #d32f2f; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; color: #444; margin: 4px 0; }
.legend span.swatch::before { content: ""; display: inline-block; width: 12px; height: 12px;
  margin-right: 4px; vertical-align: -2px; background: var(--c); border: 1px solid #bbb; }
#detail { border: 1px solid #c9c9c9; background: #fffdf3; padding: 8px 12px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { border-bottom: 1px solid #eee; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.line { font: 11.5px/1.35 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; word-break: break-all; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
#filters { display: none; border: 1px solid #ddd; padding: 6px 10px; margin: 6px 0; }
#filters label { margin-right: 10px; white-space: nowrap; }
.note { color: #555; font-style: italic; }
tr.check-fail td:first-child { color: #b71c1c; font-weight: 600; }
tr.check-warn td:first-child { color: #a66d00; font-weight: 600; }
@page { size: A4 landscape; margin: 10mm; }
@media print { body { max-width: none; padding: 0; } .controls, #filters, #detail { display: none !important; }
  article.finding, tr { break-inside: avoid; } th { position: static; } }
"#;

/// Zoom, pan, the evidence of a clicked marker or window, the table's filters.
const SCRIPT: &str = r##"
(function () {
  "use strict";
  var STEPS = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5,
    216e5, 432e5, 864e5, 1728e5, 6048e5];
  var svg = document.getElementById("lanes");
  if (svg) {
    var t0 = +svg.dataset.start, t1 = +svg.dataset.end;
    var px = +svg.dataset.plotX, pw = +svg.dataset.plotWidth, dated = svg.dataset.dated === "true";
    var v0 = t0, v1 = t1, minSpan = 1000;
    var x = function (t) { return Math.min(px + pw, Math.max(px, px + (t - v0) / (v1 - v0) * pw)); };
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var label = function (t, step) {
      var d = new Date(t), day = d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
      var hm = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
      if (step >= 864e5) return day;
      var text = step >= 6e4 ? hm : hm + ":" + pad(d.getUTCSeconds());
      return dated ? day.slice(5) + " " + text : text;
    };
    var axis = svg.querySelector("#axis"), height = +svg.dataset.lanesBottom;
    var layout = function () {
      svg.querySelectorAll("rect[data-start]").forEach(function (r) {
        var a = x(+r.dataset.start), b = x(+r.dataset.end), min = +(r.dataset.minWidth || 0);
        var w = Math.max(b - a, min);
        if (a + w > px + pw) a = Math.max(px, px + pw - w);
        r.setAttribute("x", a.toFixed(2)); r.setAttribute("width", w.toFixed(2));
      });
      svg.querySelectorAll("[data-time]").forEach(function (m) {
        var t = +m.dataset.time, inside = t >= v0 && t <= v1;
        m.setAttribute("transform", "translate(" + x(t).toFixed(2) + "," + m.dataset.y + ")");
        m.style.display = inside ? "" : "none";
      });
      var lanes = {};
      svg.querySelectorAll(".marker[data-time]").forEach(function (m) {
        if (m.style.display === "none") return;
        (lanes[m.dataset.lane] = lanes[m.dataset.lane] || []).push(m);
      });
      Object.keys(lanes).forEach(function (k) {
        var list = lanes[k].sort(function (a, b) { return a.dataset.time - b.dataset.time; });
        list.forEach(function (m, i) {
          var text = m.querySelector("text"), width = text ? text.getComputedTextLength() : 0;
          var limit = i + 1 < list.length ? x(+list[i + 1].dataset.time) : px + pw;
          m.classList.toggle("label-hidden", x(+m.dataset.time) + 4 + width > limit - 2);
        });
      });
      svg.querySelectorAll(".split-label").forEach(function (l) {
        if (x(+l.dataset.time) > px + pw - 90) l.setAttribute("text-anchor", "end"); else l.removeAttribute("text-anchor");
      });
      svg.dataset.viewStart = v0; svg.dataset.viewEnd = v1;
      while (axis.firstChild) axis.removeChild(axis.firstChild);
      var span = v1 - v0, step = STEPS[STEPS.length - 1];
      for (var i = 0; i < STEPS.length; i++) { if (span / STEPS[i] <= 10) { step = STEPS[i]; break; } }
      var ns = "http://www.w3.org/2000/svg";
      for (var t = Math.ceil(v0 / step) * step, n = 0; t <= v1 && n < 12; t += step, n++) {
        var g = document.createElementNS(ns, "g"), line = document.createElementNS(ns, "line");
        var text = document.createElementNS(ns, "text"), tx = x(t);
        g.setAttribute("class", "tick");
        line.setAttribute("x1", tx); line.setAttribute("x2", tx);
        line.setAttribute("y1", 22); line.setAttribute("y2", height);
        text.setAttribute("x", tx); text.setAttribute("y", 16); text.setAttribute("text-anchor", "middle");
        text.textContent = label(t, step);
        g.appendChild(line); g.appendChild(text); axis.appendChild(g);
      }
      var range = document.getElementById("range");
      if (range) {
        range.textContent = "showing " + label(v0, 1000) + " \u2013 " + label(v1, 1000) + " UTC" +
          (v0 > t0 || v1 < t1 ? " of " + label(t0, 1000) + " \u2013 " + label(t1, 1000) : "");
      }
    };
    var zoom = function (factor, at) {
      var span = Math.min(t1 - t0, Math.max(minSpan, (v1 - v0) * factor));
      var anchor = at === undefined ? (v0 + v1) / 2 : at, share = (anchor - v0) / (v1 - v0);
      v0 = anchor - span * share; v1 = v0 + span;
      if (v0 < t0) { v1 += t0 - v0; v0 = t0; }
      if (v1 > t1) { v0 -= v1 - t1; v1 = t1; }
      layout();
    };
    var toTime = function (event) {
      var box = svg.getBoundingClientRect(), scale = +svg.viewBox.baseVal.width / box.width;
      return v0 + ((event.clientX - box.left) * scale - px) / pw * (v1 - v0);
    };
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      zoom(event.deltaY < 0 ? 0.8 : 1.25, toTime(event));
    }, { passive: false });
    var drag = null;
    svg.addEventListener("mousedown", function (event) { drag = { x: event.clientX, v0: v0, v1: v1, moved: false }; });
    window.addEventListener("mousemove", function (event) {
      if (!drag) return;
      var box = svg.getBoundingClientRect(), scale = +svg.viewBox.baseVal.width / box.width;
      var shift = (event.clientX - drag.x) * scale / pw * (drag.v1 - drag.v0);
      if (Math.abs(event.clientX - drag.x) > 3) drag.moved = true;
      v0 = drag.v0 - shift; v1 = drag.v1 - shift;
      if (v0 < t0) { v1 += t0 - v0; v0 = t0; }
      if (v1 > t1) { v0 -= v1 - t1; v1 = t1; }
      layout();
    });
    window.addEventListener("mouseup", function () { setTimeout(function () { drag = null; }, 0); });
    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var what = button.dataset.zoom;
        if (what === "reset") { v0 = t0; v1 = t1; layout(); } else zoom(what === "in" ? 0.5 : 2);
      });
    });
    var detail = document.getElementById("detail");
    svg.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        if (drag && drag.moved) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target || !detail) return;
        detail.innerHTML = "";
        var title = document.createElement("h3");
        title.textContent = target.dataset.title || "";
        detail.appendChild(title);
        var blocks = target.querySelectorAll("pre.evidence");
        if (blocks.length === 0) {
          var pre = document.createElement("pre");
          pre.className = "evidence";
          pre.textContent = Array.prototype.map.call(target.cells || [], function (cell) { return cell.textContent; }).join("  ");
          blocks = [pre];
        }
        Array.prototype.forEach.call(blocks, function (pre) { detail.appendChild(pre.cloneNode(true)); });
        var more = document.createElement("a");
        more.href = "#" + target.id; more.textContent = "where it is in the report";
        detail.appendChild(more);
        detail.hidden = false;
      });
    });
    document.querySelector(".controls").style.display = "flex";
    // Open on the incident when it is a small part of the span: the incident and as much again on
    // each side (at least 10 s); "Whole span" shows everything.
    var f0 = +svg.dataset.focusStart, f1 = +svg.dataset.focusEnd;
    if (svg.dataset.focusStart && f1 >= f0) {
      var context = Math.max(10000, f1 - f0);
      var a = Math.max(t0, f0 - context), b = Math.min(t1, f1 + context);
      if (b - a < (t1 - t0) / 2) { v0 = a; v1 = b; }
    }
    layout();
  }
  var filters = document.getElementById("filters"), table = document.getElementById("events");
  if (filters && table) {
    filters.style.display = "block";
    var apply = function () {
      var off = {};
      filters.querySelectorAll("input").forEach(function (box) { if (!box.checked) off[box.name + ":" + box.value] = true; });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = off["kind:" + row.dataset.kind] || off["node:" + row.dataset.node] || false;
      });
    };
    filters.addEventListener("change", apply);
    apply();
  }
})();
"##;

/// Writes the page.
pub fn write(
    out: &mut dyn Write,
    report: &Report,
    analysis: &Analysis,
    timeline: &Timeline,
    dated: bool,
) -> io::Result<()> {
    let mut page = String::with_capacity(64 * 1024);
    let status = report.verdict.status;
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"esc-diag {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n",
        report.tool_version,
        escape(&report.summary)
    );
    // The verdict and the state now.
    let _ = write!(
        page,
        "<header>\n<h1><span class=\"status status-{}\">{}</span>{}</h1>\n<p class=\"meta\">{}</p>\n",
        escape(status),
        escape(&status.to_uppercase()),
        escape(&report.verdict.headline),
        escape(&meta_line(report))
    );
    write_state_now(&mut page, report);
    page.push_str("</header>\n");

    let lanes = Swimlanes::new(report, analysis, timeline);
    write_findings(&mut page, report, dated);
    write_lanes(&mut page, report, &lanes, dated);
    write_split_brain(&mut page, report, dated);
    write_transitions(&mut page, report, dated);
    write_checks(&mut page, report);
    write_not_checked(&mut page, report);
    write_events(&mut page, report, timeline, dated);
    let _ = write!(
        page,
        "<footer class=\"meta\"><p>{} \
         Made by esc-diag {} at {}.</p></footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        escape(&phrases::coverage_sentence(report)),
        report.tool_version,
        escape(&report.generated_at)
    );
    out.write_all(page.as_bytes())
}

fn meta_line(report: &Report) -> String {
    let mut parts = vec![report.summary.clone()];
    if let Some(collected) = &report.collected_at {
        parts.push(match &report.collected_by {
            Some(by) => format!("collected {collected} on {by}"),
            None => format!("collected {collected}"),
        });
    }
    parts.push(format!("input: {}", report.input.join(", ")));
    parts.join(" · ")
}

fn write_state_now(page: &mut String, report: &Report) {
    let mut items = Vec::new();
    for now in &report.state_now {
        let phrases = phrases::instance_now(report, now);
        let mut line = format!(
            "<b>{}</b>: {}; {}",
            escape(&now.instance),
            phrases.masters,
            escape(&phrases.standby)
        );
        for other in &phrases.others {
            let _ = write!(line, "; {}", escape(other));
        }
        items.push(line);
    }
    for node in &report.nodes {
        let parts = phrases::node_now(node);
        if !parts.is_empty() {
            items.push(format!(
                "<b>{}</b>: {}",
                escape(&node.name),
                escape(&parts.join("; "))
            ));
        }
    }
    if items.is_empty() {
        return;
    }
    page.push_str("<ul class=\"now\">\n");
    for item in items {
        let _ = writeln!(page, "<li>Now: {item}</li>");
    }
    page.push_str("</ul>\n");
}

/// Evidence lines as a block: time, node, file:line, and the raw line.
fn evidence_block(page: &mut String, evidence: &[EvidenceRecord], dated: bool) {
    if evidence.is_empty() {
        return;
    }
    page.push_str("<pre class=\"evidence\">");
    for (index, record) in evidence.iter().take(MAX_EVIDENCE).enumerate() {
        if index == EVIDENCE_OPEN && evidence.len() > EVIDENCE_OPEN + 1 {
            let _ = write!(
                page,
                "</pre>\n<details><summary>{} more</summary><pre class=\"evidence\">",
                phrases::counted((evidence.len() - EVIDENCE_OPEN) as u64, "line")
            );
        }
        let time = record
            .time
            .as_deref()
            .and_then(parse_rfc3339)
            .map_or_else(|| "-".to_string(), |time| format_clock(time, dated));
        let marker = if record.clock_offset_s.is_some() {
            "*"
        } else if record.time_inferred {
            "~"
        } else {
            " "
        };
        let _ = writeln!(
            page,
            "<span class=\"where\">{time}{marker} {} {}:{}</span>  {}",
            escape(&record.node),
            escape(&record.file),
            record.line,
            escape(&record.text)
        );
    }
    if evidence.len() > MAX_EVIDENCE {
        let _ = writeln!(
            page,
            "… {} more (the JSON report has them all)",
            phrases::counted((evidence.len() - MAX_EVIDENCE) as u64, "line")
        );
    }
    page.push_str("</pre>\n");
    if evidence.len() > EVIDENCE_OPEN + 1 {
        page.push_str("</details>\n");
    }
}

/// A remedy's paragraphs, the first labelled.
fn remedy_paragraphs(page: &mut String, remedy: &str) {
    for (index, paragraph) in remedy
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .enumerate()
    {
        let label = if index == 0 { "<b>Remedy:</b> " } else { "" };
        let _ = writeln!(
            page,
            "<p class=\"remedy\">{label}{}</p>",
            escape(paragraph.trim())
        );
    }
}

fn write_findings(page: &mut String, report: &Report, dated: bool) {
    page.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        let _ = writeln!(page, "<p>{}</p>", escape(&phrases::no_findings(report)));
    }
    for (finding, words) in report
        .findings
        .iter()
        .zip(phrases::shown_words(&report.findings))
    {
        let _ = write!(
            page,
            "<article class=\"finding sev-{}\" id=\"f-{}\" data-title=\"{}\">\n<h3><span class=\"sev\">{}</span>{}</h3>\n",
            finding.severity,
            escape(&finding.id),
            escape(&finding.title),
            finding.severity,
            escape(&finding.title)
        );
        let facts = phrases::finding_facts(finding, dated);
        if !facts.is_empty() {
            let _ = writeln!(page, "<p class=\"meta\">{}</p>", escape(&facts.join(" · ")));
        }
        // One paragraph per paragraph of the explanation (an incident's several causes, the
        // stretch without a MASTER).
        for paragraph in words
            .explanation
            .split("\n\n")
            .map(str::trim)
            .filter(|paragraph| !paragraph.is_empty())
        {
            let _ = writeln!(page, "<p>{}</p>", escape(paragraph));
        }
        evidence_block(page, &finding.evidence, dated);
        remedy_paragraphs(page, words.remedy);
        if !finding.references.is_empty() {
            let links: Vec<String> = finding
                .references
                .iter()
                .map(|reference| escape(reference))
                .collect();
            // Shown as text: the page makes no request and links nowhere by itself.
            let _ = writeln!(page, "<p class=\"meta\">See: {}</p>", links.join(" · "));
        }
        page.push_str("</article>\n");
    }
    page.push_str("</section>\n");
}

fn write_lanes(page: &mut String, report: &Report, lanes: &Swimlanes, dated: bool) {
    page.push_str("<section id=\"roles\">\n<h2>Roles over time</h2>\n");
    let Some((first, last)) = lanes.axis else {
        page.push_str("<p>No dated event: nothing to draw on a time axis.</p>\n</section>\n");
        return;
    };
    if lanes.lanes.is_empty() {
        page.push_str("<p>No VRRP instance, DRBD role or ESC service change in the logs.</p>\n");
    }
    let axis = Axis::new(first, last);
    // Lane positions: nodes one under the other, a gap between nodes.
    let mut tops = Vec::with_capacity(lanes.lanes.len());
    let mut y = AXIS_HEIGHT;
    for (index, lane) in lanes.lanes.iter().enumerate() {
        if index > 0 && lanes.lanes[index - 1].node != lane.node {
            y += NODE_GAP;
        }
        tops.push(y);
        y += LANE_HEIGHT + LANE_GAP;
    }
    let bottom = y;
    let height = bottom + 26.0;
    // What the page opens on (with the script): the verdict's incident.
    let focus = match (
        report.verdict.start.as_deref().and_then(parse_rfc3339),
        report.verdict.end.as_deref().and_then(parse_rfc3339),
    ) {
        (Some(start), end) => format!(
            " data-focus-start=\"{}\" data-focus-end=\"{}\"",
            millis(start),
            millis(end.unwrap_or(start))
        ),
        _ => String::new(),
    };
    let _ = write!(
        page,
        "<div class=\"controls\"><button type=\"button\" data-zoom=\"in\">Zoom in</button>\
         <button type=\"button\" data-zoom=\"out\">Zoom out</button>\
         <button type=\"button\" data-zoom=\"reset\">Whole span</button>\
         <span class=\"meta\">wheel to zoom, drag to pan, click a marker or window for its evidence · <span id=\"range\"></span></span></div>\n\
         <svg id=\"lanes\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {SVG_WIDTH} {height}\" \
         data-start=\"{}\" data-end=\"{}\" data-plot-x=\"{PLOT_X}\" data-plot-width=\"{PLOT_WIDTH}\" \
         data-lanes-bottom=\"{bottom}\" data-dated=\"{dated}\"{focus} role=\"img\" aria-label=\"{}\">\n\
         <defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f7f7f7\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a9a9a\" stroke-width=\"2\"/></pattern>\
         <pattern id=\"split-hatch\" patternUnits=\"userSpaceOnUse\" width=\"7\" height=\"7\" \
         patternTransform=\"rotate(-45)\"><rect width=\"7\" height=\"7\" fill=\"rgba(211,47,47,0.12)\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"rgba(198,40,40,0.75)\" stroke-width=\"2\"/></pattern>\
         <pattern id=\"flap-hatch\" patternUnits=\"userSpaceOnUse\" width=\"4\" height=\"4\">\
         <rect width=\"2\" height=\"4\" fill=\"#8bc98e\"/><rect x=\"2\" width=\"2\" height=\"4\" fill=\"#90c2ee\"/></pattern>\
         <clipPath id=\"plot\"><rect x=\"{PLOT_X}\" y=\"0\" width=\"{PLOT_WIDTH}\" height=\"{height}\"/></clipPath></defs>\n",
        axis.start,
        axis.end,
        escape(&format!(
            "The roles of {} over time",
            report
                .nodes
                .iter()
                .map(|node| node.name.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        ))
    );
    // The time axis (the script redraws it on zoom).
    page.push_str("<g id=\"axis\">");
    let (step, tick_list) = ticks(axis.start, axis.end);
    for tick in tick_list {
        let x = axis.x(tick);
        let _ = write!(
            page,
            "<g class=\"tick\"><line x1=\"{x:.2}\" x2=\"{x:.2}\" y1=\"22\" y2=\"{bottom}\"/>\
             <text x=\"{x:.2}\" y=\"16\" text-anchor=\"middle\">{}</text></g>",
            tick_label(tick, step, dated)
        );
    }
    page.push_str("</g>\n");
    // Lanes: label, then the state segments clipped to the plot.
    for (index, lane) in lanes.lanes.iter().enumerate() {
        let top = tops[index];
        let _ = write!(
            page,
            "<g class=\"lane\" data-node=\"{}\" data-lane=\"{}\" data-kind=\"{}\">\
             <text class=\"lane-label\" x=\"6\" y=\"{:.1}\">{}<tspan class=\"lane-sub\"> {}</tspan></text>\
             <g clip-path=\"url(#plot)\">",
            escape(&lane.node),
            escape(&lane.label),
            lane.kind.name(),
            top + LANE_HEIGHT / 2.0 + 4.0,
            escape(&lane.node),
            escape(&lane.label)
        );
        let _ = write!(
            page,
            "<rect class=\"seg s-UNKNOWN\" x=\"{PLOT_X}\" y=\"{top}\" width=\"{PLOT_WIDTH}\" height=\"{LANE_HEIGHT}\"/>"
        );
        for segment in &lane.segments {
            let (start, end) = axis.bounds(segment.start, segment.end);
            let (left, right) = (axis.x(start), axis.x(end));
            let mut classes = format!("seg s-{}", state_class(&segment.state));
            if segment.inferred {
                classes.push_str(" inferred");
            }
            if segment.start.is_none() {
                classes.push_str(" open-start");
            }
            if segment.silent {
                classes.push_str(" silent");
            }
            let what = match lane.kind {
                _ if segment.changes > 0 => format!(
                    "flapping, {} states (too close together to draw; the transitions table and the JSON report list them)",
                    segment.changes
                ),
                LaneKind::Vrrp => segment.state.clone(),
                LaneKind::Drbd => format!("DRBD {}", segment.state),
                LaneKind::Esc => format!("ESC {}", segment.state.to_lowercase()),
            };
            let since = segment.start.map_or("before the logs".to_string(), |time| {
                format_clock(time, dated)
            });
            let until = segment
                .end
                .map_or("the end of the logs".to_string(), |time| {
                    format_clock(time, dated)
                });
            let _ = write!(
                page,
                "<rect class=\"{classes}\" data-start=\"{start}\" data-end=\"{end}\" x=\"{left:.2}\" y=\"{top}\" \
                 width=\"{:.2}\" height=\"{LANE_HEIGHT}\"><title>{} {}: {what} from {since} to {until}{}</title></rect>",
                (right - left).max(0.0),
                escape(&lane.node),
                escape(&lane.label),
                if segment.silent {
                    " (its last word: its logs end, the state since is not known)"
                } else if segment.inferred {
                    " (implied by what it logged)"
                } else {
                    ""
                }
            );
        }
        page.push_str("</g></g>\n");
    }
    // Blind intervals, hatched over the node's lanes.
    for blind in &lanes.blind {
        let node_lanes = lanes.node_lanes(&blind.node);
        let (Some(first_lane), Some(last_lane)) = (node_lanes.first(), node_lanes.last()) else {
            continue;
        };
        let (start, end) = axis.bounds(blind.start, blind.end);
        let (top, bottom) = (tops[*first_lane], tops[*last_lane] + LANE_HEIGHT);
        let _ = writeln!(
            page,
            "<rect class=\"blind\" data-node=\"{}\" data-start=\"{start}\" data-end=\"{end}\" x=\"{:.2}\" y=\"{top}\" \
             width=\"{:.2}\" height=\"{}\"><title>{}: no logs ({})</title></rect>",
            escape(&blind.node),
            axis.x(start),
            (axis.x(end) - axis.x(start)).max(0.0),
            bottom - top,
            escape(&blind.node),
            escape(&blind.reason)
        );
    }
    // Split-brain windows, hatched on the lanes they concern.
    let mut labelled = std::collections::BTreeSet::new();
    for window in &lanes.windows {
        let record = &report.split_brain[window.split_brain];
        let (start, end) = axis.bounds(window.start, window.end);
        let (left, right) = (axis.x(start), axis.x(end));
        let width = (right - left).max(MIN_WINDOW_WIDTH);
        let left = left.min(PLOT_X + PLOT_WIDTH - width);
        let title = format!(
            "split-brain ({}, {}): {}",
            record.kind,
            record.proof,
            phrases::span(&record.start, &record.end, dated)
        );
        let _ = write!(page, "<a href=\"#sb-{}\">", window.split_brain);
        for lane in &window.lanes {
            let _ = write!(
                page,
                "<rect class=\"split-brain\" data-split-brain=\"{}\" data-node=\"{}\" data-lane=\"{lane}\" \
                 data-start=\"{start}\" data-end=\"{end}\" data-min-width=\"{MIN_WINDOW_WIDTH}\" x=\"{left:.2}\" \
                 y=\"{:.1}\" width=\"{width:.2}\" height=\"{:.1}\"><title>{}</title></rect>",
                window.split_brain,
                escape(&lanes.lanes[*lane].node),
                tops[*lane] - 1.0,
                LANE_HEIGHT + 2.0,
                escape(&title)
            );
        }
        page.push_str("</a>\n");
        let duration = record
            .duration_s
            .map(|seconds| format!(" {seconds:.1} s"))
            .unwrap_or_default();
        let name = if record.kind == "drbd" {
            "DRBD split-brain"
        } else {
            "split-brain"
        };
        // Two instances' windows over the same span have one label.
        if !labelled.insert((start, name, duration.clone())) {
            continue;
        }
        let _ = writeln!(
            page,
            "<text class=\"split-label\" data-time=\"{start}\" data-y=\"{:.1}\" transform=\"translate({left:.2},{:.1})\"{}>{name}{duration}</text>",
            bottom + 14.0,
            bottom + 14.0,
            if left > PLOT_X + PLOT_WIDTH - 90.0 {
                " text-anchor=\"end\""
            } else {
                ""
            }
        );
    }
    // A marker per change: the transitions link to their row, DRBD and ESC changes to the table.
    // A label shows where it fits between its marker and the next one on its lane, so it always
    // sits on the state it names (its title stays); the script does the same after each zoom.
    let mut order: Vec<usize> = (0..lanes.markers.len()).collect();
    order.sort_by_key(|index| (lanes.markers[*index].lane, lanes.markers[*index].time));
    let mut hidden = vec![false; lanes.markers.len()];
    for (position, index) in order.iter().enumerate() {
        let marker = &lanes.markers[*index];
        let limit = order
            .get(position + 1)
            .map(|next| &lanes.markers[*next])
            .filter(|next| next.lane == marker.lane)
            .map_or(PLOT_X + PLOT_WIDTH, |next| axis.x(millis(next.time)));
        let width = marker.label.chars().count() as f64 * LABEL_CHAR_WIDTH;
        hidden[*index] = axis.x(millis(marker.time)) + 4.0 + width > limit - 2.0;
    }
    for (marker, hidden) in lanes.markers.iter().zip(hidden) {
        let top = tops[marker.lane];
        let x = axis.x(millis(marker.time));
        let target = match (marker.transition, marker.event) {
            (Some(transition), _) if transition < MAX_TRANSITIONS => format!("t-{transition}"),
            (None, Some(event)) => format!("e-{event}"),
            _ => "transitions".to_string(),
        };
        let data = match marker.transition {
            Some(transition) => format!(" data-transition=\"{transition}\""),
            None => String::new(),
        };
        let _ = writeln!(
            page,
            "<a href=\"#{target}\" class=\"marker{}\" data-lane=\"{}\" data-time=\"{}\" data-y=\"{top}\"{data} \
             transform=\"translate({x:.2},{top})\"><path d=\"M-4,0 h8 l-4,7 z\"/>\
             <text x=\"4\" y=\"{:.1}\">{}</text><title>{}: {}</title></a>",
            if hidden { " label-hidden" } else { "" },
            marker.lane,
            millis(marker.time),
            LANE_HEIGHT / 2.0 + 4.0,
            escape(&marker.label),
            format_clock(marker.time, dated),
            escape(&marker.label)
        );
    }
    page.push_str("</svg>\n");
    // What the colours mean, and the clocks.
    page.push_str("<div class=\"legend\">");
    for (state, colour) in [
        ("MASTER", "master"),
        ("BACKUP", "backup"),
        ("FAULT", "fault"),
        ("STOP", "stop"),
        ("UNKNOWN", "unknown"),
        ("DRBD Primary", "primary"),
        ("DRBD Secondary", "secondary"),
        ("ESC running", "running"),
    ] {
        let _ = write!(
            page,
            "<span class=\"swatch\" style=\"--c: var(--{colour})\">{state}</span>"
        );
    }
    page.push_str(
        "<span class=\"swatch\" style=\"--c: repeating-linear-gradient(-45deg,#c62828 0 2px,#fbe3e3 2px 5px)\">split-brain</span>\
         <span class=\"swatch\" style=\"--c: repeating-linear-gradient(45deg,#9a9a9a 0 2px,#f7f7f7 2px 5px)\">no logs</span>\
         <span class=\"swatch\" style=\"--c: repeating-linear-gradient(90deg,#8bc98e 0 2px,#90c2ee 2px 4px)\">flapping (changes too close to draw)</span>\
         <span>▼ a change, labelled with its cause</span></div>\n",
    );
    let offsets: Vec<String> = report
        .nodes
        .iter()
        .filter_map(|node| {
            let offset = node.clock_offset_s?;
            Some(match node.clock_uncertainty_s {
                Some(uncertainty) => {
                    format!("{} {offset:+.3} s (± {uncertainty:.3} s)", node.name)
                }
                None => format!("{} {offset:+.3} s", node.name),
            })
        })
        .collect();
    let _ = writeln!(
        page,
        "<p class=\"meta\">Times are UTC{}. Lighter segments: a state held since before the logs, \
         implied by what the node logged rather than stated, or (faintest) a node's last word after its \
         logs end.</p>",
        if offsets.is_empty() {
            ", as each node stamped them (no clock offset measured)".to_string()
        } else {
            format!(
                ", corrected by each node's measured clock offset: {}",
                escape(&offsets.join(", "))
            )
        }
    );
    page.push_str("<div id=\"detail\" hidden></div>\n</section>\n");
}

fn write_split_brain(page: &mut String, report: &Report, dated: bool) {
    if report.split_brain.is_empty() {
        return;
    }
    page.push_str("<section id=\"split-brain\">\n<h2>Split-brain</h2>\n");
    for (index, window) in report.split_brain.iter().enumerate() {
        let what = window
            .instance
            .as_deref()
            .or(window.resource.as_deref())
            .unwrap_or("");
        let mut when = phrases::span(&window.start, &window.end, dated);
        if when.is_empty() {
            when = phrases::span(&window.seen_at, &None, dated);
        }
        let duration = window
            .duration_s
            .map(|seconds| format!(", {seconds:.1} s (± {:.1} s)", window.uncertainty_s))
            .unwrap_or_default();
        let title = format!(
            "{} split-brain {what}: {} ({when}{duration}), proof {}",
            window.kind.to_uppercase(),
            window.nodes.join(" and "),
            window.proof
        );
        let _ = writeln!(
            page,
            "<article class=\"finding sev-critical\" id=\"sb-{index}\" data-title=\"{}\"><h3>{}</h3>",
            escape(&title),
            escape(&title)
        );
        evidence_block(page, &window.evidence, dated);
        page.push_str("</article>\n");
    }
    page.push_str("</section>\n");
}

fn write_transitions(page: &mut String, report: &Report, dated: bool) {
    page.push_str("<section id=\"transitions\">\n<h2>Transitions</h2>\n");
    if report.transitions.is_empty() {
        page.push_str("<p>No VRRP state change in the logs.</p>\n</section>\n");
        return;
    }
    page.push_str(
        "<table><thead><tr><th>Time</th><th>Node</th><th>Instance</th><th>Change</th><th>Cause</th>\
         <th>Evidence</th></tr></thead><tbody>\n",
    );
    for (index, transition) in report.transitions.iter().enumerate().take(MAX_TRANSITIONS) {
        let time = match transition.time.as_deref() {
            None => "no date".to_string(),
            Some(text) => parse_rfc3339(text)
                .map_or_else(|| text.to_string(), |time| format_clock(time, dated)),
        };
        let change = format!(
            "{}{} → {}",
            transition.from,
            if transition.from_inferred {
                " (implied)"
            } else {
                ""
            },
            transition.to
        );
        let title = format!(
            "{time} {} {} {change}, cause {}",
            transition.node, transition.instance, transition.cause
        );
        let _ = write!(
            page,
            "<tr id=\"t-{index}\" data-title=\"{}\"><td class=\"time\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td><td>",
            escape(&title),
            escape(&time),
            escape(&transition.node),
            escape(&transition.instance),
            escape(&change),
            escape(&transition.cause),
            transition
                .detail
                .as_deref()
                .map(|detail| format!("<br><span class=\"meta\">{}</span>", escape(detail)))
                .unwrap_or_default()
        );
        evidence_block(page, &transition.evidence, dated);
        page.push_str("</td></tr>\n");
    }
    page.push_str("</tbody></table>\n");
    if report.transitions.len() > MAX_TRANSITIONS {
        let _ = writeln!(
            page,
            "<p class=\"note\">{} more transitions are not listed here; the JSON report has them all.</p>",
            report.transitions.len() - MAX_TRANSITIONS
        );
    }
    page.push_str("</section>\n");
}

fn write_checks(page: &mut String, report: &Report) {
    if report.checks.is_empty() {
        return;
    }
    page.push_str("<section id=\"checks\">\n<h2>Checks</h2>\n");
    let row = |page: &mut String, check: &super::analysis_json::CheckRecord| {
        let _ = write!(
            page,
            "<tr class=\"check-{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}",
            check.status,
            check.status.to_uppercase(),
            escape(&check.id),
            escape(check.node.as_deref().unwrap_or("(pair)")),
            escape(&check.detail)
        );
        if let Some(remedy) = &check.remedy {
            remedy_paragraphs(page, remedy);
        }
        page.push_str("</td></tr>\n");
    };
    let head = "<table><thead><tr><th>Status</th><th>Check</th><th>Node</th><th>Detail</th></tr></thead><tbody>\n";
    let problems: Vec<_> = report
        .checks
        .iter()
        .filter(|check| matches!(check.status, "fail" | "warn"))
        .collect();
    if problems.is_empty() {
        page.push_str("<p>None failed or warned.</p>\n");
    } else {
        page.push_str(head);
        for check in problems {
            row(page, check);
        }
        page.push_str("</tbody></table>\n");
    }
    let rest: Vec<_> = report
        .checks
        .iter()
        .filter(|check| !matches!(check.status, "fail" | "warn"))
        .collect();
    if !rest.is_empty() {
        let _ = write!(
            page,
            "<details><summary>{} passed or skipped</summary>\n{head}",
            rest.len()
        );
        for check in rest {
            row(page, check);
        }
        page.push_str("</tbody></table></details>\n");
    }
    page.push_str("</section>\n");
}

fn write_not_checked(page: &mut String, report: &Report) {
    let lines = phrases::not_checked(report);
    if lines.is_empty() {
        return;
    }
    page.push_str("<section id=\"not-checked\">\n<h2>Not checked, or only in part</h2>\n<ul>\n");
    for line in lines {
        let _ = writeln!(page, "<li>{}</li>", escape(&line));
    }
    page.push_str("</ul>\n</section>\n");
}

/// The order in which kinds are kept when the table is over its bound: state first.
fn table_rank(kind: EventKind) -> u8 {
    match kind {
        EventKind::VrrpState => 0,
        EventKind::Daemon => 1,
        EventKind::Drbd => 2,
        EventKind::VrrpFault => 3,
        EventKind::EscService => 4,
        EventKind::EscError => 5,
        EventKind::Collection => 6,
        EventKind::VrrpTrack => 7,
        EventKind::VrrpAdvert => 8,
        EventKind::Unrecognised => 9,
    }
}

fn write_events(page: &mut String, report: &Report, timeline: &Timeline, dated: bool) {
    page.push_str("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    let recognised: Vec<usize> = (0..timeline.events.len())
        .filter(|index| timeline.events[*index].kind != EventKind::Unrecognised)
        .collect();
    if recognised.is_empty() {
        page.push_str("<p>No recognised event.</p>\n</section>\n");
        return;
    }
    // Over the bound, the state-bearing kinds are kept first; what is left out is counted.
    let mut shown = recognised.clone();
    let mut left_out: BTreeMap<&'static str, usize> = BTreeMap::new();
    if shown.len() > MAX_TABLE_ROWS {
        shown.sort_by_key(|index| (table_rank(timeline.events[*index].kind), *index));
        for index in shown.split_off(MAX_TABLE_ROWS) {
            *left_out
                .entry(timeline.events[index].kind.name())
                .or_default() += 1;
        }
        shown.sort_unstable();
    }
    let nodes: Vec<&str> = report.nodes.iter().map(|node| node.name.as_str()).collect();
    let mut kinds: Vec<EventKind> = shown
        .iter()
        .map(|index| timeline.events[*index].kind)
        .collect();
    kinds.sort_by_key(|kind| table_rank(*kind));
    kinds.dedup();
    page.push_str("<fieldset id=\"filters\"><legend>Show</legend>");
    for kind in &kinds {
        let _ = write!(
            page,
            "<label><input type=\"checkbox\" name=\"kind\" value=\"{0}\" checked> {0}</label>",
            kind.name()
        );
    }
    page.push_str(" · ");
    for node in &nodes {
        let _ = write!(
            page,
            "<label><input type=\"checkbox\" name=\"node\" value=\"{0}\" checked> {0}</label>",
            escape(node)
        );
    }
    page.push_str("</fieldset>\n<table id=\"events\"><thead><tr><th>Time</th><th>Kind</th>");
    for node in &nodes {
        let _ = write!(page, "<th>{}</th>", escape(node));
    }
    page.push_str("</tr></thead><tbody>\n");
    for index in &shown {
        let event = &timeline.events[*index];
        let time = event
            .time
            .map_or_else(|| "-".to_string(), |time| format_clock(time, dated));
        let _ = write!(
            page,
            "<tr id=\"e-{index}\" data-kind=\"{}\" data-node=\"{}\"><td class=\"time\">{}{}</td><td>{}</td>",
            event.kind.name(),
            escape(&event.node),
            time,
            if event.time_inferred { "~" } else { "" },
            event.kind.name()
        );
        for node in &nodes {
            if *node == event.node.as_ref() {
                let _ = write!(
                    page,
                    "<td class=\"line\" title=\"{}:{}\">{}</td>",
                    escape(&event.file),
                    event.line,
                    escape(&event.message_joined())
                );
            } else {
                page.push_str("<td></td>");
            }
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody></table>\n");
    if !left_out.is_empty() {
        let counts: Vec<String> = left_out
            .iter()
            .map(|(kind, count)| format!("{count} {kind}"))
            .collect();
        let _ = writeln!(
            page,
            "<p class=\"note\">Not shown, to keep this page small: {} (`esc-diag timeline` lists every event).</p>",
            counts.join(", ")
        );
    }
    page.push_str("</section>\n");
}

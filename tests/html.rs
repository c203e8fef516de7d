//! The HTML report in a real browser: headless Chromium, with networking off, renders the page of
//! every lab bundle; the checks read the DOM after the page's script ran (not the file's text):
//! a lane per node and VRRP instance, each split-brain window between the x-positions of its start
//! and end, one marker per transition at its time, no request to any network address, no console
//! message, and a screenshot.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::DateTime;
use scraper::{ElementRef, Html, Selector};

use crate::support::{analyze, esc_diag, sample_bundles, testdata_bundle};

/// What the browser made of a page.
struct Rendered {
    dom: Html,
    /// Chromium's console lines (errors, warnings, logs).
    console: Vec<String>,
    /// URLs the page asked for that are not the file itself or inline data.
    requests: Vec<String>,
}

fn chromium() -> &'static str {
    let found = Command::new("chromium").arg("--version").output();
    assert!(
        found.is_ok_and(|output| output.status.success()),
        "chromium is not installed: scripts/install-test-deps.sh installs it (as root)"
    );
    "chromium"
}

/// Runs Chromium headless in a network namespace of its own (no route anywhere), with `action`
/// (--dump-dom, --screenshot=...), logging its console to stderr and its network to a net log.
fn run_chromium(page: &Path, work: &Path, action: &str) -> (String, String, PathBuf) {
    let net_log = work.join(format!(
        "net-{}.json",
        action.trim_start_matches('-').replace(['=', '/'], "_")
    ));
    let output = Command::new("unshare")
        .args(["--net", "--map-root-user", chromium()])
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,1600",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            work.join("profile").display()
        ))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("unshare and chromium run");
    assert!(
        output.status.success(),
        "chromium {action} {}: {}",
        page.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        net_log,
    )
}

/// The URLs a page requested: the net log's job starts whose initiator is a page (the browser's
/// own background requests say "not an origin"), other than file: and data: URLs.
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = fs::read_to_string(net_log)
        .unwrap_or_else(|error| panic!("{}: {error}", net_log.display()));
    // Chromium may stop before closing the log's JSON; the events are complete lines.
    let log: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|_| {
        let trimmed = text.trim_end().trim_end_matches(',');
        serde_json::from_str(&format!("{trimmed}]}}")).expect("the net log is JSON")
    });
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_i64();
    log["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|event| event["type"].as_i64() == start_job)
        .filter(|event| event["params"]["initiator"] != "not an origin")
        .filter_map(|event| event["params"]["url"].as_str())
        .filter(|url| !url.starts_with("file:") && !url.starts_with("data:"))
        .map(str::to_string)
        .collect()
}

fn render(page: &Path, work: &Path) -> Rendered {
    let (dom, stderr, net_log) = run_chromium(page, work, "--dump-dom");
    Rendered {
        dom: Html::parse_document(&dom),
        // The page's console, not the browser's own pages' (under load Chromium's built-in
        // `chrome://resources` scripts log "Slow network is detected").
        console: stderr
            .lines()
            .filter(|line| line.contains(":CONSOLE"))
            .filter(|line| !line.contains("source: chrome://"))
            .map(str::to_string)
            .collect(),
        requests: page_requests(&net_log),
    }
}

fn select<'a>(dom: &'a Html, selector: &str) -> Vec<ElementRef<'a>> {
    let selector = Selector::parse(selector).expect("a valid selector");
    dom.select(&selector).collect()
}

fn number(element: &ElementRef, attribute: &str) -> f64 {
    element
        .value()
        .attr(attribute)
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no number in {attribute} of {:?}", element.value()))
}

fn millis(time: &str) -> f64 {
    DateTime::parse_from_rfc3339(time)
        .unwrap_or_else(|error| panic!("{time}: {error}"))
        .timestamp_millis() as f64
}

/// The lanes' mapping from instants to x, as the page's script last laid them out.
struct Scale {
    start: f64,
    end: f64,
    plot_x: f64,
    plot_width: f64,
}

impl Scale {
    fn of(svg: &ElementRef) -> Scale {
        Scale {
            start: number(svg, "data-view-start"),
            end: number(svg, "data-view-end"),
            plot_x: number(svg, "data-plot-x"),
            plot_width: number(svg, "data-plot-width"),
        }
    }

    fn x(&self, millis: f64) -> f64 {
        (self.plot_x + (millis - self.start) / (self.end - self.start) * self.plot_width)
            .clamp(self.plot_x, self.plot_x + self.plot_width)
    }
}

fn translate_x(element: &ElementRef) -> f64 {
    let transform = element.value().attr("transform").unwrap_or("");
    transform
        .strip_prefix("translate(")
        .and_then(|rest| rest.split(',').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no translate in {transform:?}"))
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("html")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("a work directory");
    dir
}

/// Everything wrong with one bundle's page in the browser.
fn page_problems(name: &str) -> Vec<String> {
    let work = work_dir(name);
    let page = work.join("report.html");
    let bundle = testdata_bundle(name);
    let run = esc_diag([
        "analyze".as_ref(),
        bundle.as_os_str(),
        "--format".as_ref(),
        "html".as_ref(),
        "--now".as_ref(),
        "2026-11-26T00:00:00Z".as_ref(),
        "-o".as_ref(),
        page.as_os_str(),
    ]);
    assert_ne!(run.code, 2, "{name}: {}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "-o FILE leaves standard output empty"
    );
    let report = analyze(&bundle, &[]).json();
    let rendered = render(&page, &work);
    let mut problems = Vec::new();
    problems.extend(
        rendered
            .requests
            .iter()
            .map(|url| format!("requested {url}")),
    );
    problems.extend(
        rendered
            .console
            .iter()
            .map(|line| format!("console: {line}")),
    );
    let dom = &rendered.dom;
    let Some(svg) = select(dom, "svg#lanes").into_iter().next() else {
        problems.push("no svg#lanes".to_string());
        return problems;
    };
    if svg.value().attr("data-view-start").is_none() {
        problems.push("the page's script did not lay the lanes out".to_string());
        return problems;
    }
    let scale = Scale::of(&svg);
    // A lane per node and VRRP instance, and no other VRRP lane.
    let mut wanted: Vec<(String, String)> = report["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|node| {
            node["instances"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |instance| {
                    (
                        node["name"].as_str().unwrap_or("").to_string(),
                        instance["name"].as_str().unwrap_or("").to_string(),
                    )
                })
        })
        .collect();
    let mut drawn: Vec<(String, String)> = select(dom, "g.lane[data-kind=vrrp]")
        .iter()
        .map(|lane| {
            (
                lane.value().attr("data-node").unwrap_or("").to_string(),
                lane.value().attr("data-lane").unwrap_or("").to_string(),
            )
        })
        .collect();
    wanted.sort();
    drawn.sort();
    if wanted != drawn {
        problems.push(format!("lanes {drawn:?}, expected {wanted:?}"));
    }
    // Each split-brain window between its start and end, on lanes of its nodes.
    for (index, window) in report["split_brain"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let rects = select(
            dom,
            &format!("rect.split-brain[data-split-brain=\"{index}\"]"),
        );
        if rects.is_empty() {
            problems.push(format!("split-brain {index} is not drawn"));
            continue;
        }
        let nodes: Vec<&str> = window["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|node| node.as_str())
            .collect();
        let (Some(start), Some(end)) = (window["start"].as_str(), window["end"].as_str()) else {
            continue;
        };
        let (left, right) = (scale.x(millis(start)), scale.x(millis(end)));
        for rect in &rects {
            let (x, width) = (number(rect, "x"), number(rect, "width"));
            if (x - left).abs() > 0.5 || (x + width - right).abs() > 0.5 {
                problems.push(format!(
                    "split-brain {index} drawn from x {x:.2} to {:.2}, its start and end are at {left:.2} and {right:.2}",
                    x + width
                ));
            }
            let node = rect.value().attr("data-node").unwrap_or("");
            if !nodes.contains(&node) {
                problems.push(format!("split-brain {index} drawn on {node}'s lane"));
            }
        }
    }
    // One marker per transition, at its time.
    let transitions = report["transitions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let markers = select(dom, "a.marker[data-transition]");
    if markers.len() != transitions.len() {
        problems.push(format!(
            "{} transition markers for {} transitions",
            markers.len(),
            transitions.len()
        ));
    }
    for marker in &markers {
        let index = number(marker, "data-transition") as usize;
        let Some(time) = transitions
            .get(index)
            .and_then(|transition| transition["time"].as_str())
        else {
            problems.push(format!(
                "a marker for transition {index}, which is not there"
            ));
            continue;
        };
        let at = number(marker, "data-time");
        if (at - millis(time)).abs() > 0.5 {
            problems.push(format!(
                "transition {index} marked at {at}, it is at {time}"
            ));
        }
        let shown = !marker
            .value()
            .attr("style")
            .is_some_and(|style| style.contains("none"));
        if shown && (translate_x(marker) - scale.x(at)).abs() > 0.5 {
            problems.push(format!(
                "transition {index}'s marker at x {:.2}, its time is at {:.2}",
                translate_x(marker),
                scale.x(at)
            ));
        }
    }
    // Every marker's link and every window's link lead to an element of the page.
    for link in select(dom, "svg#lanes a[href]") {
        let target = link
            .value()
            .attr("href")
            .unwrap_or("")
            .trim_start_matches('#');
        if select(dom, &format!("[id=\"{target}\"]")).is_empty() {
            problems.push(format!("a link to #{target}, which is not on the page"));
        }
    }
    problems
}

#[test]
fn the_lab_bundles_pages_show_every_lane_window_and_transition_in_a_browser() {
    let names: Vec<String> = sample_bundles()
        .into_iter()
        .filter(|name| name.starts_with("lab-") || name.contains("partition"))
        .collect();
    assert!(
        names.len() >= 10,
        "the lab bundles are in testdata: {names:?}"
    );
    let problems: Vec<String> = names
        .iter()
        .flat_map(|name| {
            page_problems(name)
                .into_iter()
                .map(move |problem| format!("{name}: {problem}"))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_browser_checks_see_a_request_and_a_script_error() {
    // The checks above can fail: a page that fetches and throws is caught.
    let work = work_dir("self-check");
    let page = work.join("bad.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://192.0.2.1/x.png\">\
         <script>undefinedFunction();</script></body></html>",
    )
    .expect("a page");
    let rendered = render(&page, &work);
    assert_eq!(rendered.requests, ["http://192.0.2.1/x.png"]);
    assert!(
        rendered
            .console
            .iter()
            .any(|line| line.contains("undefinedFunction")),
        "{:?}",
        rendered.console
    );
}

#[test]
fn a_screenshot_of_the_partition_page_is_made() {
    let work = work_dir("screenshot");
    let page = work.join("report.html");
    let bundle = testdata_bundle("lab-partition");
    let run = esc_diag([
        "analyze".as_ref(),
        bundle.as_os_str(),
        "--format".as_ref(),
        "html".as_ref(),
        "-o".as_ref(),
        page.as_os_str(),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let shot = work.join("lab-partition.png");
    run_chromium(&page, &work, &format!("--screenshot={}", shot.display()));
    let bytes = fs::read(&shot).expect("a screenshot was written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 20_000,
        "{} bytes: an empty page?",
        bytes.len()
    );
}

#[test]
fn a_page_is_whole_and_self_contained_for_every_sample_bundle() {
    // Without a browser: every sample's page parses, carries its own style and script, and names
    // nothing to fetch (no src or href leaving the page, a policy forbidding it).
    for name in sample_bundles() {
        let bundle = testdata_bundle(&name);
        let run = esc_diag([
            "analyze".as_ref(),
            bundle.as_os_str(),
            "--format".as_ref(),
            "html".as_ref(),
        ]);
        assert_ne!(run.code, 2, "{name}: {}", run.stderr);
        let dom = Html::parse_document(&run.stdout);
        assert!(dom.errors.is_empty(), "{name}: {:?}", dom.errors);
        let policy = select(&dom, "meta[http-equiv=Content-Security-Policy]");
        assert!(
            policy
                .first()
                .and_then(|meta| meta.value().attr("content"))
                .is_some_and(|content| content.starts_with("default-src 'none'")),
            "{name}: no policy forbidding requests"
        );
        for element in select(&dom, "[src], link[href], [href]") {
            for attribute in ["src", "href"] {
                if let Some(value) = element.value().attr(attribute) {
                    assert!(
                        value.starts_with('#'),
                        "{name}: {attribute}={value:?} leaves the page"
                    );
                }
            }
        }
        assert_eq!(select(&dom, "style").len(), 1, "{name}");
        assert_eq!(select(&dom, "script").len(), 1, "{name}");
    }
}

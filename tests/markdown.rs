//! The Markdown report read back with a CommonMark parser (pulldown-cmark): its structure
//! (headings, the state table, fenced evidence blocks, the failed-checks table) and its text
//! (titles and remedies come back as written, whatever characters they hold), and its length.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::support::{analyze, esc_diag, sample_bundles, testdata_bundle};

/// The parts of a document the checks look at.
#[derive(Default)]
struct Document {
    /// (level, text) of each heading.
    headings: Vec<(HeadingLevel, String)>,
    /// Text of each paragraph.
    paragraphs: Vec<String>,
    /// Info string and content of each fenced block.
    fenced: Vec<(String, String)>,
    /// Each table as rows of cells (the header first).
    tables: Vec<Vec<Vec<String>>>,
}

fn parse(markdown: &str) -> Document {
    let mut document = Document::default();
    let mut text = String::new();
    let mut fence: Option<String> = None;
    let mut row: Vec<String> = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. } | Tag::Paragraph | Tag::TableCell) => text.clear(),
            Event::End(TagEnd::Heading(level)) => {
                document.headings.push((level, std::mem::take(&mut text)))
            }
            Event::End(TagEnd::Paragraph) => {
                document.paragraphs.push(std::mem::take(&mut text));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                fence = Some(info.to_string());
                text.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(info) = fence.take() {
                    document.fenced.push((info, std::mem::take(&mut text)));
                }
            }
            Event::Start(Tag::Table(_)) => document.tables.push(Vec::new()),
            Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut text)),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                if let Some(table) = document.tables.last_mut() {
                    table.push(std::mem::take(&mut row));
                }
            }
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    document
}

fn markdown(name: &str) -> String {
    let bundle = testdata_bundle(name);
    let run = esc_diag([
        "analyze".as_ref(),
        bundle.as_os_str(),
        "--format".as_ref(),
        "markdown".as_ref(),
        "--now".as_ref(),
        "2026-11-26T00:00:00Z".as_ref(),
    ]);
    assert_ne!(run.code, 2, "{name}: {}", run.stderr);
    run.stdout
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_str().map(str::to_string))
        .collect()
}

/// Everything in one bundle's Markdown that does not say what its JSON report says.
fn problems(name: &str) -> Vec<String> {
    let text = markdown(name);
    let report = analyze(&testdata_bundle(name), &[]).json();
    let document = parse(&text);
    let mut problems = Vec::new();
    let status = report["verdict"]["status"]
        .as_str()
        .unwrap_or("")
        .to_uppercase();
    match document.headings.first() {
        Some((HeadingLevel::H2, heading))
            if *heading
                == format!(
                    "{status}: {}",
                    report["verdict"]["headline"].as_str().unwrap_or("")
                ) => {}
        other => problems.push(format!("first heading {other:?}, not the verdict")),
    }
    let has = |level: HeadingLevel, wanted: &str| {
        document
            .headings
            .iter()
            .any(|(at, text)| *at == level && text == wanted)
    };
    if !has(HeadingLevel::H3, "Findings") {
        problems.push("no Findings heading".to_string());
    }
    // The state now: a table with a row per instance.
    let state_now = report["state_now"].as_array().cloned().unwrap_or_default();
    if !state_now.is_empty() {
        match document
            .tables
            .iter()
            .find(|table| table.first().is_some_and(|head| head[0] == "Instance"))
        {
            Some(table) => {
                if table[0] != ["Instance", "MASTER", "BACKUP", "Other"] {
                    problems.push(format!("state table header {:?}", table[0]));
                }
                for now in &state_now {
                    let instance = now["instance"].as_str().unwrap_or("");
                    let masters = strings(&now["masters"]).join(", ");
                    let masters = if masters.is_empty() {
                        "none".to_string()
                    } else {
                        masters
                    };
                    if !table[1..]
                        .iter()
                        .any(|row| row[0] == instance && row[1] == masters)
                    {
                        problems.push(format!("no state row {instance} MASTER {masters}"));
                    }
                }
            }
            None => problems.push("no state table".to_string()),
        }
    }
    // Each finding: its heading, its evidence in a fenced block, its remedy as written.
    for finding in report["findings"].as_array().into_iter().flatten() {
        let title = format!(
            "{}: {}",
            finding["severity"].as_str().unwrap_or("").to_uppercase(),
            finding["title"].as_str().unwrap_or("")
        );
        if !has(HeadingLevel::H4, &title) {
            problems.push(format!("no heading {title:?}"));
        }
        if let Some(first) = finding["evidence"]
            .as_array()
            .and_then(|lines| lines.first())
        {
            let file = first["file"].as_str().unwrap_or("");
            let place = format!(
                "{} {}:{}",
                first["node"].as_str().unwrap_or(""),
                file.strip_prefix("var/log/").unwrap_or(file),
                first["line"]
            );
            if !document
                .fenced
                .iter()
                .any(|(info, block)| info == "text" && block.contains(&place))
            {
                problems.push(format!("{title}: no fenced block with {place}"));
            }
        }
        // A remedy of several paragraphs reads back as those paragraphs, the first labelled.
        let remedy = finding["remedy"].as_str().unwrap_or("");
        let mut paragraphs = remedy.split("\n\n");
        let (first, count) = (paragraphs.next().unwrap_or(""), paragraphs.count() + 1);
        let read_back = document
            .paragraphs
            .iter()
            .position(|paragraph| *paragraph == format!("Remedy: {first}"))
            .map(|first| {
                document.paragraphs[first..]
                    .iter()
                    .take(count)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n\n")
            });
        if !remedy.is_empty() && read_back != Some(format!("Remedy: {remedy}")) {
            problems.push(format!("{title}: the remedy reads back as {read_back:?}"));
        }
    }
    // Failed and warned checks: a table row each.
    let failed: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|check| matches!(check["status"].as_str(), Some("fail" | "warn")))
        .collect();
    if !failed.is_empty() {
        let table = document
            .tables
            .iter()
            .find(|table| table.first().is_some_and(|head| head[0] == "Status"));
        match table {
            Some(table) if table.len() == failed.len() + 1 => {
                for check in failed {
                    let id = check["id"].as_str().unwrap_or("");
                    if !table.iter().any(|row| row[1] == id) {
                        problems.push(format!("failed check {id} is not in the table"));
                    }
                }
            }
            other => problems.push(format!(
                "{} failed checks, table {:?}",
                failed.len(),
                other.map(Vec::len)
            )),
        }
    }
    problems
}

#[test]
fn the_markdown_of_every_sample_reads_back_as_its_report_says() {
    let problems: Vec<String> = sample_bundles()
        .iter()
        .flat_map(|name| {
            problems(name)
                .into_iter()
                .map(move |problem| format!("{name}: {problem}"))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_lab_bundles_markdown_fits_a_ticket() {
    for name in sample_bundles()
        .iter()
        .filter(|name| name.starts_with("lab-"))
    {
        let lines = markdown(name).lines().count();
        assert!(lines <= 80, "{name}: {lines} lines");
    }
}

#[test]
fn text_that_looks_like_markdown_stays_text() {
    // A log line with backticks, pipes, asterisks and angle brackets: the evidence block stays
    // one block, and nothing in it becomes markup.
    let bundle = crate::support::BundleBuilder::new()
        .file(
            "esc-ha-0",
            "var/log/messages",
            "Nov 25 14:20:36 esc-ha-0 Keepalived_vrrp[1]: (VI_1) Entering MASTER STATE\n\
             Nov 25 14:20:37 esc-ha-0 Keepalived_vrrp[1]: (VI_1) Entering BACKUP STATE - ``` *x* | <b>\n",
        )
        .file(
            "esc-ha-1",
            "var/log/messages",
            "Nov 25 14:20:36 esc-ha-1 Keepalived_vrrp[1]: (VI_1) Entering MASTER STATE\n\
             Nov 25 14:20:40 esc-ha-1 Keepalived_vrrp[1]: (VI_1) Entering BACKUP STATE\n",
        );
    let run = esc_diag([
        "analyze".as_ref(),
        bundle.path().as_os_str(),
        "--format".as_ref(),
        "markdown".as_ref(),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let document = parse(&run.stdout);
    assert!(
        document
            .fenced
            .iter()
            .any(|(_, block)| block.contains("Entering BACKUP STATE - ``` *x* | <b>")),
        "{}",
        run.stdout
    );
}

//! `esc-diag collect`: gather this node and the peer (over SSH, in parallel) by the plan into a
//! staging tree, name the node directories, write manifest.json and the .tar.gz (atomically),
//! and with --analyze print analyze's verdict on it. A peer that cannot be reached is recorded
//! in the manifest, not fatal; only a bundle that cannot be written is (exit 2).

use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use anyhow::{Context, anyhow};
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::bundle::Bundle;
use crate::bundle::manifest::{
    MANIFEST_FORMAT, Manifest, ManifestCommand, ManifestError, ManifestFile, ManifestNode,
};
use crate::bundle::write::{DeflatedCopies, Staging, WriteError};
use crate::checks::{self, CheckStatus};
use crate::cli::CollectConfig;
use crate::collect::access::{Access, quote};
use crate::collect::clock::{self, Offset};
use crate::collect::gather::{self, Gathered, NoSpace, NodePlan, Sudo};
use crate::collect::local::Local;
use crate::collect::peer;
use crate::collect::plan;
use crate::collect::redact::{IpMapper, Redactor};
use crate::collect::ssh::{Failure, Remote, Target};
use crate::collect::window::{LineTime, Window};
use crate::diagnosis::{ReportWindow, diagnose};
use crate::exit_code::ExitCode;
use crate::report::phrases::counted;
use crate::rules::RuleSet;
use crate::sources::{Classifier, envelope};
use crate::timeline::Timeline;

/// The envelope parser's stamp, as collect's window reads it.
fn line_time(line: &str) -> Option<LineTime> {
    let stamp = envelope::parse(line).stamp?;
    Some(LineTime {
        year: stamp.year,
        month: stamp.month,
        day: stamp.day,
        hour: stamp.hour,
        minute: stamp.minute,
        second: stamp.second,
        offset_s: stamp.offset_s,
    })
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What the peer's thread brings back.
enum PeerResult {
    Gathered(Box<Gathered>, Option<Offset>),
    Unreachable(Failure),
    NoSpace(NoSpace),
}

/// Runs the command.
pub fn run(config: &CollectConfig) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    let root = config.root.display().to_string();
    let mut local = Local::new();
    let hostname = local
        .run(plan::PROBE_HOSTNAME, None, plan::PROBE_TIMEOUT)
        .map(|output| output.stdout_text())
        .unwrap_or_default();
    let hostname = if hostname.is_empty() {
        "localhost".to_string()
    } else {
        hostname
    };
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let target = config
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("esc-diag-{hostname}-{stamp}.tar.gz")));
    let top = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let top = top
        .strip_suffix(".tar.gz")
        .or_else(|| top.strip_suffix(".tgz"))
        .unwrap_or(&top)
        .to_string();
    let top = if top.is_empty() {
        format!("esc-diag-{hostname}-{stamp}")
    } else {
        top
    };
    let target_directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    gather::check_space(&target_directory, 0).map_err(|error| anyhow!(error))?;
    let staging = Staging::new(&target, &top).context("preparing the bundle")?;

    let window = if config.all {
        Window::default()
    } else if config.since.is_some() || config.until.is_some() {
        Window {
            since: config.since,
            until: config.until,
        }
    } else {
        Window {
            since: Some(now - chrono::Duration::days(plan::DEFAULT_DAYS)),
            until: None,
        }
    };
    let bound = (!config.all && config.since.is_none() && config.until.is_none())
        .then_some(plan::DEFAULT_NODE_BYTES);
    let redactor = Redactor {
        ips: config.redact_ips.then(IpMapper::new),
    };

    let mut local_errors: Vec<ManifestError> = Vec::new();
    let peer_host = if config.no_peer {
        None
    } else if let Some(peer) = &config.peer {
        Some(peer.clone())
    } else {
        let found = discover_peer(&mut local, &root);
        if found.is_none() {
            local_errors.push(ManifestError {
                what: "peer".to_string(),
                why: "not found in esc-config.yaml or keepalived.conf (give --peer, or --no-peer)"
                    .to_string(),
            });
        }
        found
    };

    let progress = (!config.quiet && std::io::stderr().is_terminal()).then(MultiProgress::new);
    let bar = |label: &str| {
        progress.as_ref().map(|multi| {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix}: {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        })
    };

    let peer_copies = staging.scratch("peer").context("preparing the bundle")?;
    let peer_thread = peer_host.clone().map(|host| {
        let target = Target {
            host: host.clone(),
            port: config.port,
            user: config.user.clone(),
            identity: config.identity.clone(),
            known_hosts: config.known_hosts.clone(),
            accept_new_host_key: config.accept_new_host_key,
            connect_timeout: config.connect_timeout,
            interactive: !config.quiet,
        };
        let plan = NodePlan {
            root: config.peer_root.clone(),
            window,
            bound,
            reader: line_time,
            now,
            redactor: redactor.clone(),
            staging: staging.top().join(".peer"),
            copies: peer_copies,
            peer_address: None,
            sudo: Sudo::NotNeeded,
            progress: bar(&format!("peer {host}")),
        };
        thread::spawn(move || gather_peer(&target, plan))
    });

    let local_plan = NodePlan {
        root: root.clone(),
        window,
        bound,
        reader: line_time,
        now,
        redactor: redactor.clone(),
        staging: staging.top().join(".local"),
        copies: staging.scratch("local").context("preparing the bundle")?,
        peer_address: peer_host.clone(),
        sudo: Sudo::NotNeeded,
        progress: bar(&format!("{hostname} (this node)")),
    };
    fs::create_dir_all(&local_plan.staging)
        .with_context(|| format!("{}", local_plan.staging.display()))?;
    let mine = gather::node(&mut local, &local_plan).map_err(|error| anyhow!(error))?;
    if let Some(bar) = &local_plan.progress {
        bar.finish();
    }

    let peer = match peer_thread.map(|handle| handle.join()) {
        None => None,
        Some(Ok(result)) => Some(result),
        Some(Err(_)) => Some(PeerResult::Unreachable(Failure {
            class: "unreachable",
            message: "the peer's collection stopped unexpectedly".to_string(),
        })),
    };
    let peer_host = peer_host.unwrap_or_default();
    let mut theirs = None;
    match peer {
        None => {}
        Some(PeerResult::NoSpace(error)) => return Err(anyhow!(error)),
        Some(PeerResult::Unreachable(failure)) => local_errors.push(ManifestError {
            what: format!("peer {}", redactor.address(&peer_host)),
            why: redactor.address(&failure.to_string()),
        }),
        Some(PeerResult::Gathered(gathered, offset)) => theirs = Some((gathered, offset)),
    }

    // Node directories: host names, or the addresses where the two are equal.
    let mut local_name = mine.hostname.clone();
    if local_name.is_empty() {
        local_name = hostname.clone();
    }
    let mut peer_name = theirs
        .as_ref()
        .map(|(gathered, _)| gathered.hostname.clone())
        .unwrap_or_default();
    if peer_name.is_empty() {
        peer_name = peer_host.clone();
    }
    if theirs.is_some() && peer_name == local_name {
        local_name = mine
            .addresses
            .iter()
            .find(|address| address.parse::<std::net::Ipv4Addr>().is_ok())
            .cloned()
            .unwrap_or_else(|| "local".to_string());
        peer_name = peer_host.clone();
        if peer_name == local_name {
            peer_name = format!("{peer_name}-peer");
        }
    }
    let local_name = redactor.address(&local_name).replace('/', "_");
    let peer_name = redactor.address(&peer_name).replace('/', "_");

    let mut manifest = Manifest {
        format: MANIFEST_FORMAT.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        collected_by: local_name.clone(),
        collected_at: Some(rfc3339(now)),
        nodes: Vec::new(),
    };
    let mut node = finish_node(
        &staging,
        &local_name,
        ".local",
        &mine,
        Some(Offset {
            offset_s: 0.0,
            uncertainty_s: 0.0,
        }),
        &redactor,
        now,
    )?;
    node.errors.extend(local_errors);
    manifest.nodes.push(node);
    if let Some((gathered, offset)) = &theirs {
        let mut node = finish_node(
            &staging, &peer_name, ".peer", gathered, *offset, &redactor, now,
        )?;
        if offset.is_none() {
            node.errors.push(ManifestError {
                what: "clock offset".to_string(),
                why: "no clock sample could be read from the peer".to_string(),
            });
        }
        manifest.nodes.push(node);
    } else {
        let _ = fs::remove_dir_all(staging.top().join(".peer"));
    }
    gather::check_space(&target_directory, staging.staged_bytes() / 2)
        .map_err(|error| anyhow!(error))?;
    // Logs are packed from the copies deflated as they arrived.
    let mut copies = DeflatedCopies::new();
    let mut nodes = vec![(&mine, &local_name)];
    if let Some((gathered, _)) = &theirs {
        nodes.push((&**gathered, &peer_name));
    }
    for (gathered, name) in nodes {
        for file in &gathered.files {
            if let Some(copy) = &file.copy {
                copies.insert(staging.top().join(name).join(&file.relative), copy.clone());
            }
        }
    }
    // The checks read the finished tree while it is packed and compressed.
    let (written, checked) = staging
        .finish_with(&manifest, &copies, |top| check_collection(top, config))
        .context("writing the bundle")?;

    println!("{}", written.display());
    if !config.quiet {
        for node in &manifest.nodes {
            eprintln!(
                "esc-diag: {}: {}, {}, {}",
                node.name,
                counted(node.files.len() as u64, "file"),
                counted(node.commands.len() as u64, "command"),
                counted(node.errors.len() as u64, "problem")
            );
            for error in &node.errors {
                eprintln!("  {}: {}", error.what, error.why);
            }
        }
    }
    report_checks(&checked.context("checking the collected files")?, config);
    Ok(ExitCode::Success)
}

fn discover_peer(local: &mut Local, root: &str) -> Option<String> {
    let root = root.trim_end_matches('/');
    let read = |local: &mut Local, path: &str| {
        local
            .run(
                &format!("cat -- {}", quote(&format!("{root}{path}"))),
                None,
                plan::PROBE_TIMEOUT,
            )
            .ok()
            .filter(|output| output.exit_code == Some(0))
            .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let esc = read(local, plan::ESC_CONFIG);
    let keepalived = read(local, plan::KEEPALIVED_CONF).map(|text| peer::keepalived_conf(&text));
    let own = local
        .run("ip -j addr", None, plan::PROBE_TIMEOUT)
        .map(|output| gather::addresses(&output.stdout))
        .unwrap_or_default();
    peer::discover(esc.as_deref(), keepalived.as_ref(), &own)
}

fn gather_peer(target: &Target, mut plan: NodePlan) -> PeerResult {
    let mut remote = match Remote::connect(target) {
        Ok(remote) => remote,
        Err(failure) => {
            if let Some(bar) = &plan.progress {
                bar.finish_with_message(failure.to_string());
            }
            return PeerResult::Unreachable(failure);
        }
    };
    let offset = clock::measure(&mut remote);
    plan.sudo = remote.sudo(target);
    if let Err(error) = fs::create_dir_all(&plan.staging) {
        return PeerResult::Unreachable(Failure {
            class: "unreachable",
            message: format!("{}: {error}", plan.staging.display()),
        });
    }
    let result = gather::node(&mut remote, &plan);
    if let Some(bar) = &plan.progress {
        bar.finish();
    }
    match result {
        Ok(gathered) => PeerResult::Gathered(Box::new(gathered), offset),
        Err(error) => PeerResult::NoSpace(error),
    }
}

fn epoch(seconds: i64) -> Option<String> {
    Utc.timestamp_opt(seconds, 0).single().map(rfc3339)
}

fn finish_node(
    staging: &Staging,
    name: &str,
    staged: &str,
    gathered: &Gathered,
    offset: Option<Offset>,
    redactor: &Redactor,
    now: DateTime<Utc>,
) -> anyhow::Result<ManifestNode> {
    let directory = staging.top().join(name);
    let from = staging.top().join(staged);
    if from.exists() {
        fs::rename(&from, &directory)
            .with_context(|| format!("{} → {}", from.display(), directory.display()))?;
    } else {
        fs::create_dir_all(&directory).with_context(|| format!("{}", directory.display()))?;
    }
    let mut files = Vec::new();
    // A log's size and sha256 were taken as it was written; a command's output is read here.
    let describe =
        |relative: &str, digest: Option<&(u64, String)>, mtime: Option<String>, redactions: u64| {
            let (size, sha256) = match digest {
                Some(digest) => digest.clone(),
                None => Staging::describe(&directory.join(relative))?,
            };
            Ok::<_, WriteError>(ManifestFile {
                path: relative.to_string(),
                size,
                sha256,
                mtime,
                redactions,
            })
        };
    for file in &gathered.files {
        files.push(describe(
            &file.relative,
            file.digest.as_ref(),
            file.mtime.and_then(epoch),
            file.redactions,
        )?);
    }
    let mut commands = Vec::new();
    for run in &gathered.commands {
        if !run.written {
            Staging::write_command(&directory, &run.file, &run.stdout, &run.stderr)?;
            files.push(describe(
                &run.file,
                None,
                Some(rfc3339(now)),
                run.redactions,
            )?);
        }
        commands.push(ManifestCommand {
            name: run.name.clone(),
            argv: run.argv.iter().map(|word| redactor.address(word)).collect(),
            file: run.file.clone(),
            exit_code: run.exit_code,
            duration_s: Some((run.duration_s * 1000.0).round() / 1000.0),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(ManifestNode {
        name: name.to_string(),
        dir: name.to_string(),
        hostname: gathered.hostname.clone(),
        addresses: gathered
            .addresses
            .iter()
            .map(|address| redactor.address(address))
            .collect(),
        timezone: gathered.timezone.clone(),
        clock_offset_s: offset.map(|offset| offset.offset_s),
        clock_uncertainty_s: offset.map(|offset| offset.uncertainty_s),
        files,
        commands,
        errors: gathered
            .errors
            .iter()
            .map(|problem| ManifestError {
                what: redactor.address(&problem.what),
                why: redactor.address(&problem.why),
            })
            .collect(),
    })
}

/// What the checks found on the new bundle, and with --analyze its verdict (status, headline).
struct Checked {
    results: Vec<checks::CheckResult>,
    verdict: Option<(String, String)>,
}

/// Right after collection: the checks on the new bundle's tree, and with --analyze the verdict.
/// The same checks run again in analyze.
fn check_collection(top: &Path, config: &CollectConfig) -> anyhow::Result<Checked> {
    let bundle = Bundle::open(&[top.to_path_buf()])?;
    let classifier = Classifier::load(config.rules.as_deref());
    let timeline = Timeline::build(&bundle, &classifier);
    let results = checks::run(&bundle, &timeline);
    let verdict = config.analyze.then(|| {
        let rules = RuleSet::load(config.rules.as_deref());
        let diagnosis = diagnose(&bundle, &timeline, &rules, ReportWindow::default());
        (
            diagnosis.verdict.status.name().to_uppercase(),
            diagnosis.verdict.headline,
        )
    });
    Ok(Checked { results, verdict })
}

/// The failed and warned checks on stderr unless --quiet, and with --analyze the verdict on
/// stdout.
fn report_checks(checked: &Checked, config: &CollectConfig) {
    let results = &checked.results;
    if !config.quiet {
        let count = |status: CheckStatus| {
            results
                .iter()
                .filter(|check| check.status == status)
                .count()
        };
        eprintln!(
            "esc-diag: checks: {} pass, {} fail, {} warn, {} skipped",
            count(CheckStatus::Pass),
            count(CheckStatus::Fail),
            count(CheckStatus::Warn),
            count(CheckStatus::Skipped)
        );
        for check in results
            .iter()
            .filter(|check| matches!(check.status, CheckStatus::Fail | CheckStatus::Warn))
        {
            eprintln!(
                "  {} {} {}: {}",
                check.status,
                check.id,
                check.node.as_deref().unwrap_or("(pair)"),
                check.detail
            );
        }
    }
    if let Some((status, headline)) = &checked.verdict {
        println!("{status}  {headline}");
    }
}

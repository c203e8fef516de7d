//! The command line: clap definitions (their doc comments are the help text) and their conversion
//! into the plain configuration each command runs with.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use chrono::{DateTime, Utc};

use crate::finding::Severity;
use crate::sources::EventKind;
use crate::timeline::filter::TimeSpec;

/// Troubleshooter for Cisco ESC High Availability pairs: reads both nodes' logs into one
/// clock-aligned timeline.
#[derive(Debug, Parser)]
#[command(name = "esc-diag", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// A folder of extra rule files: *.toml diagnosis rules and classifiers/*.toml tables add to
    /// the embedded ones (the same rule id or table name replaces the embedded one).
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the merged timeline of both nodes.
    #[command(after_help = TIMELINE_EXAMPLES)]
    Timeline(TimelineArgs),
    /// Diagnose the pair: split-brain windows, the cause of each failover, findings.
    #[command(after_help = ANALYZE_EXAMPLES)]
    Analyze(AnalyzeArgs),
    /// What changed between two bundles of the pair: configuration (keepalived, esc-config.yaml,
    /// DRBD), addresses and routes, checks, findings, the verdict and who is MASTER.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// List, check and test the rule files and classifier tables.
    #[command(subcommand, after_help = RULES_EXAMPLES)]
    Rules(RulesCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these definitions.
    #[command(after_help = "Example:\n  esc-diag man > esc-diag.1 && man -l esc-diag.1")]
    Man,
    /// Gather both nodes (this one directly, the peer over SSH) into one bundle (.tar.gz).
    #[command(after_help = COLLECT_HELP)]
    Collect(CollectArgs),
}

const RULES_EXAMPLES: &str = "Examples:
  esc-diag rules list
  esc-diag rules check site-rules/
  esc-diag rules test              # every rule's cases and every classifier row's examples
  esc-diag --rules site-rules/ analyze bundle.tar.gz";

const COMPLETIONS_EXAMPLES: &str = "Examples:
  esc-diag completions bash > /etc/bash_completion.d/esc-diag
  esc-diag completions zsh > ~/.zfunc/_esc-diag
  esc-diag completions fish > ~/.config/fish/completions/esc-diag.fish";

const ANALYZE_EXAMPLES: &str = "Examples:
  esc-diag analyze testdata/bundles/lab-partition
  esc-diag analyze esc-diag-esc-ha-0-20261125T142036Z.tar.gz --format json > report.json
  esc-diag analyze testdata/bundles/lab-partition --format html -o report.html
  esc-diag analyze bundle.tar.gz --format markdown > ticket.md
  esc-diag analyze node0.tar.gz node1.tar.gz --min-severity warning
  esc-diag analyze bundle/ --rules site-rules/ --since 2026-11-25T14:00:00Z

Exit codes: 0 nothing at warning or worse, 1 something at warning or worse, 2 an error.";

/// PATHs and options of `esc-diag analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format: text for a terminal, json for tools (esc-diag/report/v1), html for a
    /// self-contained page with both nodes' swimlanes, markdown for a ticket body.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Show only findings at this level or worse (info, warning, error, critical); the exit code
    /// still counts every finding.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub min_severity: String,

    /// The report's generated_at (RFC 3339), for reproducible output; default: now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// Text: list every check (passed and skipped too), not only the failed and warned ones.
    /// JSON always has them all.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

const DIFF_EXAMPLES: &str = "Examples:
  esc-diag diff healthy-last-week.tar.gz now.tar.gz
  esc-diag diff before/ after/ --format json > diff.json

Secrets (passwords, auth_pass, DRBD shared-secret, keys) are never shown, only that they changed.
Exit codes: 0 nothing relevant changed, 1 something did, 2 an error.";

/// BEFORE, AFTER and options of `esc-diag diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier bundle (a directory or .tar.gz of the pair).
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,

    /// The later bundle.
    #[arg(value_name = "AFTER")]
    pub after: PathBuf,

    /// Output format (text, or json: schema esc-diag/diff/v1).
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// The report's generated_at (RFC 3339), for reproducible output; default: now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

/// What `esc-diag diff` runs with.
#[derive(Debug, Clone)]
pub struct DiffConfig {
    pub before: PathBuf,
    pub after: PathBuf,
    pub format: DiffFormat,
    pub now: Option<DateTime<Utc>>,
    pub rules: Option<PathBuf>,
}

impl DiffArgs {
    /// Checks the arguments and turns them into a configuration.
    pub fn into_config(self, rules: Option<PathBuf>) -> Result<DiffConfig, String> {
        Ok(DiffConfig {
            before: self.before,
            after: self.after,
            format: self.format,
            now: parse_now(self.now.as_deref())?,
            rules,
        })
    }
}

/// `--now`: an RFC 3339 instant.
fn parse_now(text: Option<&str>) -> Result<Option<DateTime<Utc>>, String> {
    text.map(|text| {
        DateTime::parse_from_rfc3339(text)
            .map(|time| time.with_timezone(&Utc))
            .map_err(|error| format!("--now: {text:?} is not RFC 3339 ({error})"))
    })
    .transpose()
}

/// `esc-diag rules ...`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule (id, subject, severity, title) and classifier row.
    List,
    /// Print the literals a source's lines are screened for (folded to lower case, one per line:
    /// `rg -i -F -f` reads them), before any classifier pattern runs.
    Literals {
        /// A source whose lines are screened by literals: escmanager or escadm.
        #[arg(value_name = "SOURCE")]
        source: String,
    },
    /// Parse every rule file and classifier table (embedded, plus DIR): report errors with file,
    /// line and column, unknown fields, duplicate ids.
    Check {
        /// A rules folder to check with the embedded rules (same layout as --rules).
        #[arg(value_name = "DIR")]
        directory: Option<PathBuf>,
    },
    /// Run every rule's test cases and every classifier row's examples and near-misses.
    Test {
        /// A rules folder to test with the embedded rules (same layout as --rules).
        #[arg(value_name = "DIR")]
        directory: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Html,
    Markdown,
}

const TIMELINE_EXAMPLES: &str = "Examples:
  esc-diag timeline testdata/bundles/lab-partition
  esc-diag timeline esc-diag-esc-ha-0-20261125T142036Z.tar.gz --since -30m --kind vrrp-state
  esc-diag timeline node0.tar.gz node1.tar.gz --format ndjson
  esc-diag timeline /var/log/messages --all";

/// PATHs and filters of `esc-diag timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Only this node (repeat for several).
    #[arg(long = "node", value_name = "NODE")]
    pub nodes: Vec<String>,

    /// Only this kind of event (repeat for several): vrrp-state, vrrp-advert, vrrp-fault, vrrp-track,
    /// daemon, drbd, esc-service, esc-error, collection, unrecognised.
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,

    /// Every line of every log, recognised or not (streams; files are read twice).
    #[arg(long)]
    pub all: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The PATHs to read and the time window, shared by timeline and analyze.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Bundles (directories or archives: .tar.gz, .tar, .tar.xz, .tar.bz2, .tar.zst, .zip),
    /// single node directories, or bare log files; several are merged. `-` reads standard input
    /// (pasted lines, a log or an archive piped in).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Only events at or after this time: RFC 3339, a UTC date and time, or relative to the
    /// newest event of the input (-2h, -30m).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Only events at or before this time (same forms as --since).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,

    /// Keep about N recognised events at most (about 0.7 KB each); past it the loudest kinds
    /// keep an even sample and the report names them. 0 keeps every one.
    #[arg(long, value_name = "N", default_value_t = crate::timeline::budget::DEFAULT_MAX_EVENTS)]
    pub max_events: usize,
}

impl InputArgs {
    /// The parsed --since and --until.
    pub fn window(&self) -> Result<(Option<TimeSpec>, Option<TimeSpec>), String> {
        let parse = |text: &Option<String>, flag: &str| {
            text.as_deref()
                .map(TimeSpec::parse)
                .transpose()
                .map_err(|error| format!("{flag}: {error}"))
        };
        let (since, until) = (
            parse(&self.since, "--since")?,
            parse(&self.until, "--until")?,
        );
        // Both absolute, or both relative to the same newest instant: comparable now.
        let later = match (&since, &until) {
            (Some(TimeSpec::At(since)), Some(TimeSpec::At(until))) => since > until,
            (Some(TimeSpec::BeforeNewest(since)), Some(TimeSpec::BeforeNewest(until))) => {
                since < until
            }
            _ => false,
        };
        if later {
            return Err(format!(
                "--since {} is later than --until {}: the window is empty",
                self.since.as_deref().unwrap_or(""),
                self.until.as_deref().unwrap_or("")
            ));
        }
        Ok((since, until))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Ndjson,
}

/// What `esc-diag timeline` runs with.
#[derive(Debug, Clone)]
pub struct TimelineConfig {
    pub paths: Vec<PathBuf>,
    pub since: Option<TimeSpec>,
    pub until: Option<TimeSpec>,
    pub nodes: Vec<String>,
    pub kinds: Vec<EventKind>,
    pub all: bool,
    pub format: Format,
    pub rules: Option<PathBuf>,
    pub max_events: usize,
}

impl TimelineArgs {
    /// Checks the arguments and turns them into a configuration.
    pub fn into_config(self, rules: Option<PathBuf>) -> Result<TimelineConfig, String> {
        let (since, until) = self.input.window()?;
        let kinds = self
            .kinds
            .iter()
            .map(|kind| kind.parse::<EventKind>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| format!("--kind: {error}"))?;
        Ok(TimelineConfig {
            since,
            until,
            paths: self.input.paths,
            nodes: self.nodes,
            kinds,
            all: self.all,
            format: self.format,
            rules,
            max_events: self.input.max_events,
        })
    }
}

/// What `esc-diag analyze` runs with.
#[derive(Debug, Clone)]
pub struct AnalyzeConfig {
    pub paths: Vec<PathBuf>,
    pub since: Option<TimeSpec>,
    pub until: Option<TimeSpec>,
    pub format: ReportFormat,
    /// Where the report goes (None: standard output).
    pub output: Option<PathBuf>,
    pub min_severity: Severity,
    pub now: Option<DateTime<Utc>>,
    pub rules: Option<PathBuf>,
    /// Text: every check, not only the failed and warned ones.
    pub verbose: bool,
    pub max_events: usize,
}

impl AnalyzeArgs {
    /// Checks the arguments and turns them into a configuration.
    pub fn into_config(self, rules: Option<PathBuf>) -> Result<AnalyzeConfig, String> {
        let (since, until) = self.input.window()?;
        let now = parse_now(self.now.as_deref())?;
        Ok(AnalyzeConfig {
            since,
            until,
            paths: self.input.paths,
            format: self.format,
            output: self.output,
            min_severity: Severity::parse(&self.min_severity)
                .map_err(|error| format!("--min-severity: {error}"))?,
            now,
            rules,
            verbose: self.verbose,
            max_events: self.input.max_events,
        })
    }
}

const COLLECT_HELP: &str =
    "Bounds: without --since/--until, logs are cut to the last 7 days and each node's
files to 500 MB (the newest logs first); --all lifts both. Collect stops before writing when the
bundle's file system has less free space than twice the data plus 64 MB.

Passwords: ESC_DIAG_SSH_PASSWORD (SSH) and ESC_DIAG_SUDO_PASSWORD (sudo on the peer), else asked
once on the terminal; never logged or written.

Examples:
  esc-diag collect
  esc-diag collect --peer 10.85.103.136 --user admin --since -2h --analyze
  esc-diag collect --no-peer --output /var/tmp/esc-ha-0.tar.gz

Exit codes: 0 a bundle was written (a missing peer is recorded in it), 2 nothing was written.";

/// Options of `esc-diag collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The peer node (address or host name); default: found in esc-config.yaml (HA node list)
    /// or keepalived.conf (unicast_peer), minus this node's own addresses.
    #[arg(long, value_name = "HOST")]
    pub peer: Option<String>,

    /// The SSH user on the peer.
    #[arg(long, value_name = "USER", default_value = "root")]
    pub user: String,

    /// The peer's SSH port.
    #[arg(long, value_name = "N", default_value_t = 22)]
    pub port: u16,

    /// A private key file for SSH (default: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa,
    /// then a password).
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,

    /// The known_hosts file the peer's host key is checked against (default ~/.ssh/known_hosts).
    #[arg(long, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,

    /// Accept and remember the peer's host key on first contact (an unknown key is otherwise
    /// refused; a changed key always is).
    #[arg(long)]
    pub accept_new_host_key: bool,

    /// Logs from this time on: RFC 3339, a UTC date and time, or relative to now (-2h, -1d).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Logs up to this time (same forms as --since).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,

    /// No bound: whole logs, however old and large.
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub all: bool,

    /// Where the bundle goes (default: esc-diag-<host>-<UTC time>.tar.gz in the current
    /// directory).
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Collect this node only.
    #[arg(long, conflicts_with = "peer")]
    pub no_peer: bool,

    /// Map every IPv4 address consistently into 240.0.0.0/4, keeping subnets, so the checks
    /// still work on the redacted bundle.
    #[arg(long)]
    pub redact_ips: bool,

    /// Print analyze's verdict on the new bundle.
    #[arg(long)]
    pub analyze: bool,

    /// No progress display.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Seconds to connect to the peer, check its host key and log in.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub connect_timeout: f64,

    /// This node's file system root (for tests).
    #[arg(long, value_name = "DIR", default_value = "/", hide = true)]
    pub root: PathBuf,

    /// The peer's file system root (for tests).
    #[arg(long, value_name = "DIR", default_value = "/", hide = true)]
    pub peer_root: String,
}

/// What `esc-diag collect` runs with.
#[derive(Debug, Clone)]
pub struct CollectConfig {
    pub peer: Option<String>,
    pub user: String,
    pub port: u16,
    pub identity: Option<PathBuf>,
    pub known_hosts: PathBuf,
    pub accept_new_host_key: bool,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub all: bool,
    pub output: Option<PathBuf>,
    pub no_peer: bool,
    pub redact_ips: bool,
    pub analyze: bool,
    pub quiet: bool,
    pub connect_timeout: std::time::Duration,
    pub root: PathBuf,
    pub peer_root: String,
    pub rules: Option<PathBuf>,
}

impl CollectArgs {
    /// Checks the arguments and turns them into a configuration; relative times are from now.
    pub fn into_config(self, rules: Option<PathBuf>) -> Result<CollectConfig, String> {
        let now = Utc::now();
        let parse = |text: &Option<String>, flag: &str| {
            text.as_deref()
                .map(TimeSpec::parse)
                .transpose()
                .map(|spec| spec.and_then(|spec| spec.resolve(Some(now))))
                .map_err(|error| format!("{flag}: {error}"))
        };
        if !(self.connect_timeout > 0.0 && self.connect_timeout <= 600.0) {
            return Err(format!(
                "--connect-timeout: {} is not between 0 and 600 seconds",
                self.connect_timeout
            ));
        }
        let known_hosts = self.known_hosts.unwrap_or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/root"))
                .join(".ssh/known_hosts")
        });
        Ok(CollectConfig {
            since: parse(&self.since, "--since")?,
            until: parse(&self.until, "--until")?,
            peer: self.peer,
            user: self.user,
            port: self.port,
            identity: self.identity,
            known_hosts,
            accept_new_host_key: self.accept_new_host_key,
            all: self.all,
            output: self.output,
            no_peer: self.no_peer,
            redact_ips: self.redact_ips,
            analyze: self.analyze,
            quiet: self.quiet,
            connect_timeout: std::time::Duration::from_secs_f64(self.connect_timeout),
            root: self.root,
            peer_root: self.peer_root,
            rules,
        })
    }
}

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
    /// List, check and test the rule files and classifier tables.
    #[command(subcommand)]
    Rules(RulesCommand),
}

const ANALYZE_EXAMPLES: &str = "Examples:
  esc-diag analyze testdata/bundles/lab-partition
  esc-diag analyze esc-diag-esc-ha-0-20261125T142036Z.tar.gz --format json > report.json
  esc-diag analyze node0.tar.gz node1.tar.gz --min-severity warning
  esc-diag analyze bundle/ --rules site-rules/ --since 2026-11-25T14:00:00Z

Exit codes: 0 nothing at warning or worse, 1 something at warning or worse, 2 an error.";

/// PATHs and options of `esc-diag analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Show only findings at this level or worse (info, warning, error, critical); the exit code
    /// still counts every finding.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub min_severity: String,

    /// The report's generated_at (RFC 3339), for reproducible output; default: now.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
}

/// `esc-diag rules ...`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule (id, subject, severity, title) and classifier row.
    List,
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

    /// Only this kind of event (repeat for several): vrrp-state, vrrp-advert, vrrp-fault,
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
    /// Bundles (directories or .tar.gz), single node directories, or bare log files; several
    /// are merged.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Only events at or after this time: RFC 3339, a UTC date and time, or relative to the
    /// newest event of the input (-2h, -30m).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Only events at or before this time (same forms as --since).
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,
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
        Ok((
            parse(&self.since, "--since")?,
            parse(&self.until, "--until")?,
        ))
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
    pub min_severity: Severity,
    pub now: Option<DateTime<Utc>>,
    pub rules: Option<PathBuf>,
}

impl AnalyzeArgs {
    /// Checks the arguments and turns them into a configuration.
    pub fn into_config(self, rules: Option<PathBuf>) -> Result<AnalyzeConfig, String> {
        let (since, until) = self.input.window()?;
        let now = self
            .now
            .as_deref()
            .map(|text| {
                DateTime::parse_from_rfc3339(text)
                    .map(|time| time.with_timezone(&Utc))
                    .map_err(|error| format!("--now: {text:?} is not RFC 3339 ({error})"))
            })
            .transpose()?;
        Ok(AnalyzeConfig {
            since,
            until,
            paths: self.input.paths,
            format: self.format,
            min_severity: Severity::parse(&self.min_severity)
                .map_err(|error| format!("--min-severity: {error}"))?,
            now,
            rules,
        })
    }
}

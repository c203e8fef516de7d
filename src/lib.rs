//! esc-diag: troubleshooting Cisco ESC High Availability pairs.
//!
//! The pipeline, one stage per module, data flowing one way:
//! `collect` (this node's files and read-only commands, the peer's over SSH, the clock offset) →
//! `bundle` (what the user gave or collect wrote: bundle directories, .tar.gz bundles, node
//! directories, bare files) → `sources` (one reader per log kind: envelopes, multi-line entries,
//! and the classifier tables of rules/classifiers/ that say what each wording means) →
//! `timeline` (year, zone and clock offset settled; every node's events merged in one order; the
//! states they imply) → `checks` (configuration and reachability from the captures) and `rules`
//! (the diagnosis rules of rules/*.toml: failover causes, split-brain windows, findings) →
//! `diagnosis` (that chain in one place, and the verdict decided from all of it) → `report` (text for people, JSON for tools). `commands` chains the stages; `cli` and `main`
//! only wire the command line to them.
//!
//! Glossary: a **node** is one ESC VM of the pair (its **peer** is the other); a **bundle** is
//! what was collected from the nodes; a **source** reads one kind of log; an **envelope** is the
//! time stamp, host and program around a message; an **event** is one classified log entry with
//! its evidence (node, file, line); the **timeline** is all events on one clock.
//!
//! ```
//! use esc_diag::sources::envelope;
//! let line = "Nov 25 14:20:36 esc-ha-0 Keepalived_vrrp[812]: (esc_ha) Entering MASTER STATE";
//! let envelope = envelope::parse(line);
//! assert_eq!(envelope.program, Some("Keepalived_vrrp"));
//! let classifier = esc_diag::sources::Classifier::load(None);
//! let tables = classifier.tables_for("messages");
//! let found = classifier
//!     .classify(&tables, "messages", envelope.program, None, envelope.message)
//!     .unwrap();
//! assert_eq!(&found.fields["state"], "MASTER");
//! assert_eq!(&found.fields["instance"], "esc_ha");
//! ```

pub mod bundle;
pub mod checks;
pub mod cli;
pub mod collect;
pub mod commands;
pub mod deflate_blocks;
pub mod diagnosis;
pub mod exit_code;
pub mod finding;
pub mod report;
pub mod rule_files;
pub mod rules;
pub mod sources;
pub mod timeline;

use clap::Parser;

use cli::{Cli, Command};
use exit_code::ExitCode;

/// Runs esc-diag with these arguments and returns the process exit code.
pub fn run<I, T>(arguments: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(arguments) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::Error.code()
            } else {
                ExitCode::Success.code()
            };
        }
    };
    commands::configure_color(cli.color);
    // An interrupted run leaves no unpacked archive behind.
    bundle::cleanup::remove_on_signal();
    let result = match cli.command {
        Command::Timeline(arguments) => match arguments.into_config(cli.rules) {
            Ok(config) => commands::timeline::run(&config),
            Err(message) => Err(anyhow::anyhow!(message)),
        },
        Command::Analyze(arguments) => match arguments.into_config(cli.rules) {
            Ok(config) => commands::analyze::run(&config),
            Err(message) => Err(anyhow::anyhow!(message)),
        },
        Command::Diff(arguments) => match arguments.into_config(cli.rules) {
            Ok(config) => commands::diff::run(&config),
            Err(message) => Err(anyhow::anyhow!(message)),
        },
        Command::Collect(arguments) => match arguments.into_config(cli.rules) {
            Ok(config) => commands::collect::run(&config),
            Err(message) => Err(anyhow::anyhow!(message)),
        },
        Command::Completions { shell } => commands::manual::completions(shell),
        Command::Man => commands::manual::man_page(),
        Command::Rules(command) => match command {
            cli::RulesCommand::List => commands::rules::list(cli.rules.as_deref()),
            cli::RulesCommand::Literals { source } => {
                commands::rules::literals(cli.rules.as_deref(), &source)
            }
            cli::RulesCommand::Check { directory } => {
                commands::rules::check(directory.as_deref().or(cli.rules.as_deref()))
            }
            cli::RulesCommand::Test { directory } => {
                commands::rules::test(directory.as_deref().or(cli.rules.as_deref()))
            }
        },
    };
    bundle::cleanup::yield_to_signal();
    match result {
        Ok(code) => code.code(),
        // A reader that went away (`esc-diag man | head`) is not an error of esc-diag's.
        Err(error)
            if error.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::Success.code()
        }
        Err(error) => {
            eprintln!("esc-diag: error: {error:#}");
            ExitCode::Error.code()
        }
    }
}

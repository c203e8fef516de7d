//! `esc-diag completions SHELL` and `esc-diag man`: shell completion scripts and the manual page,
//! both generated from the clap definitions so they never disagree with `--help`.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit_code::ExitCode;

/// Prints the completion script for a shell.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "esc-diag", &mut out);
    out.flush()?;
    Ok(ExitCode::Success)
}

/// Prints the manual page: the main page, then one section per subcommand.
pub fn man_page() -> anyhow::Result<ExitCode> {
    let command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands() {
        let name = format!("esc-diag-{}", sub.get_name());
        let page = sub.clone().display_name(name.clone()).bin_name(name);
        // Each subcommand as its own section of the same page.
        let mut rendered = Vec::new();
        clap_mangen::Man::new(page).render(&mut rendered)?;
        let text = String::from_utf8_lossy(&rendered);
        // Drop the repeated title header (.TH) of the subcommand pages.
        for line in text.lines().filter(|line| !line.starts_with(".TH")) {
            let line = line.replace(
                ".SH NAME",
                &format!(".SH \"COMMAND {}\"", sub.get_name().to_uppercase()),
            );
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::Success)
}

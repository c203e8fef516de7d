//! Commands: the only place the stages are chained (bundle → sources → timeline → report).

pub mod analyze;
pub mod collect;
pub mod diff;
pub mod manual;
pub mod rules;
pub mod timeline;

use std::io::IsTerminal;

use crate::cli::ColorChoice;

/// Sets colour output once for the process: auto means stdout is a terminal and NO_COLOR is unset.
pub fn configure_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    };
    colored::control::set_override(on);
}

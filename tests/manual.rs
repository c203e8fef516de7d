//! Shell completions and the man page: generated from the clap definitions, they parse in their
//! shell (bash -n, zsh -n, fish --no-execute) or in groff, and name every subcommand.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::esc_diag;

const SUBCOMMANDS: &[&str] = &[
    "timeline",
    "analyze",
    "rules",
    "collect",
    "completions",
    "man",
];

/// Runs `program args` with `input` on stdin; returns (success, stderr).
fn run_with_input(program: &str, arguments: &[&str], input: &str) -> (bool, String) {
    let mut child = Command::new(program)
        .args(arguments)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!("{program} is needed for this test (.ci/run installs it): {error}")
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn completions_parse_in_their_shell_and_name_every_subcommand() {
    for (shell, program, arguments) in [
        ("bash", "bash", vec!["-n"]),
        ("zsh", "zsh", vec!["-n"]),
        ("fish", "fish", vec!["--no-execute"]),
    ] {
        let run = esc_diag(["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        let (ok, errors) = run_with_input(program, &arguments, &run.stdout);
        assert!(ok, "{shell} completion does not parse: {errors}");
        for subcommand in SUBCOMMANDS {
            assert!(
                run.stdout.contains(subcommand),
                "{shell} completion lacks {subcommand}"
            );
        }
    }
}

#[test]
fn the_man_page_renders_and_names_every_subcommand() {
    let run = esc_diag(["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.contains(".TH esc-diag"),
        "{}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    let (ok, warnings) = run_with_input("groff", &["-man", "-Tutf8", "-ww", "-z"], &run.stdout);
    assert!(ok, "groff failed: {warnings}");
    assert!(warnings.trim().is_empty(), "groff warnings: {warnings}");
    for subcommand in SUBCOMMANDS {
        assert!(
            run.stdout
                .contains(&format!("COMMAND {}", subcommand.to_uppercase())),
            "the man page lacks {subcommand}"
        );
    }
}

#[test]
fn every_command_has_examples_in_its_help() {
    for subcommand in SUBCOMMANDS {
        let run = esc_diag([*subcommand, "--help"]);
        assert_eq!(run.code, 0, "{subcommand}: {}", run.stderr);
        assert!(
            run.stdout.contains("Example"),
            "{subcommand} --help has no example:\n{}",
            run.stdout
        );
    }
}

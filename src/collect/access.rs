//! How collect reaches a node: run one shell command line there, with a timeout, and stream its
//! stdout. `Local` runs `sh -c` on this machine; `ssh::Remote` runs it over an SSH exec channel.
//! Every file and command of the plan goes through this one door, so both nodes are gathered
//! by the same code.

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::plan;

/// What a command gave.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Empty when the output was streamed to a sink.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// None when it was killed at its timeout or the channel gave none.
    pub exit_code: Option<i32>,
    pub duration: Duration,
    pub timed_out: bool,
}

impl Output {
    /// The shell's answer for a command it could not find.
    pub fn not_found(&self) -> bool {
        self.exit_code == Some(127)
    }

    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).trim().to_string()
    }
}

/// The node could not be asked at all any more (the session is gone).
#[derive(Debug, thiserror::Error)]
#[error("{node}: {why}")]
pub struct AccessError {
    pub node: String,
    pub why: String,
}

/// The stdout receiver of a streamed command.
pub type Sink<'a> = &'a mut dyn FnMut(&[u8]) -> io::Result<()>;

/// One node, reachable for shell command lines.
pub trait Access: Send {
    /// The node as shown in messages (`local`, or the peer's address).
    fn label(&self) -> &str;

    /// Runs `command` with `sh -c`, feeding `stdin`, handing stdout to `sink` as it arrives.
    fn stream(
        &mut self,
        command: &str,
        stdin: Option<&[u8]>,
        timeout: Duration,
        sink: Sink<'_>,
    ) -> Result<Output, AccessError>;

    /// `count` clock samples: (local send, the node's clock, local receive), seconds since the
    /// epoch; one `date` command each (a remote node answers on one channel instead).
    fn clock_samples(&mut self, count: usize) -> Vec<(f64, f64, f64)> {
        let mut samples = Vec::new();
        for _ in 0..count {
            let sent = epoch_now();
            let Ok(output) = self.run(plan::PROBE_CLOCK, None, plan::PROBE_TIMEOUT) else {
                break;
            };
            let received = epoch_now();
            if let Ok(reading) = output.stdout_text().parse::<f64>() {
                samples.push((sent, reading, received));
            }
        }
        samples
    }

    /// Runs `command` and keeps its stdout.
    fn run(
        &mut self,
        command: &str,
        stdin: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Output, AccessError> {
        let mut stdout = Vec::new();
        let mut output = self.stream(command, stdin, timeout, &mut |chunk| {
            stdout.extend_from_slice(chunk);
            Ok(())
        })?;
        output.stdout = stdout;
        Ok(output)
    }
}

/// Seconds since the epoch on this machine's clock.
pub fn epoch_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
}

/// Quotes a word for sh.
pub fn quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_./=:@+%,".contains(&byte))
    {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Quotes an argv into one command line.
pub fn quote_argv<S: AsRef<str>>(argv: &[S]) -> String {
    argv.iter()
        .map(|word| quote(word.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("plain/path-1.log"), "plain/path-1.log");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote_argv(&["ping", "-c", "3"]), "ping -c 3");
    }
}

//! This node: the plan's command lines run with `sh -c` in their own process group, stdout
//! streamed to the caller, stderr collected, and the whole group killed at the timeout.

use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::access::{Access, AccessError, Output, Sink};

/// This machine.
pub struct Local {
    label: String,
}

impl Local {
    pub fn new() -> Local {
        Local {
            label: "local".to_string(),
        }
    }
}

impl Default for Local {
    fn default() -> Self {
        Local::new()
    }
}

impl Access for Local {
    fn label(&self) -> &str {
        &self.label
    }

    fn stream(
        &mut self,
        command: &str,
        stdin: Option<&[u8]>,
        timeout: Duration,
        sink: Sink<'_>,
    ) -> Result<Output, AccessError> {
        let started = Instant::now();
        let lost = |why: String| AccessError {
            node: "local".to_string(),
            why,
        };
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|error| lost(format!("cannot start sh: {error}")))?;
        let group = child.id() as i32;
        let (cancel, cancelled) = mpsc::channel::<()>();
        let watchdog = thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = cancelled.recv_timeout(timeout) {
                // SAFETY: kill(2) on the process group this call created; no memory involved.
                unsafe {
                    libc::kill(-group, libc::SIGKILL);
                }
                return true;
            }
            false
        });
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            let bytes = bytes.to_vec();
            thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            });
        }
        let stderr_reader = child.stderr.take().map(|pipe| {
            thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.take(1 << 20).read_to_end(&mut bytes);
                bytes
            })
        });
        let mut sink_error = None;
        if let Some(mut pipe) = child.stdout.take() {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                match pipe.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(count) => {
                        if let Err(error) = sink(&buffer[..count]) {
                            sink_error = Some(error);
                            // SAFETY: as above.
                            unsafe {
                                libc::kill(-group, libc::SIGKILL);
                            }
                            break;
                        }
                    }
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        let status = child.wait();
        let _ = cancel.send(());
        let timed_out = watchdog.join().unwrap_or(false);
        let stderr = stderr_reader
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        if let Some(error) = sink_error {
            return Err(lost(format!("writing the output of {command:?}: {error}")));
        }
        Ok(Output {
            stdout: Vec::new(),
            stderr,
            exit_code: if timed_out {
                None
            } else {
                status.ok().and_then(|status| status.code())
            },
            duration: started.elapsed(),
            timed_out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::access::quote;

    #[test]
    fn quoting_survives_the_shell() {
        let mut local = Local::new();
        let word = "it's a $HOME `x`";
        let output = local
            .run(
                &format!("printf %s {}", quote(word)),
                None,
                Duration::from_secs(5),
            )
            .unwrap();
        assert_eq!(output.stdout, word.as_bytes());
    }

    #[test]
    fn a_hanging_command_is_killed_at_its_timeout() {
        let mut local = Local::new();
        let started = Instant::now();
        let output = local
            .run("sleep 30 | cat", None, Duration::from_millis(300))
            .unwrap();
        assert!(output.timed_out);
        assert_eq!(output.exit_code, None);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_missing_command_is_127() {
        let output = Local::new()
            .run("no-such-command-esc-diag", None, Duration::from_secs(5))
            .unwrap();
        assert!(output.not_found());
    }
}

//! The peer, over SSH (the ssh2 crate, libssh2 and OpenSSL built in, so nothing is needed on
//! either node but the peer's own sshd): connecting within one deadline, checking the host key
//! against known_hosts, authenticating (agent, key file, password), finding out how root-only
//! files can be read (root, `sudo -n`, a sudo password), and running the plan's command lines
//! on exec channels. Every failure is classified (`Failure`) so the bundle can say why the peer
//! is missing.

use std::io::{IsTerminal, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ssh2::{CheckResult, HostKeyType, KnownHostFileKind, MethodType, Session};

use super::access::{Access, AccessError, Output, Sink, epoch_now, quote};
use super::gather::Sudo;
use super::plan;

/// The environment variable holding the SSH password, for automation.
pub const SSH_PASSWORD_VARIABLE: &str = "ESC_DIAG_SSH_PASSWORD";
/// The environment variable holding the sudo password on the peer.
pub const SUDO_PASSWORD_VARIABLE: &str = "ESC_DIAG_SUDO_PASSWORD";

/// How to reach the peer.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub identity: Option<PathBuf>,
    pub known_hosts: PathBuf,
    pub accept_new_host_key: bool,
    pub connect_timeout: Duration,
    /// Ask for passwords on the terminal when the environment has none.
    pub interactive: bool,
}

/// Why the peer could not be reached; the first word (`class`) is stable.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{class}: {message}")]
pub struct Failure {
    /// unreachable, refused, timeout, no-banner, host-key-unknown, host-key-changed,
    /// auth-failed.
    pub class: &'static str,
    pub message: String,
}

fn failure(class: &'static str, message: impl Into<String>) -> Failure {
    Failure {
        class,
        message: message.into(),
    }
}

/// A connected, authenticated peer.
pub struct Remote {
    session: Session,
    label: String,
    /// The longest wait for one read: a transfer that stalls this long has failed.
    stall: Duration,
    /// The last command timed out: check the session answers before the next one.
    suspect: bool,
    /// Why the session is gone; every later command fails at once with it.
    dead: Option<String>,
}

/// Ciphers offered first, best first (AES runs through OpenSSL); the others libssh2 knows follow.
const PREFERRED_CIPHERS: [&str; 5] = [
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
];

fn connect_tcp(target: &Target, deadline: Instant) -> Result<TcpStream, Failure> {
    let shown = format!("{}:{}", target.host, target.port);
    let addresses: Vec<SocketAddr> = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|error| failure("unreachable", format!("{shown}: cannot resolve: {error}")))?
        .collect();
    let mut last = failure("unreachable", format!("{shown}: no address"));
    for address in addresses {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&address, left) {
            Ok(stream) => {
                // SSH sends many small packets (channel open, exec, window adjust, close): with
                // Nagle's algorithm each waited for the peer's delayed acknowledgement, about
                // 40 ms, so every remote command took over 100 ms (OpenSSH sets this too).
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(error) => {
                last = match error.kind() {
                    std::io::ErrorKind::ConnectionRefused => failure(
                        "refused",
                        format!("{shown}: connection refused (sshd not running or port closed)"),
                    ),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => failure(
                        "timeout",
                        format!(
                            "{shown}: no answer to the TCP connection within {} s (packets dropped or host down)",
                            target.connect_timeout.as_secs_f64()
                        ),
                    ),
                    _ => failure("unreachable", format!("{shown}: {error}")),
                }
            }
        }
    }
    Err(last)
}

fn key_type_name(kind: HostKeyType) -> &'static str {
    match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        _ => "unknown",
    }
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let value = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for index in 0..4 {
            if index <= chunk.len() {
                out.push(TABLE[(value >> (18 - 6 * index) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn host_entry(target: &Target) -> String {
    if target.port == 22 {
        target.host.clone()
    } else {
        format!("[{}]:{}", target.host, target.port)
    }
}

fn check_host_key(session: &Session, target: &Target) -> Result<(), Failure> {
    let shown = host_entry(target);
    let (key, kind) = session
        .host_key()
        .ok_or_else(|| failure("no-banner", format!("{shown}: the server sent no host key")))?;
    let mut known = session
        .known_hosts()
        .map_err(|error| failure("host-key-unknown", format!("{shown}: {error}")))?;
    let file = &target.known_hosts;
    if file.exists() {
        known
            .read_file(file, KnownHostFileKind::OpenSSH)
            .map_err(|error| {
                failure(
                    "host-key-unknown",
                    format!("{}: cannot read: {error}", file.display()),
                )
            })?;
    }
    match known.check_port(&target.host, target.port, key) {
        CheckResult::Match => Ok(()),
        CheckResult::Mismatch => Err(failure(
            "host-key-changed",
            format!(
                "{shown}: the host key ({}) differs from the one in {}; if the peer was reinstalled, remove the old line (ssh-keygen -R '{shown}' -f {})",
                key_type_name(kind),
                file.display(),
                file.display()
            ),
        )),
        CheckResult::NotFound | CheckResult::Failure if target.accept_new_host_key => {
            let line = format!("{shown} {} {}\n", key_type_name(kind), base64(key));
            if let Some(parent) = file.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .and_then(|mut out| out.write_all(line.as_bytes()))
                .map_err(|error| {
                    failure(
                        "host-key-unknown",
                        format!("{}: cannot add the new host key: {error}", file.display()),
                    )
                })
        }
        CheckResult::NotFound | CheckResult::Failure => Err(failure(
            "host-key-unknown",
            format!(
                "{shown}: the host key ({}) is not in {}; check it and connect once with ssh, or give --accept-new-host-key",
                key_type_name(kind),
                file.display()
            ),
        )),
    }
}

fn default_identities() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("HOME") else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|name| Path::new(&home).join(".ssh").join(name))
        .filter(|path| path.is_file())
        .collect()
}

fn authenticate(session: &Session, target: &Target) -> Result<(), Failure> {
    let user = &target.user;
    let mut tried = Vec::new();
    if let Some(identity) = &target.identity {
        tried.push(format!("key {}", identity.display()));
        if session
            .userauth_pubkey_file(user, None, identity, None)
            .is_ok()
            && session.authenticated()
        {
            return Ok(());
        }
    } else {
        if std::env::var_os("SSH_AUTH_SOCK").is_some() {
            tried.push("ssh-agent".to_string());
            if session.userauth_agent(user).is_ok() && session.authenticated() {
                return Ok(());
            }
        }
        for identity in default_identities() {
            tried.push(format!("key {}", identity.display()));
            if session
                .userauth_pubkey_file(user, None, &identity, None)
                .is_ok()
                && session.authenticated()
            {
                return Ok(());
            }
        }
    }
    let password = std::env::var(SSH_PASSWORD_VARIABLE).ok().or_else(|| {
        (target.interactive && std::io::stdin().is_terminal())
            .then(|| {
                rpassword::prompt_password(format!(
                    "esc-diag: password for {user}@{}: ",
                    target.host
                ))
                .ok()
            })
            .flatten()
    });
    if let Some(password) = password {
        tried.push("password".to_string());
        if session.userauth_password(user, &password).is_ok() && session.authenticated() {
            return Ok(());
        }
    }
    Err(failure(
        "auth-failed",
        format!(
            "{user}@{}:{}: authentication failed (tried: {}; set {SSH_PASSWORD_VARIABLE} or --identity)",
            target.host,
            target.port,
            if tried.is_empty() {
                "nothing".to_string()
            } else {
                tried.join(", ")
            }
        ),
    ))
}

impl Remote {
    /// Connects, checks the host key and authenticates, all within the connect timeout.
    pub fn connect(target: &Target) -> Result<Remote, Failure> {
        let started = Instant::now();
        let deadline = started + target.connect_timeout;
        let stream = connect_tcp(target, deadline)?;
        let shown = format!("{}:{}", target.host, target.port);
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(100));
        let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(120)));
        let mut session =
            Session::new().map_err(|error| failure("unreachable", format!("{shown}: {error}")))?;
        session.set_tcp_stream(stream);
        session.set_timeout(left.as_millis().max(1) as u32);
        // AES first: libssh2 runs it through OpenSSL (AES-NI), while its own ChaCha20-Poly1305,
        // the server's usual first choice, was a quarter of a collection's time. The server
        // still picks, from this list, what it supports.
        for direction in [MethodType::CryptCs, MethodType::CryptSc] {
            // Every cipher libssh2 knows stays offered, the preferred ones first.
            if let Ok(known) = session.supported_algs(direction) {
                let mut offered: Vec<&str> = PREFERRED_CIPHERS
                    .iter()
                    .copied()
                    .filter(|cipher| known.contains(cipher))
                    .collect();
                offered.extend(
                    known
                        .iter()
                        .copied()
                        .filter(|cipher| !PREFERRED_CIPHERS.contains(cipher)),
                );
                let _ = session.method_pref(direction, &offered.join(","));
            }
        }
        session.handshake().map_err(|error| {
            failure(
                "no-banner",
                format!(
                    "{shown}: the TCP connection was accepted but the SSH handshake did not complete within {:.1} s ({error}); sshd may be hung or overloaded",
                    target.connect_timeout.as_secs_f64()
                ),
            )
        })?;
        check_host_key(&session, target)?;
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(2));
        session.set_timeout(left.as_millis() as u32);
        authenticate(&session, target)?;
        session.set_keepalive(true, 15);
        Ok(Remote {
            session,
            label: target.host.clone(),
            stall: Duration::from_secs(60),
            suspect: false,
            dead: None,
        })
    }

    /// How root-only files are read on the peer.
    pub fn sudo(&mut self, target: &Target) -> Sudo {
        let timeout = Duration::from_secs(10);
        let id = self.run("id -u", None, timeout);
        if id.as_ref().is_ok_and(|output| output.stdout_text() == "0") {
            return Sudo::NotNeeded;
        }
        match self.run("sudo -n true", None, timeout) {
            Ok(output) if output.exit_code == Some(0) => return Sudo::NoPassword,
            Ok(output) if output.not_found() => {
                return Sudo::Unavailable("sudo is not installed".to_string());
            }
            _ => {}
        }
        let password = std::env::var(SUDO_PASSWORD_VARIABLE).ok().or_else(|| {
            (target.interactive && std::io::stdin().is_terminal())
                .then(|| {
                    rpassword::prompt_password(format!(
                        "esc-diag: sudo password for {}@{}: ",
                        target.user, target.host
                    ))
                    .ok()
                })
                .flatten()
        });
        let Some(password) = password else {
            return Sudo::Unavailable(format!(
                "sudo -n is not granted (a password is required; set {SUDO_PASSWORD_VARIABLE})"
            ));
        };
        let stdin = format!("{password}\n");
        match self.run("sudo -S -p '' true", Some(stdin.as_bytes()), timeout) {
            Ok(output) if output.exit_code == Some(0) => Sudo::Password(password),
            _ => Sudo::Unavailable(
                "sudo refused the password (or the user may not run commands as root)".to_string(),
            ),
        }
    }

    fn lost(&self, what: &str, error: impl std::fmt::Display) -> AccessError {
        AccessError {
            node: self.label.clone(),
            why: format!("{what}: {error}"),
        }
    }
}

impl Access for Remote {
    fn label(&self) -> &str {
        &self.label
    }

    /// All samples on one exec channel running a read/date loop: each round trip is one line
    /// out and one reading back, without opening a channel inside it.
    fn clock_samples(&mut self, count: usize) -> Vec<(f64, f64, f64)> {
        let mut samples = Vec::new();
        if self.dead.is_some() {
            return samples;
        }
        self.session
            .set_timeout(plan::PROBE_TIMEOUT.as_millis() as u32);
        let Ok(mut channel) = self.session.channel_session() else {
            return samples;
        };
        if channel
            .exec(&format!("sh -c {}", quote(plan::PROBE_CLOCK_LOOP)))
            .is_err()
        {
            return samples;
        }
        let mut pending = Vec::new();
        // One warm-up round (the shell starting), then the samples.
        for round in 0..=count {
            let sent = epoch_now();
            if channel
                .write_all(b"\n")
                .and_then(|()| channel.flush())
                .is_err()
            {
                break;
            }
            let mut byte = [0u8; 1];
            let mut line_done = false;
            while !line_done {
                match channel.read(&mut byte) {
                    Ok(1) if byte[0] == b'\n' => line_done = true,
                    Ok(1) => pending.push(byte[0]),
                    _ => break,
                }
            }
            let received = epoch_now();
            if !line_done {
                break;
            }
            let text = String::from_utf8_lossy(&pending).trim().to_string();
            pending.clear();
            if round > 0
                && let Ok(reading) = text.parse::<f64>()
            {
                samples.push((sent, reading, received));
            }
        }
        let _ = channel.send_eof();
        self.session.set_timeout(1000);
        let _ = channel.close();
        samples
    }

    fn stream(
        &mut self,
        command: &str,
        stdin: Option<&[u8]>,
        timeout: Duration,
        sink: Sink<'_>,
    ) -> Result<Output, AccessError> {
        if let Some(why) = &self.dead {
            return Err(AccessError {
                node: self.label.clone(),
                why: why.clone(),
            });
        }
        let result = self.stream_once(command, stdin, timeout, sink);
        if let Err(error) = &result {
            self.dead = Some(error.why.clone());
            // Dropping the session later says goodbye; do not wait long for a dead peer.
            self.session.set_timeout(1000);
        }
        result
    }
}

impl Remote {
    fn stream_once(
        &mut self,
        command: &str,
        stdin: Option<&[u8]>,
        timeout: Duration,
        sink: Sink<'_>,
    ) -> Result<Output, AccessError> {
        if self.suspect {
            // A command timed out: a hung command, or a peer that stopped answering?
            self.suspect = false;
            let alive = self
                .stream("true", None, Duration::from_secs(5), &mut |_| Ok(()))
                .is_ok_and(|output| output.exit_code == Some(0));
            if !alive {
                return Err(self.lost(
                    "timeout",
                    "the peer stopped answering (a command and a check after it timed out)",
                ));
            }
        }
        let started = Instant::now();
        let deadline = started + timeout;
        self.session
            .set_timeout(timeout.min(self.stall).as_millis().max(1) as u32);
        let mut channel = self
            .session
            .channel_session()
            .map_err(|error| self.lost("opening a channel", error))?;
        channel
            .exec(command)
            .map_err(|error| self.lost("starting a command", error))?;
        if let Some(bytes) = stdin {
            let _ = channel.write_all(bytes);
        }
        let _ = channel.send_eof();
        let mut buffer = vec![0u8; 64 * 1024];
        let mut timed_out = false;
        let mut sink_error = None;
        loop {
            if Instant::now() >= deadline {
                timed_out = true;
                break;
            }
            match channel.read(&mut buffer) {
                Ok(0) => break,
                Ok(count) => {
                    if let Err(error) = sink(&buffer[..count]) {
                        sink_error = Some(error);
                        break;
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => {
                    if error.kind() == std::io::ErrorKind::TimedOut
                        || error.to_string().contains("imed out")
                    {
                        timed_out = true;
                        break;
                    }
                    return Err(self.lost("reading", error));
                }
            }
        }
        let mut stderr = Vec::new();
        let mut exit_code = None;
        if !timed_out && sink_error.is_none() {
            let _ = channel.stderr().take(1 << 20).read_to_end(&mut stderr);
            let _ = channel.wait_close();
            exit_code = channel.exit_status().ok();
        } else {
            self.suspect = timed_out;
            // Closing waits for the peer; a hung peer must not hold us here.
            self.session.set_timeout(1000);
            let _ = channel.close();
            drop(channel);
        }
        if let Some(error) = sink_error {
            return Err(self.lost("storing the output", error));
        }
        Ok(Output {
            stdout: Vec::new(),
            stderr,
            exit_code,
            duration: started.elapsed(),
            timed_out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_openssh_writes_it() {
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
    }
}

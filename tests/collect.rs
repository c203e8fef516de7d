//! `esc-diag collect` against a real OpenSSH sshd started here (127.0.0.1, a free port, its own
//! host key, faketime-skewed sessions) and fake node file system trees: authentication, host
//! keys, unreachable peers (refused, blackholed with nftables, frozen with SIGSTOP), sudo,
//! redaction, the time window measured in bytes on the wire, the clock offset, and the bundle
//! read back by analyze. Needs root, openssh-server, sudo, faketime and nftables (.ci/run
//! installs them); a missing one fails the test with a message.

use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Timelike;
use serde_json::Value;
use sha2::Digest;

use crate::support::esc_diag;

/// The peer's clock in the faketime'd sessions: this many seconds behind.
const SKEW_S: f64 = -5.0;
const FAKETIME_LIB: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

fn require(path: &str, package: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: install {package} (.ci/run does, as root)"
    );
}

fn sh(command: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(command)
        .output()
        .expect("sh runs")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn unique(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}{}x{}",
        std::process::id() % 100_000,
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// A directory every test user can traverse.
fn open_tempdir() -> tempfile::TempDir {
    let directory = tempfile::tempdir().expect("a temporary directory");
    fs::set_permissions(directory.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    directory
}

/// A real sshd on 127.0.0.1; killed (and thawed first) on drop.
struct Sshd {
    child: Child,
    port: u16,
    directory: tempfile::TempDir,
}

impl Sshd {
    fn start() -> Sshd {
        require("/usr/sbin/sshd", "openssh-server");
        require(FAKETIME_LIB, "faketime");
        let directory = open_tempdir();
        let path = directory.path();
        for (name, file) in [("host", "host_ed25519"), ("client", "id_ed25519")] {
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(path.join(file))
                .status()
                .expect("ssh-keygen runs");
            assert!(status.success(), "ssh-keygen failed");
        }
        fs::copy(path.join("id_ed25519.pub"), path.join("authorized_keys")).expect("copy key");
        fs::set_permissions(
            path.join("authorized_keys"),
            fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        fs::create_dir_all("/run/sshd").expect("/run/sshd");
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_ed25519\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {dir}/authorized_keys\nStrictModes no\nUsePAM no\nPermitRootLogin yes\n\
             PasswordAuthentication yes\nKbdInteractiveAuthentication no\nLogLevel ERROR\nMaxStartups 100\n\
             SetEnv LD_PRELOAD={FAKETIME_LIB} FAKETIME={SKEW_S} FAKETIME_DONT_FAKE_MONOTONIC=1\n",
            dir = path.display()
        );
        fs::write(path.join("sshd_config"), config).expect("sshd_config");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(path.join("sshd_config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sshd starts");
        let sshd = Sshd {
            child,
            port,
            directory,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "sshd did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    fn path(&self, name: &str) -> PathBuf {
        self.directory.path().join(name)
    }

    /// A known_hosts file holding this sshd's real host key.
    fn known_hosts(&self) -> PathBuf {
        let key = fs::read_to_string(self.path("host_ed25519.pub")).expect("host key");
        let mut words = key.split_whitespace();
        let line = format!(
            "[127.0.0.1]:{} {} {}\n",
            self.port,
            words.next().unwrap_or(""),
            words.next().unwrap_or("")
        );
        let file = self.path(&unique("known_hosts-"));
        fs::write(&file, line).expect("known_hosts");
        file
    }

    fn freeze(&self) {
        // SAFETY: signals a child this test started.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGSTOP) };
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        // SAFETY: as above; SIGCONT first so a frozen sshd can die.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGCONT) };
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static USERS: Mutex<()> = Mutex::new(());

/// A local account for one test (with a password; sudo rules optional); removed on drop.
struct TestUser {
    name: String,
    password: String,
}

impl TestUser {
    fn create(sudoers: Option<&str>) -> TestUser {
        require("/usr/bin/sudo", "sudo");
        let name = unique("escdt");
        let password = format!("pw-{name}-Z9");
        let _guard = USERS.lock().unwrap_or_else(|poison| poison.into_inner());
        let output = sh(&format!(
            "useradd -M -d /tmp -s /bin/sh {name} && echo '{name}:{password}' | chpasswd"
        ));
        assert!(
            output.status.success(),
            "useradd: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let user = TestUser { name, password };
        if let Some(rule) = sudoers {
            let file = format!("/etc/sudoers.d/{}", user.name);
            fs::write(&file, format!("{} {rule}\n", user.name)).expect("sudoers");
            fs::set_permissions(&file, fs::Permissions::from_mode(0o440)).expect("chmod");
        }
        user
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        let _guard = USERS.lock().unwrap_or_else(|poison| poison.into_inner());
        let _ = fs::remove_file(format!("/etc/sudoers.d/{}", self.name));
        let _ = sh(&format!("userdel {} 2>/dev/null", self.name));
    }
}

/// An nftables table for one test (drop rules, byte counters); deleted on drop.
struct Nft {
    table: String,
}

impl Nft {
    fn new(rules: &str) -> Nft {
        require("/usr/sbin/nft", "nftables");
        let table = unique("escdiag");
        let script = format!(
            "table inet {table} {{\n chain out {{\n type filter hook output priority -10; policy accept;\n {rules}\n }}\n}}\n"
        );
        let mut child = Command::new("nft")
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nft runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("write rules");
        let output = child.wait_with_output().expect("nft ends");
        assert!(
            output.status.success(),
            "nft: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Nft { table }
    }

    /// The bytes counted by the table's counter.
    fn counted_bytes(&self) -> u64 {
        let output = sh(&format!("nft list table inet {}", self.table));
        let text = String::from_utf8_lossy(&output.stdout);
        let words: Vec<&str> = text.split_whitespace().collect();
        words
            .windows(2)
            .find(|pair| pair[0] == "bytes")
            .and_then(|pair| pair[1].parse().ok())
            .unwrap_or_else(|| panic!("no counter in {text}"))
    }
}

impl Drop for Nft {
    fn drop(&mut self) {
        let _ = sh(&format!("nft delete table inet {}", self.table));
    }
}

const MESSAGES: &str = "\
Nov 25 15:53:00 esc-ha-1 Keepalived_vrrp[812]: (esc_ha) Entering BACKUP STATE
Nov 25 15:53:08 esc-ha-1 app[1]: login user=admin password=s3cr3tpw ok
";

/// A fake node file system: logs with keepalived lines, ESC logs, state, configuration with
/// planted secrets.
fn node_tree(host: &str) -> tempfile::TempDir {
    let root = open_tempdir();
    let files = [
        (
            "var/log/messages".to_string(),
            MESSAGES.replace("esc-ha-1", host),
        ),
        (
            "var/log/esc/escadm.log".to_string(),
            "2026-11-25 15:53:07,000 INFO escadm: ESC service started\n".to_string(),
        ),
        (
            "opt/cisco/esc/keepalived_state".to_string(),
            "BACKUP\n".to_string(),
        ),
        (
            "opt/cisco/esc/esc-config/esc-config.yaml".to_string(),
            "esc:\n  ha:\n    ha_node_list: [127.0.0.1]\n  db:\n    password: hunter2\n".to_string(),
        ),
        (
            "etc/keepalived/keepalived.conf".to_string(),
            "vrrp_instance esc_ha {\n  interface lo\n  virtual_router_id 137\n  priority 101\n  advert_int 1\n  authentication {\n    auth_type PASS\n    auth_pass cisco123\n  }\n}\n".to_string(),
        ),
    ];
    for (relative, text) in files {
        let path = root.path().join(relative);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, text).expect("write");
    }
    for directory in ["var", "var/log", "var/log/esc", "opt", "opt/cisco", "etc"] {
        let _ = fs::set_permissions(
            root.path().join(directory),
            fs::Permissions::from_mode(0o755),
        );
    }
    root
}

/// One collect run and its unpacked bundle.
struct Collected {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    manifest: Value,
    unpacked: tempfile::TempDir,
    archive: PathBuf,
    _out: tempfile::TempDir,
}

impl Collected {
    fn node(&self, local: bool) -> &Value {
        let nodes = self.manifest["nodes"].as_array().expect("nodes");
        let collected_by = self.manifest["collected_by"].as_str().unwrap_or("");
        nodes
            .iter()
            .find(|node| (node["name"] == collected_by) == local)
            .unwrap_or_else(|| {
                panic!(
                    "no {} node in {}",
                    if local { "local" } else { "peer" },
                    self.manifest
                )
            })
    }

    fn errors(&self) -> String {
        self.manifest["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|node| node["errors"].as_array().cloned().unwrap_or_default())
            .map(|error| format!("{}: {}", error["what"], error["why"]))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn peer_file(&self, relative: &str) -> Option<String> {
        let dir = self.node(false)["dir"].as_str()?.to_string();
        let top = fs::read_dir(self.unpacked.path())
            .ok()?
            .next()?
            .ok()?
            .path();
        fs::read_to_string(top.join(dir).join(relative)).ok()
    }
}

fn collect(local_root: &Path, arguments: &[&str], environment: &[(&str, &str)]) -> Collected {
    let out = tempfile::tempdir().expect("a temporary directory");
    let archive = out.path().join("bundle.tar.gz");
    let home = tempfile::tempdir().expect("a home");
    let mut command = assert_cmd::Command::cargo_bin("esc-diag").expect("the binary");
    command
        .env("HOME", home.path())
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("ESC_DIAG_SSH_PASSWORD")
        .env_remove("ESC_DIAG_SUDO_PASSWORD")
        .args(["collect", "--quiet", "--root"])
        .arg(local_root)
        .arg("--output")
        .arg(&archive)
        .args(arguments)
        .timeout(Duration::from_secs(90));
    for (name, value) in environment {
        command.env(name, value);
    }
    let started = Instant::now();
    let output = command.output().expect("esc-diag runs");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let code = output.status.code().unwrap_or(-1);
    let unpacked = tempfile::tempdir().expect("a temporary directory");
    let mut manifest = Value::Null;
    if code == 0 {
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&archive)
            .arg("-C")
            .arg(unpacked.path())
            .status()
            .expect("tar runs");
        assert!(status.success(), "the bundle does not unpack");
        let top = fs::read_dir(unpacked.path())
            .expect("unpacked")
            .next()
            .expect("one top directory")
            .expect("an entry")
            .path();
        manifest = serde_json::from_str(
            &fs::read_to_string(top.join("manifest.json")).expect("manifest.json"),
        )
        .expect("manifest.json is JSON");
    }
    Collected {
        code,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
        elapsed,
        manifest,
        unpacked,
        archive,
        _out: out,
    }
}

fn ssh_arguments(sshd: &Sshd, known_hosts: &Path) -> Vec<String> {
    vec![
        "--peer".into(),
        "127.0.0.1".into(),
        "--port".into(),
        sshd.port.to_string(),
        "--known-hosts".into(),
        known_hosts.display().to_string(),
        "--connect-timeout".into(),
        "3".into(),
    ]
}

fn as_str(arguments: &[String]) -> Vec<&str> {
    arguments.iter().map(String::as_str).collect()
}

#[test]
fn key_auth_gathers_both_nodes_redacted_with_the_peer_clock_offset_and_analyze_reads_it() {
    let sshd = Sshd::start();
    let local = node_tree("esc-ha-0");
    let peer = node_tree("esc-ha-1");
    let mut arguments = ssh_arguments(&sshd, &sshd.known_hosts());
    arguments.extend([
        "--identity".into(),
        sshd.path("id_ed25519").display().to_string(),
        "--peer-root".into(),
        peer.path().display().to_string(),
        "--all".into(),
        "--analyze".into(),
    ]);
    let run = collect(local.path(), &as_str(&arguments), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.manifest["format"], "esc-diag-bundle/1");
    // stdout: the bundle's path, then analyze's verdict line.
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].ends_with("bundle.tar.gz"), "{}", run.stdout);
    assert!(
        ["HEALTHY", "DEGRADED", "FAILOVER", "SPLIT-BRAIN", "UNKNOWN"]
            .iter()
            .any(|status| lines[1].starts_with(status)),
        "{}",
        run.stdout
    );
    // The verdict collect prints (from the tree, read while it was packed) is the one analyze
    // gives on the written bundle.
    let report = crate::support::analyze(&run.archive, &[]).json();
    let status = report["verdict"]["status"]
        .as_str()
        .unwrap_or("")
        .to_uppercase();
    let headline = report["verdict"]["headline"].as_str().unwrap_or("");
    assert_eq!(lines[1], format!("{status}  {headline}"));
    assert!(
        run.manifest["collected_at"]
            .as_str()
            .is_some_and(|time| time.ends_with('Z'))
    );
    let peer_node = run.node(false);
    assert!(
        run.peer_file("var/log/messages")
            .is_some_and(|text| text.contains("esc-ha-1 Keepalived_vrrp")),
        "{}",
        run.errors()
    );
    assert!(run.peer_file("commands/ip_addr.txt").is_some());
    // The peer's sessions run 5 s behind (faketime).
    let offset = peer_node["clock_offset_s"].as_f64().expect("an offset");
    let uncertainty = peer_node["clock_uncertainty_s"]
        .as_f64()
        .expect("uncertainty");
    assert!((offset - SKEW_S).abs() < 0.5, "offset {offset}");
    assert!(uncertainty < 0.5, "uncertainty {uncertainty}");
    assert_eq!(run.node(true)["clock_offset_s"].as_f64(), Some(0.0));
    // Every file is listed with its hash; secrets are counted.
    for node in [run.node(true), peer_node] {
        let files = node["files"].as_array().expect("files");
        let find = |path: &str| files.iter().find(|file| file["path"] == path).cloned();
        for (path, count) in [
            ("etc/keepalived/keepalived.conf", 1),
            ("opt/cisco/esc/esc-config/esc-config.yaml", 1),
            ("var/log/messages", 1),
        ] {
            let file = find(path).unwrap_or_else(|| panic!("{path} not in {node}"));
            assert_eq!(file["redactions"], count, "{path}");
            assert_eq!(file["sha256"].as_str().map(str::len), Some(64));
            assert!(
                file["mtime"]
                    .as_str()
                    .is_some_and(|time| time.ends_with('Z'))
            );
        }
        assert!(node["commands"].as_array().is_some_and(|commands| {
            commands
                .iter()
                .any(|command| command["name"] == "ip_addr" && command["exit_code"] == 0)
        }));
    }
    // No planted secret survives anywhere in the bundle (archive bytes, decompressed).
    let mut bytes = Vec::new();
    let file = fs::File::open(&run.archive).expect("archive");
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(file), &mut bytes)
        .expect("gunzip");
    let text = String::from_utf8_lossy(&bytes);
    for secret in ["cisco123", "hunter2", "s3cr3tpw"] {
        assert!(!text.contains(secret), "{secret} is in the bundle");
    }
    assert!(text.contains("<redacted>"));
    // analyze reads the bundle back.
    let analyzed = esc_diag(
        ["analyze", "--format", "json"]
            .iter()
            .map(|s| s.to_string())
            .chain([run.archive.display().to_string()]),
    );
    assert!(
        analyzed.code == 0 || analyzed.code == 1,
        "{}",
        analyzed.stderr
    );
    let report = analyzed.json();
    assert_eq!(
        report["nodes"].as_array().map(Vec::len),
        Some(2),
        "{report}"
    );
}

#[test]
fn password_auth_and_sudo_with_and_without_nopasswd() {
    let sshd = Sshd::start();
    let local = node_tree("esc-ha-0");
    let peer = node_tree("esc-ha-1");
    let secret_log = peer.path().join("var/log/esc/escadm.log");
    fs::set_permissions(&secret_log, fs::Permissions::from_mode(0o600)).expect("chmod");
    let known = sshd.known_hosts();
    let base = |user: &str| {
        let mut arguments = ssh_arguments(&sshd, &known);
        arguments.extend([
            "--user".into(),
            user.to_string(),
            "--peer-root".into(),
            peer.path().display().to_string(),
            "--all".into(),
        ]);
        arguments
    };
    // NOPASSWD: password login, the root-only log read with sudo -n.
    let nopasswd = TestUser::create(Some("ALL=(root) NOPASSWD: ALL"));
    let run = collect(
        local.path(),
        &as_str(&base(&nopasswd.name)),
        &[("ESC_DIAG_SSH_PASSWORD", nopasswd.password.as_str())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.peer_file("var/log/esc/escadm.log").is_some(),
        "{}",
        run.errors()
    );
    // A wrong password: auth-failed, the local bundle is still written.
    let run = collect(
        local.path(),
        &as_str(&base(&nopasswd.name)),
        &[("ESC_DIAG_SSH_PASSWORD", "wrong")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.errors().contains("auth-failed"), "{}", run.errors());
    // sudo with a password: read with ESC_DIAG_SUDO_PASSWORD, reported without it.
    let withpw = TestUser::create(Some("ALL=(root) ALL"));
    let run = collect(
        local.path(),
        &as_str(&base(&withpw.name)),
        &[
            ("ESC_DIAG_SSH_PASSWORD", withpw.password.as_str()),
            ("ESC_DIAG_SUDO_PASSWORD", withpw.password.as_str()),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.peer_file("var/log/esc/escadm.log").is_some(),
        "{}",
        run.errors()
    );
    let run = collect(
        local.path(),
        &as_str(&base(&withpw.name)),
        &[("ESC_DIAG_SSH_PASSWORD", withpw.password.as_str())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.peer_file("var/log/esc/escadm.log").is_none());
    assert!(run.peer_file("var/log/messages").is_some());
    let errors = run.errors();
    assert!(
        errors.contains("var/log/esc/escadm.log") && errors.contains("sudo"),
        "{errors}"
    );
    // The password never reaches the bundle.
    for node in run.manifest["nodes"].as_array().into_iter().flatten() {
        assert!(!node.to_string().contains(&withpw.password));
    }
}

#[test]
fn host_keys_unknown_refused_accepted_then_known_and_changed_refused() {
    let sshd = Sshd::start();
    let local = node_tree("esc-ha-0");
    let peer = node_tree("esc-ha-1");
    let known = sshd.path("empty_known_hosts");
    fs::write(&known, "").expect("known_hosts");
    let mut arguments = ssh_arguments(&sshd, &known);
    arguments.extend([
        "--identity".into(),
        sshd.path("id_ed25519").display().to_string(),
        "--peer-root".into(),
        peer.path().display().to_string(),
        "--since".into(),
        "-1h".into(),
    ]);
    let run = collect(local.path(), &as_str(&arguments), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.errors().contains("host-key-unknown"),
        "{}",
        run.errors()
    );
    assert_eq!(run.manifest["nodes"].as_array().map(Vec::len), Some(1));

    let mut accept = arguments.clone();
    accept.push("--accept-new-host-key".into());
    let run = collect(local.path(), &as_str(&accept), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.manifest["nodes"].as_array().map(Vec::len),
        Some(2),
        "{}",
        run.errors()
    );
    assert!(fs::read_to_string(&known).is_ok_and(|text| text.contains("ssh-ed25519")));
    let run = collect(local.path(), &as_str(&arguments), &[]);
    assert_eq!(
        run.manifest["nodes"].as_array().map(Vec::len),
        Some(2),
        "{}",
        run.errors()
    );

    // Another key for the same host and port: changed, refused even with accept-new.
    let other = sshd.path("other");
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other)
        .status()
        .expect("ssh-keygen");
    assert!(status.success());
    let key = fs::read_to_string(sshd.path("other.pub")).expect("key");
    let mut words = key.split_whitespace();
    fs::write(
        &known,
        format!(
            "[127.0.0.1]:{} {} {}\n",
            sshd.port,
            words.next().unwrap_or(""),
            words.next().unwrap_or("")
        ),
    )
    .expect("known_hosts");
    let run = collect(local.path(), &as_str(&accept), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.errors().contains("host-key-changed"),
        "{}",
        run.errors()
    );
    assert_eq!(run.manifest["nodes"].as_array().map(Vec::len), Some(1));
}

fn unreachable_peer(port: u16, expected: &str, sshd: Option<&Sshd>) {
    let local = node_tree("esc-ha-0");
    let known = tempfile::NamedTempFile::new().expect("known_hosts");
    let mut arguments = vec![
        "--peer".to_string(),
        "127.0.0.1".into(),
        "--port".into(),
        port.to_string(),
        "--known-hosts".into(),
        known.path().display().to_string(),
        "--connect-timeout".into(),
        "3".into(),
        "--since".into(),
        "-1h".into(),
    ];
    if let Some(sshd) = sshd {
        arguments.extend([
            "--identity".into(),
            sshd.path("id_ed25519").display().to_string(),
        ]);
    }
    let run = collect(local.path(), &as_str(&arguments), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.elapsed < Duration::from_secs(3 + 5),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(run.manifest["nodes"].as_array().map(Vec::len), Some(1));
    assert!(
        run.node(true)["files"]
            .as_array()
            .is_some_and(|files| !files.is_empty())
    );
    let errors = run.errors();
    assert!(errors.contains(&format!("\"{expected}: ")), "{errors}");
}

#[test]
fn a_refused_peer_is_recorded() {
    unreachable_peer(free_port(), "refused", None);
}

#[test]
fn a_blackholed_peer_is_recorded_within_the_connect_timeout() {
    let port = free_port();
    let _drop = Nft::new(&format!("ip daddr 127.0.0.1 tcp dport {port} drop"));
    unreachable_peer(port, "timeout", None);
}

#[test]
fn a_frozen_sshd_is_recorded_within_the_connect_timeout() {
    let sshd = Sshd::start();
    sshd.freeze();
    unreachable_peer(sshd.port, "no-banner", Some(&sshd));
}

#[test]
fn a_window_sends_only_the_window_over_the_wire() {
    let sshd = Sshd::start();
    let local = node_tree("esc-ha-0");
    let peer = node_tree("esc-ha-1");
    // 30 days of one line every 10 seconds (about 20 MB), the newest ending now.
    let now = chrono::Utc::now()
        .with_nanosecond(0)
        .expect("whole seconds");
    let start = now - chrono::Duration::days(30);
    let mut text = String::new();
    let mut time = start;
    while time < now {
        text.push_str(&format!(
            "{} esc-ha-1 escmanager[77]: INFO periodic health probe ok, nothing to report here {}\n",
            time.format("%b %e %H:%M:%S"),
            time.timestamp()
        ));
        time += chrono::Duration::seconds(10);
    }
    let messages = peer.path().join("var/log/messages");
    fs::write(&messages, &text).expect("messages");
    let size = text.len() as u64;
    let since = now - chrono::Duration::days(10);
    let until = since + chrono::Duration::hours(1);
    let counter = Nft::new(&format!(
        "ip saddr 127.0.0.1 tcp sport {} counter",
        sshd.port
    ));
    let mut arguments = ssh_arguments(&sshd, &sshd.known_hosts());
    arguments.extend([
        "--identity".into(),
        sshd.path("id_ed25519").display().to_string(),
        "--peer-root".into(),
        peer.path().display().to_string(),
        "--since".into(),
        since.to_rfc3339(),
        "--until".into(),
        until.to_rfc3339(),
    ]);
    let run = collect(local.path(), &as_str(&arguments), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let crossed = counter.counted_bytes();
    let stored = run.peer_file("var/log/messages").expect("the window");
    eprintln!(
        "window: {crossed} bytes crossed for a {size}-byte file and a {}-byte window",
        stored.len()
    );
    let lines: Vec<&str> = stored.lines().collect();
    assert_eq!(lines.len(), 361, "one hour of lines every 10 s");
    let first: i64 = lines[0]
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a stamp");
    assert!((first - since.timestamp()).abs() <= 10, "{}", lines[0]);
    assert!(
        crossed > stored.len() as u64,
        "the counter saw {crossed} bytes, less than the window itself"
    );
    assert!(
        crossed < size / 20,
        "{crossed} bytes crossed for a {size}-byte file"
    );
}

#[test]
fn redact_ips_maps_addresses_consistently() {
    let local = node_tree("esc-ha-0");
    fs::write(
        local.path().join("var/log/messages"),
        "Nov 25 15:53:00 esc-ha-0 Keepalived_vrrp[812]: (esc_ha) receive advertisement from 10.85.103.136 for 10.85.103.137\n",
    )
    .expect("messages");
    let run = collect(local.path(), &["--no-peer", "--all", "--redact-ips"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let top = fs::read_dir(run.unpacked.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let dir = run.node(true)["dir"].as_str().unwrap().to_string();
    let text = fs::read_to_string(top.join(dir).join("var/log/messages")).unwrap();
    assert!(!text.contains("10.85.103"), "{text}");
    let addresses: Vec<std::net::Ipv4Addr> = text
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    assert_eq!(addresses.len(), 2, "{text}");
    let shared = (u32::from(addresses[0]) ^ u32::from(addresses[1])).leading_zeros();
    assert_eq!(shared, 31, "{addresses:?}");
}

/// A small tmpfs, unmounted on drop.
struct SmallDisk {
    directory: tempfile::TempDir,
}

impl SmallDisk {
    fn mount() -> SmallDisk {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=8m", "esc-diag-test"])
            .arg(directory.path())
            .output()
            .expect("mount runs");
        assert!(
            output.status.success(),
            "mount tmpfs (needs root): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        SmallDisk { directory }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.directory.path()).status();
    }
}

#[test]
fn a_full_disk_stops_collect_before_writing() {
    let disk = SmallDisk::mount();
    let local = node_tree("esc-ha-0");
    let output = assert_cmd::Command::cargo_bin("esc-diag")
        .expect("the binary")
        .args(["collect", "--quiet", "--no-peer", "--root"])
        .arg(local.path())
        .arg("--output")
        .arg(disk.directory.path().join("bundle.tar.gz"))
        .timeout(Duration::from_secs(60))
        .output()
        .expect("esc-diag runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not enough free space"), "{stderr}");
    assert_eq!(
        fs::read_dir(disk.directory.path())
            .expect("the disk")
            .count(),
        0,
        "nothing is left on the disk"
    );
}

#[test]
fn an_interrupted_collection_leaves_nothing_in_the_output_directory() {
    // A node with a large log: the collection is interrupted while it stores or packs it.
    let local = node_tree("esc-ha-0");
    let line =
        b"2026-11-25 15:53:07,000 INFO  [Main] a line of a large escmanager.log for this test\n";
    let mut log = std::io::BufWriter::new(
        fs::File::create(local.path().join("var/log/esc/escmanager.log")).expect("the log"),
    );
    for _ in 0..1_500_000 {
        log.write_all(line).expect("the log");
    }
    drop(log);
    let out = tempfile::tempdir().expect("a temporary directory");
    let home = tempfile::tempdir().expect("a home");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("esc-diag"))
        .env("HOME", home.path())
        .args(["collect", "--quiet", "--no-peer", "--all", "--root"])
        .arg(local.path())
        .arg("--output")
        .arg(out.path().join("bundle.tar.gz"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("esc-diag runs");
    let staging = || {
        fs::read_dir(out.path())
            .expect("the output directory")
            .flatten()
            .any(|entry| {
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".esc-diag-staging-")
            })
    };
    let started = Instant::now();
    while !staging() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(staging(), "no staging tree appeared");
    std::thread::sleep(Duration::from_millis(100));
    // SAFETY: signals a child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().expect("esc-diag ends");
    let left: Vec<_> = fs::read_dir(out.path())
        .expect("the output directory")
        .flatten()
        .map(|entry| entry.file_name())
        .collect();
    if status.code() == Some(0) {
        panic!("the collection ended before it was interrupted: make the log larger");
    }
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// An ssh-agent holding the test key; killed on drop.
struct Agent {
    child: Child,
    socket: PathBuf,
    _directory: tempfile::TempDir,
}

impl Agent {
    fn start(key: &Path) -> Agent {
        require("/usr/bin/ssh-agent", "openssh-client");
        let directory = tempfile::tempdir().expect("a temporary directory");
        let socket = directory.path().join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent starts");
        let agent = Agent {
            child,
            socket,
            _directory: directory,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !agent.socket.exists() {
            assert!(Instant::now() < deadline, "ssh-agent did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The socket is there once bound, a moment before the agent listens on it: under load
        // the first ssh-add can find no one there.
        loop {
            let status = Command::new("ssh-add")
                .arg("-q")
                .arg(key)
                .env("SSH_AUTH_SOCK", &agent.socket)
                .stderr(Stdio::null())
                .status()
                .expect("ssh-add runs");
            if status.success() {
                break;
            }
            assert!(Instant::now() < deadline, "ssh-add failed");
            std::thread::sleep(Duration::from_millis(50));
        }
        agent
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn ssh_agent_auth() {
    let sshd = Sshd::start();
    let agent = Agent::start(&sshd.path("id_ed25519"));
    let local = node_tree("esc-ha-0");
    let peer = node_tree("esc-ha-1");
    let mut arguments = ssh_arguments(&sshd, &sshd.known_hosts());
    arguments.extend([
        "--peer-root".into(),
        peer.path().display().to_string(),
        "--since".into(),
        "-1h".into(),
    ]);
    let socket = agent.socket.display().to_string();
    let run = collect(
        local.path(),
        &as_str(&arguments),
        &[("SSH_AUTH_SOCK", socket.as_str())],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.manifest["nodes"].as_array().map(Vec::len),
        Some(2),
        "{}",
        run.errors()
    );
}

#[test]
fn two_files_stored_at_one_path_leave_one_manifest_entry_that_matches_the_bundle() {
    // A rotation caught while compressing: `escmanager.log.1` and a cut-short
    // `escmanager.log.1.gz` both store as `var/log/esc/escmanager.log.1`; the plain one is
    // stored (listed first here, being newer: storing the gzip one after it would lose it).
    let local = node_tree("esc-ha-0");
    let esc = local.path().join("var/log/esc");
    fs::write(
        esc.join("escmanager.log.1"),
        "2026-11-24 10:00:00,000 INFO [Main] the plain rotation\n",
    )
    .expect("write");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for line in 0..2000 {
        writeln!(
            encoder,
            "2026-11-23 10:00:00,000 INFO [Main] compressed line {line}"
        )
        .expect("compress");
    }
    let whole = encoder.finish().expect("gzip");
    fs::write(esc.join("escmanager.log.1.gz"), &whole[..whole.len() / 2]).expect("write");
    let touch = |name: &str, stamp: &str| {
        let status = Command::new("touch")
            .args(["-d", stamp])
            .arg(esc.join(name))
            .status()
            .expect("touch runs");
        assert!(status.success());
    };
    touch("escmanager.log.1", "2026-11-24 12:00:00");
    touch("escmanager.log.1.gz", "2026-11-23 12:00:00");

    let collected = collect(local.path(), &["--no-peer", "--all"], &[]);
    assert_eq!(collected.code, 0, "{}", collected.stderr);
    let top = fs::read_dir(collected.unpacked.path())
        .expect("unpacked")
        .next()
        .expect("one top directory")
        .expect("an entry")
        .path();
    let node = &collected.manifest["nodes"][0];
    let directory = top.join(node["dir"].as_str().expect("a node directory"));
    let files = node["files"].as_array().expect("files");
    for entry in files {
        let path = entry["path"].as_str().expect("a path");
        let bytes = fs::read(directory.join(path))
            .unwrap_or_else(|error| panic!("{path} is listed but not in the bundle: {error}"));
        let sha256: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(entry["size"].as_u64(), Some(bytes.len() as u64), "{path}");
        assert_eq!(entry["sha256"].as_str(), Some(sha256.as_str()), "{path}");
    }
    let listed = files
        .iter()
        .filter(|entry| entry["path"] == "var/log/esc/escmanager.log.1")
        .count();
    assert_eq!(listed, 1, "listed {listed} times");
    assert_eq!(
        fs::read_to_string(directory.join("var/log/esc/escmanager.log.1")).expect("stored"),
        "2026-11-24 10:00:00,000 INFO [Main] the plain rotation\n"
    );
    let errors = collected.errors();
    assert!(
        errors.contains("escmanager.log.1.gz")
            && errors
                .contains("not stored: var/log/esc/escmanager.log.1 is stored at the same path"),
        "{errors}"
    );
}

//! Bad input gets a clear message naming the file (and line), a partial result where one is
//! possible, and never a panic: empty and binary files, a 50 MB line, non-UTF-8 bytes, a
//! truncated gzip, an empty node directory, archive entries that point outside the bundle,
//! links, a broken manifest, a missing path.

use std::fs;
use std::io::Write;

use crate::support::{BundleBuilder, copy_tree, esc_diag};

const MASTER: &str =
    "Nov 25 14:20:36 esc-ha-0 Keepalived_vrrp[812]: (esc_ha) Entering MASTER STATE\n";
const BACKUP: &str =
    "Nov 25 14:20:40 esc-ha-1 Keepalived_vrrp[813]: (esc_ha) Entering BACKUP STATE\n";

fn timeline_json(path: &std::path::Path) -> crate::support::Run {
    esc_diag([
        "timeline".into(),
        "--format".into(),
        "json".into(),
        path.as_os_str().to_owned(),
    ])
}

fn warnings(run: &crate::support::Run) -> Vec<String> {
    run.json()["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|warning| {
            format!(
                "{} {}:{} {}",
                warning["node"].as_str().unwrap_or("-"),
                warning["file"].as_str().unwrap_or("-"),
                warning["line"],
                warning["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn vrrp_states(run: &crate::support::Run) -> usize {
    run.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["kind"] == "vrrp-state")
        .count()
}

#[test]
fn empty_binary_and_non_utf8_files_are_read_around() {
    let mut junk = vec![0u8, 159, 146, 150, 0, 1, 2, 255, b'\n'];
    junk.extend_from_slice(MASTER.as_bytes());
    let mut latin1 =
        b"Nov 25 14:20:37 esc-ha-1 Keepalived_vrrp[813]: (esc_ha) Entering BACKUP STATE caf\xe9\n"
            .to_vec();
    latin1.extend_from_slice(BACKUP.as_bytes());
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", junk)
        .file("esc-ha-0", "var/log/esc/escmanager.log", "")
        .file("esc-ha-1", "var/log/messages", latin1);
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(vrrp_states(&run), 2, "{}", run.stdout);
    let warnings = warnings(&run);
    assert!(
        warnings
            .iter()
            .any(|warning| warning.starts_with("esc-ha-0 var/log/messages:1 holds binary data")),
        "{warnings:?}"
    );
    let events = run.json()["events"].as_array().unwrap().clone();
    assert!(
        events
            .iter()
            .any(|event| event["text"].as_str().unwrap().contains("caf\u{fffd}"))
            || events.len() == 2
    );
}

#[test]
fn a_fifty_megabyte_line_is_cut_and_the_next_line_kept() {
    let mut text = MASTER.as_bytes().to_vec();
    text.extend(std::iter::repeat_n(b'x', 50 * 1024 * 1024));
    text.push(b'\n');
    text.extend_from_slice(BACKUP.replace("esc-ha-1", "esc-ha-0").as_bytes());
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", text)
        .file("esc-ha-1", "var/log/messages", BACKUP);
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(vrrp_states(&run), 3);
    let warnings = warnings(&run);
    assert!(
        warnings.iter().any(|warning| warning
            .starts_with("esc-ha-0 var/log/messages:2 line is 52428800 bytes long")),
        "{warnings:?}"
    );
}

#[test]
fn a_truncated_gzip_gives_what_it_held_and_says_where_it_stopped() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for second in 0..3000 {
        writeln!(
            encoder,
            "Nov 24 10:{:02}:{:02} esc-ha-0 Keepalived_vrrp[812]: (esc_ha) Entering {} STATE",
            second / 60 % 60,
            second % 60,
            if second % 2 == 0 { "MASTER" } else { "BACKUP" }
        )
        .unwrap();
    }
    let mut compressed = encoder.finish().unwrap();
    compressed.truncate(compressed.len() * 2 / 3);
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages-20261125.gz", compressed)
        .file("esc-ha-0", "var/log/messages", MASTER)
        .file("esc-ha-1", "var/log/messages", BACKUP);
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(vrrp_states(&run) > 100, "kept the lines before the cut");
    let warnings = warnings(&run);
    assert!(
        warnings.iter().any(|warning| warning
            .starts_with("esc-ha-0 var/log/messages-20261125.gz:")
            && warning.contains("truncated or corrupt gzip after line")),
        "{warnings:?}"
    );
}

#[test]
fn an_empty_node_directory_and_a_broken_manifest_are_reported() {
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", MASTER)
        .directory("esc-ha-1", "var/log")
        .file("esc-ha-1", "etc/.keep", "");
    fs::write(bundle.path().join("manifest.json"), "{ not json").unwrap();
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warnings = warnings(&run);
    assert!(
        warnings.iter().any(
            |warning| warning.contains("manifest.json") && warning.contains("manifest ignored")
        ),
        "{warnings:?}"
    );
    let empty = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", MASTER)
        .directory("esc-ha-1", "var/log");
    let run = timeline_json(empty.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        warnings_of(&run)
            .iter()
            .any(|warning| warning.starts_with("esc-ha-1 ") && warning.contains("holds no files")),
        "{:?}",
        warnings_of(&run)
    );
}

fn warnings_of(run: &crate::support::Run) -> Vec<String> {
    warnings(run)
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let run = esc_diag(["timeline", "/no/such/bundle.tar.gz"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("/no/such/bundle.tar.gz"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
}

/// A tar header whose name is written byte for byte (the tar crate refuses unsafe names).
fn raw_entry(
    builder: &mut tar::Builder<impl Write>,
    name: &str,
    kind: tar::EntryType,
    link: Option<&str>,
    data: &[u8],
) {
    let mut header = tar::Header::new_gnu();
    {
        let gnu = header.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(link) = link {
            gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
    }
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(1_764_080_000);
    header.set_cksum();
    builder.append(&header, data).unwrap();
}

/// Writes a .tar.gz at `path` with what `fill` appends.
fn write_tar_gz(
    path: &std::path::Path,
    fill: impl FnOnce(&mut tar::Builder<flate2::write::GzEncoder<fs::File>>),
) {
    let file = fs::File::create(path).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::fast(),
    ));
    fill(&mut builder);
    builder.into_inner().unwrap().finish().unwrap();
}

#[test]
fn archive_entries_that_point_outside_the_bundle_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("hostile.tar.gz");
    write_tar_gz(&archive, |builder| {
        raw_entry(
            builder,
            "b/esc-ha-0/var/log/messages",
            tar::EntryType::Regular,
            None,
            MASTER.as_bytes(),
        );
        raw_entry(
            builder,
            "b/esc-ha-1/var/log/messages",
            tar::EntryType::Regular,
            None,
            BACKUP.as_bytes(),
        );
        raw_entry(
            builder,
            "b/../../escaped-by-dots",
            tar::EntryType::Regular,
            None,
            b"evil\n",
        );
        raw_entry(
            builder,
            "/tmp/escaped-absolute",
            tar::EntryType::Regular,
            None,
            b"evil\n",
        );
        raw_entry(
            builder,
            "b/esc-ha-0/var/log/esc/escmanager.log",
            tar::EntryType::Symlink,
            Some("/etc/shadow"),
            b"",
        );
        raw_entry(
            builder,
            "b/esc-ha-0/var/log/esc/escadm.log",
            tar::EntryType::Link,
            Some("/etc/passwd"),
            b"",
        );
    });
    let run = timeline_json(&archive);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(vrrp_states(&run), 2);
    let warnings = warnings(&run);
    for entry in [
        "b/../../escaped-by-dots",
        "/tmp/escaped-absolute",
        "escmanager.log",
        "escadm.log",
    ] {
        assert!(
            warnings
                .iter()
                .any(|warning| warning.contains(entry) && warning.contains("hostile.tar.gz")),
            "{entry}: {warnings:?}"
        );
    }
    assert!(!work.path().join("escaped-by-dots").exists());
    assert!(!std::path::Path::new("/tmp/escaped-absolute").exists());
    let events = run.json()["events"].as_array().unwrap().clone();
    assert!(
        events
            .iter()
            .all(|event| !event["text"].as_str().unwrap().contains("root:"))
    );
}

/// Entry names too long for the file system (a 300-byte part, a 5,000-byte name in a GNU long-name
/// record) are skipped, each named by its start and length; the rest of the archive is read.
#[test]
fn archive_entries_with_overlong_names_are_skipped_and_named() {
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("long-names.tar.gz");
    let long_part = format!("b/esc-ha-0/var/log/{}", "p".repeat(300));
    let long_name = format!("b/esc-ha-0/{}/messages", ["d"; 2500].join("/"));
    write_tar_gz(&archive, |builder| {
        raw_entry(
            builder,
            "b/esc-ha-0/var/log/messages",
            tar::EntryType::Regular,
            None,
            MASTER.as_bytes(),
        );
        for name in [&long_part, &long_name] {
            let mut header = tar::Header::new_gnu();
            header.set_size(MASTER.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            builder
                .append_data(&mut header, name, MASTER.as_bytes())
                .unwrap();
        }
        raw_entry(
            builder,
            "b/esc-ha-1/var/log/messages",
            tar::EntryType::Regular,
            None,
            BACKUP.as_bytes(),
        );
    });
    let run = timeline_json(&archive);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(vrrp_states(&run), 2, "{}", run.stderr);
    let warnings = warnings(&run);
    for (name, length) in [
        (&long_part, "a name part of 300 bytes (at most 255)"),
        (&long_name, "a name of 5019 bytes (at most 4096)"),
    ] {
        assert!(
            warnings.iter().any(|warning| warning.contains(&name[..60])
                && warning.contains(length)
                && warning.contains("long-names.tar.gz")),
            "{length}: {warnings:?}"
        );
    }
}

/// A stamp dated outside 1970–2100 is damaged: its line stays, undated; 2100 itself is a date.
#[test]
fn stamps_outside_1970_to_2100_stay_undated() {
    let bundle = BundleBuilder::new().file(
        "esc-ha-0",
        "var/log/esc/escmanager.log",
        "2101-01-01 10:00:00,000 ERROR [com.cisco.esc.Ha] transition to MASTER\n\
             1969-12-31 10:00:00,000 ERROR [com.cisco.esc.Ha] transition to BACKUP\n\
             2100-12-31 10:00:00,000 ERROR [com.cisco.esc.Ha] transition to MASTER\n",
    );
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events = run.json()["events"].as_array().unwrap().clone();
    let dated: Vec<&str> = events
        .iter()
        .filter(|event| event["time"].is_string())
        .map(|event| event["time"].as_str().unwrap())
        .collect();
    assert_eq!(dated.len(), 1, "{events:?}");
    assert!(dated[0].starts_with("2100-12-31"), "{dated:?}");
    assert_eq!(events.len(), 3, "{events:?}");
}

#[test]
fn a_symbolic_link_inside_a_bundle_directory_is_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("secret.log"),
        "Nov 25 14:20:30 elsewhere Keepalived_vrrp[1]: (other) Entering MASTER STATE\n",
    )
    .unwrap();
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", MASTER)
        .file("esc-ha-1", "var/log/messages", BACKUP);
    std::os::unix::fs::symlink(
        outside.path().join("secret.log"),
        bundle.path().join("esc-ha-0/var/log/messages.1"),
    )
    .unwrap();
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(vrrp_states(&run), 2);
    assert!(
        warnings(&run)
            .iter()
            .any(|warning| warning.contains("var/log/messages.1")
                && warning.contains("symbolic link"))
    );
}

/// A manifest for esc-ha-0 and esc-ha-1 with these per-node fields.
fn manifest_with(node_fields: serde_json::Value) -> serde_json::Value {
    let node = |name: &str| {
        let mut entry = serde_json::json!({
            "name": name, "dir": name, "hostname": name, "addresses": [],
            "timezone": "UTC", "files": [], "commands": [], "errors": []
        });
        for (key, value) in node_fields.as_object().unwrap() {
            entry[key] = value.clone();
        }
        entry
    };
    serde_json::json!({
        "format": "esc-diag-bundle/1", "tool_version": "test", "collected_by": "esc-ha-0",
        "collected_at": "2026-11-25T15:00:00Z", "nodes": [node("esc-ha-0"), node("esc-ha-1")]
    })
}

#[test]
fn a_clock_offset_beyond_a_year_is_ignored_with_a_warning_naming_the_field() {
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", MASTER)
        .file("esc-ha-1", "var/log/messages", BACKUP)
        .manifest(manifest_with(serde_json::json!({"clock_offset_s": 1e18})));
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(vrrp_states(&run), 2);
    assert!(
        warnings(&run)
            .iter()
            .any(|warning| warning.contains("clock_offset_s") && warning.contains("out of range")),
        "{:?}",
        warnings(&run)
    );
}

#[test]
fn a_manifest_node_directory_outside_the_bundle_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    fs::create_dir_all(outside.path().join("var/log")).unwrap();
    fs::write(
        outside.path().join("var/log/messages"),
        MASTER.replace("esc-ha-0", "secret-host"),
    )
    .unwrap();
    let escape = format!(
        "../{}",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    let bundle = BundleBuilder::new()
        .file("esc-ha-1", "var/log/messages", BACKUP)
        .manifest(manifest_with(serde_json::json!({})));
    let mut manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(bundle.path().join("manifest.json")).unwrap())
            .unwrap();
    manifest["nodes"][0]["dir"] = serde_json::json!(outside.path().to_string_lossy());
    manifest["nodes"][1]["dir"] = serde_json::json!(escape);
    fs::write(bundle.path().join("manifest.json"), manifest.to_string()).unwrap();
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains("secret-host"),
        "read outside the bundle"
    );
    let refused = warnings(&run)
        .into_iter()
        .filter(|warning| warning.contains("leaves the bundle"))
        .count();
    assert_eq!(refused, 2, "{:?}", warnings(&run));
}

#[test]
fn a_fifo_and_archives_esc_diag_does_not_unpack_are_usage_errors_saying_what_to_do() {
    let directory = tempfile::tempdir().unwrap();
    let fifo = directory.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = esc_diag(["analyze".into(), fifo.clone().into_os_string()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    // 7-Zip, and compressed files that hold no tar or do not decompress at all, are refused;
    // what they are is said.
    let messages = directory.path().join("messages");
    fs::write(
        &messages,
        "Nov 25 14:20:00 esc-ha-0 kernel: hello\n".repeat(100),
    )
    .unwrap();
    let compressed = std::process::Command::new("xz")
        .arg("-k")
        .arg(&messages)
        .status()
        .expect("xz (scripts/install-test-deps.sh installs it)");
    assert!(compressed.success());
    for (name, magic, said) in [
        (
            "logs.7z",
            &b"7z\xbc\xaf\x27\x1crest"[..],
            "a 7-Zip archive: esc-diag reads",
        ),
        (
            "messages.xz",
            &fs::read(directory.path().join("messages.xz")).unwrap()[..],
            "an xz-compressed file that is not a tar: esc-diag reads",
        ),
        (
            "sosreport.tar.xz",
            &b"\xfd7zXZ\x00rest"[..],
            "xz-compressed, but nothing in it decompresses",
        ),
        (
            "logs.tar.bz2",
            &b"BZh91AY&SY"[..],
            "bzip2-compressed, but nothing in it decompresses",
        ),
    ] {
        let path = directory.path().join(name);
        fs::write(&path, magic).unwrap();
        let run = esc_diag(["analyze".into(), path.into_os_string()]);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        assert!(
            run.stderr.contains(&format!("{name}: {said}")),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_truncated_tar_xz_keeps_the_entries_before_the_cut() {
    // A sosreport cut short by an upload: lab-partition first, then 4 MB of noise that xz cannot
    // shrink, in one xz block (as `xz` writes by default); the archive cut in the noise still
    // gives the lab-partition entries and a warning that names the archive (lzma-rs held back
    // everything it decoded of an unfinished block: "not a tar").
    let directory = tempfile::tempdir().unwrap();
    let tree = directory.path().join("tree");
    copy_tree(
        &crate::support::testdata_bundle("lab-partition"),
        &tree.join("lab-partition"),
    );
    let mut noise = Vec::with_capacity(4 << 20);
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    while noise.len() < 4 << 20 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.extend_from_slice(&state.to_le_bytes());
    }
    fs::write(tree.join("lab-partition/zz-noise.bin"), &noise).unwrap();
    let archive = directory.path().join("sosreport.tar.xz");
    let packed = std::process::Command::new("sh")
        .arg("-c")
        .arg("tar cf - --sort=name -C \"$1\" lab-partition | xz -T1 > \"$2\"")
        .arg("sh")
        .arg(&tree)
        .arg(&archive)
        .status()
        .expect("tar and xz (scripts/install-test-deps.sh installs xz)");
    assert!(packed.success());
    let whole = fs::read(&archive).unwrap();
    fs::write(&archive, &whole[..whole.len() * 3 / 4]).unwrap();
    let run = crate::support::analyze(&archive, &[]);
    let report = run.json();
    assert_eq!(report["verdict"]["status"], "split-brain", "{}", run.stderr);
    let warnings = report["coverage"]["warnings"].to_string();
    assert!(
        warnings.contains("sosreport.tar.xz") && warnings.contains("truncated"),
        "{warnings}"
    );
}

/// lab-partition packed with tar into DIRECTORY/lab-partition.tar.
fn lab_partition_tar(directory: &std::path::Path) -> std::path::PathBuf {
    let tar_path = directory.join("lab-partition.tar");
    let status = std::process::Command::new("tar")
        .arg("cf")
        .arg(&tar_path)
        .arg("-C")
        .arg(crate::support::testdata_bundle(""))
        .arg("lab-partition")
        .status()
        .unwrap();
    assert!(status.success());
    tar_path
}

#[test]
fn archives_people_have_are_read_by_their_content() {
    // lab-partition packed as sosreport does (.tar.xz), as .tar.bz2, .tar.zst and .zip, and a
    // .tar.xz under a name that says nothing: each is the same split-brain.
    let directory = tempfile::tempdir().unwrap();
    let tar_path = lab_partition_tar(directory.path());
    for (tool, arguments) in [
        ("xz", vec!["-k", "-f"]),
        ("bzip2", vec!["-k", "-f"]),
        ("zstd", vec!["-q", "-k", "-f"]),
    ] {
        let status = std::process::Command::new(tool)
            .args(arguments)
            .arg(&tar_path)
            .status()
            .unwrap_or_else(|error| {
                panic!("{tool} (scripts/install-test-deps.sh installs it): {error}")
            });
        assert!(status.success(), "{tool}");
    }
    let zip_path = directory.path().join("lab-partition.zip");
    let zipped = std::process::Command::new("zip")
        .arg("-qr")
        .arg(&zip_path)
        .arg("lab-partition")
        .current_dir(crate::support::testdata_bundle(""))
        .status()
        .expect("zip (scripts/install-test-deps.sh installs it)");
    assert!(zipped.success());
    let renamed = directory.path().join("attachment.bin");
    fs::copy(directory.path().join("lab-partition.tar.xz"), &renamed).unwrap();
    for name in [
        "lab-partition.tar.xz",
        "lab-partition.tar.bz2",
        "lab-partition.tar.zst",
        "lab-partition.zip",
        "attachment.bin",
    ] {
        let run = crate::support::analyze(&directory.path().join(name), &[]);
        let report = run.json();
        assert_eq!(
            report["verdict"]["status"], "split-brain",
            "{name}: {}",
            run.stderr
        );
        assert_eq!(
            report["nodes"].as_array().map(Vec::len),
            Some(2),
            "{name}: both nodes"
        );
    }
    // A zip that is not one is said so, naming it.
    let broken = directory.path().join("broken.zip");
    fs::write(&broken, b"PK\x03\x04rest").unwrap();
    let run = esc_diag(["analyze".into(), broken.clone().into_os_string()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("broken.zip: holds nothing esc-diag can read: not a readable zip archive"),
        "{}",
        run.stderr
    );
}

#[test]
fn zip_entries_that_leave_the_bundle_or_link_are_refused_and_named() {
    let directory = tempfile::tempdir().unwrap();
    let work = directory.path().join("work");
    fs::create_dir_all(work.join("esc-ha-0/var/log")).unwrap();
    fs::write(
        work.join("esc-ha-0/var/log/messages"),
        "Nov 25 14:20:36 esc-ha-0 Keepalived_vrrp[1]: (VI_1) Entering MASTER STATE\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("/etc/passwd", work.join("esc-ha-0/var/log/link")).unwrap();
    let zip_path = directory.path().join("bundle.zip");
    // -y stores the link as a link; ../outside is named by a path that climbs out.
    fs::write(directory.path().join("outside"), "x").unwrap();
    let zipped = std::process::Command::new("zip")
        .args(["-qry"])
        .arg(&zip_path)
        .args(["esc-ha-0", "../outside"])
        .current_dir(&work)
        .status()
        .expect("zip");
    assert!(zipped.success());
    let run = esc_diag([
        "analyze".into(),
        "--format".into(),
        "json".into(),
        zip_path.into_os_string(),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let text = run.stdout;
    assert!(
        text.contains("entry ../outside points outside the bundle"),
        "{text}"
    );
    assert!(text.contains("esc-ha-0/var/log/link is a link"), "{text}");
}

#[test]
fn a_plain_tar_is_read_as_a_bundle() {
    let directory = tempfile::tempdir().unwrap();
    let tar_path = lab_partition_tar(directory.path());
    let run = crate::support::analyze(&tar_path, &[]);
    assert_eq!(
        run.json()["verdict"]["status"],
        "split-brain",
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_path_is_named_once_and_a_missing_rules_directory_fails_the_check() {
    let run = esc_diag(["analyze", "/no/such/place"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr.matches("No such file").count(),
        1,
        "{}",
        run.stderr
    );
    let run = esc_diag(["rules", "check", "/no/such/rules"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("no such rules directory"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_rule_case_cannot_write_outside_its_bundle() {
    let rules = tempfile::tempdir().unwrap();
    let target = rules.path().join("escaped");
    fs::write(
        rules.path().join("evil.toml"),
        format!(
            "title = \"evil\"\nseverity = \"info\"\nsubject = \"event\"\nmatch = 'event == \"node-boot\"'\nexplanation = \"x\"\nremedy = \"y\"\ncondition = 'true'\n\n[[case]]\nname = \"escape\"\nexpect = \"quiet\"\n[case.files]\n\"../../../../../../../..{}\" = \"hello\"\n",
            target.display()
        ),
    )
    .unwrap();
    let run = esc_diag([
        "rules".into(),
        "test".into(),
        rules.path().as_os_str().to_owned(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("not a plain path"), "{}", run.stdout);
    assert!(!target.exists(), "the case wrote outside its bundle");
}

#[test]
fn a_corrupted_byte_before_a_drbd_state_token_is_read_around() {
    // The line is recognised (its `role(` token), and a corrupted byte sits before a later `(`.
    let line = b"Nov 25 14:20:36 esc-ha-0 kernel: block drbd1: role( Secondary -> Primary ) disk\xc3( UpToDate -> Outdated )\n";
    let bundle = BundleBuilder::new()
        .file(
            "esc-ha-0",
            "var/log/messages",
            [MASTER.as_bytes(), &line[..]].concat(),
        )
        .file("esc-ha-1", "var/log/messages", BACKUP);
    let run = timeline_json(bundle.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
    let drbd = run.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["kind"] == "drbd")
        .count();
    assert_eq!(drbd, 1, "the DRBD line is still recognised");
}

#[test]
fn an_interrupted_analysis_leaves_no_unpacked_archive_behind() {
    // A bundle that takes a while to unpack and analyse: 300,000 state lines of one second.
    let work = tempfile::tempdir().unwrap();
    let node = work.path().join("big/esc-ha-0/var/log");
    fs::create_dir_all(&node).unwrap();
    let mut messages = std::io::BufWriter::new(fs::File::create(node.join("messages")).unwrap());
    for _ in 0..300_000 {
        messages.write_all(MASTER.as_bytes()).unwrap();
    }
    drop(messages);
    let archive = work.path().join("big.tar.gz");
    let status = std::process::Command::new("tar")
        .arg("czf")
        .arg(&archive)
        .arg("-C")
        .arg(work.path())
        .arg("big")
        .status()
        .unwrap();
    assert!(status.success());
    fs::remove_dir_all(work.path().join("big")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("esc-diag"))
        .arg("analyze")
        .arg(&archive)
        .env("TMPDIR", scratch.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Interrupt as soon as the unpacked tree exists.
    let started = std::time::Instant::now();
    let unpacked = || {
        fs::read_dir(scratch.path())
            .unwrap()
            .flatten()
            .any(|entry| {
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("esc-diag-bundle-")
            })
    };
    while !unpacked() && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(unpacked(), "the archive was never unpacked");
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(!unpacked(), "the unpacked tree was left behind");
}

#[test]
fn a_pair_flapping_within_one_second_makes_one_window_not_one_per_pair_of_lines() {
    // 3,000 state lines of each node in one second: every MASTER interval of one node meets every
    // one of the other's. That is one split-brain window, and the analysis does linear work per
    // instant (it used to make a window per pair and run out of memory).
    let mut node0 = String::new();
    let mut node1 = String::new();
    for index in 0..3000 {
        let (mine, theirs) = if index % 2 == 0 {
            ("MASTER", "BACKUP")
        } else {
            ("BACKUP", "MASTER")
        };
        node0.push_str(&format!(
            "Nov 25 14:20:36 esc-ha-0 Keepalived_vrrp[1]: (VI_1) Entering {mine} STATE\n"
        ));
        node1.push_str(&format!(
            "Nov 25 14:20:36 esc-ha-1 Keepalived_vrrp[1]: (VI_1) Entering {theirs} STATE\n"
        ));
    }
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", node0)
        .file("esc-ha-1", "var/log/messages", node1);
    let run = crate::support::analyze(bundle.path(), &[]);
    let report = run.json();
    assert_eq!(report["verdict"]["status"], "split-brain");
    let windows = report["split_brain"].as_array().expect("split_brain");
    assert!(
        (1..=2).contains(&windows.len()),
        "{} windows for one instant",
        windows.len()
    );
    let mut ids: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|finding| finding["id"].as_str())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "finding ids repeat");
    assert_eq!(report["transitions"].as_array().map(Vec::len), Some(6000));
}

#[test]
fn a_flapping_instance_is_summed_up_in_the_report_and_listed_in_full_in_json() {
    // 2,000 state changes of one node, ten a second: the finding's title names the first few
    // transitions, how many more and the last; the Roles line the first and last states; the
    // HTML swimlane one flapping stretch; the JSON report keeps every transition.
    let mut messages = String::new();
    for index in 0..2000 {
        let state = if index % 2 == 0 { "MASTER" } else { "BACKUP" };
        let second = index / 10;
        messages.push_str(&format!(
            "Nov 25 14:{:02}:{:02} esc-ha-0 Keepalived_vrrp[1]: (VI_1) Entering {state} STATE\n",
            20 + second / 60,
            second % 60
        ));
    }
    let bundle = BundleBuilder::new().file("esc-ha-0", "var/log/messages", messages);
    let report = crate::support::analyze(bundle.path(), &[]).json();
    assert_eq!(report["transitions"].as_array().map(Vec::len), Some(2000));
    let text = crate::support::esc_diag([
        std::ffi::OsStr::new("analyze"),
        std::ffi::OsStr::new("--now"),
        std::ffi::OsStr::new("2026-11-26T00:00:00Z"),
        bundle.path().as_os_str(),
    ]);
    let words = text.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("and 1994 more up to esc-ha-0 MASTER → BACKUP at 14:23:19"),
        "{}",
        text.stdout
    );
    let roles = text
        .stdout
        .lines()
        .find(|line| line.contains("VI_1") && line.contains("more)"))
        .unwrap_or_else(|| panic!("no abridged Roles line: {}", text.stdout));
    assert!(
        roles.contains("MASTER 14:20:00 → BACKUP 14:20:00"),
        "{roles}"
    );
    assert!(roles.contains("(1988 more)"), "{roles}");
    assert!(roles.ends_with("BACKUP 14:23:19"), "{roles}");
    assert!(
        text.stdout.len() < 20_000,
        "{} bytes of text report",
        text.stdout.len()
    );
    // The HTML swimlane draws the stretch as one flapping segment, without its 2,000 markers.
    let html = crate::support::esc_diag([
        std::ffi::OsStr::new("analyze"),
        std::ffi::OsStr::new("--format"),
        std::ffi::OsStr::new("html"),
        bundle.path().as_os_str(),
    ]);
    assert!(
        html.stdout.contains("flapping, 1999 states") && html.stdout.contains("seg s-FLAPPING"),
        "no flapping segment in the HTML report"
    );
    assert!(
        html.stdout.matches("class=\"marker").count() < 10,
        "markers drawn inside the flapping stretch"
    );
}

#[test]
fn standard_input_is_read_by_its_content_once() {
    // `-` takes what is piped in: pasted log lines, or a whole archive.
    let messages = fs::read(
        crate::support::testdata_bundle("lab-partition").join("esc-ha-0/var/log/messages"),
    )
    .unwrap();
    let stdin_run = |arguments: &[&str], input: Vec<u8>| {
        let output = assert_cmd::Command::cargo_bin("esc-diag")
            .unwrap()
            .env("NO_COLOR", "1")
            .args(arguments)
            .write_stdin(input)
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, stderr) = stdin_run(&["analyze", "--format", "json", "-"], messages);
    assert_eq!(code, Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["nodes"][0]["name"], "esc-ha-0",
        "named after its syslog host"
    );
    assert_eq!(report["findings"][0]["evidence"][0]["file"], "stdin");
    let directory = tempfile::tempdir().unwrap();
    let tar_path = lab_partition_tar(directory.path());
    let (code, stdout, stderr) = stdin_run(
        &["analyze", "--format", "json", "-"],
        fs::read(&tar_path).unwrap(),
    );
    assert_eq!(code, Some(1), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verdict"]["status"], "split-brain");
    let (code, _, stderr) = stdin_run(&["analyze", "-", "-"], Vec::new());
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("standard input is given more than once"),
        "{stderr}"
    );
}

/// Each lab-partition node as a sosreport holds it (its filesystem; command outputs under
/// `sos_commands/` with sos' names; `hostname`, `ps`, `date` at the top as links to them; the
/// journal as text under `sos_commands/logs/`), packed as sos packs it (.tar.xz with one top
/// directory): two archives read as the two nodes, named by their host names, with addresses,
/// routes and disks checked from sos_commands, nothing read from the top-level outputs, and the
/// journal read only where var/log/messages is missing (esc-ha-1 here). What sos cut at its size
/// limit (esc-ha-0's var/log/messages, esc-ha-1's journal: a `.tailed` copy under sos_strings,
/// the original name a link to it) is read under the original name with a warning; a link out of
/// the sosreport is named and not followed; so the same events as the bundle itself.
#[test]
fn sosreports_of_both_nodes_are_read_as_the_two_nodes() {
    let work = tempfile::tempdir().unwrap();
    let lab = crate::support::testdata_bundle("lab-partition");
    let mut archives = Vec::new();
    for node in ["esc-ha-0", "esc-ha-1"] {
        let top = format!("sosreport-{node}-2026-11-26-abcdefg");
        let root = work.path().join(&top);
        for part in ["etc", "var", "opt"] {
            copy_tree(&lab.join(node).join(part), &root.join(part));
        }
        // sos writes command outputs under sos_commands/ and links some at the top; the outputs
        // are not logs (a keepalived line in `ps` must not be read).
        for (output, text) in [
            ("host/hostname", format!("{node}\n")),
            (
                "process/ps_auxwww",
                "root 812 keepalived: (esc_ha) Entering MASTER STATE\n".to_string(),
            ),
            ("date/date", "Thu Nov 26 00:00:00 UTC 2026\n".to_string()),
        ] {
            let target = root.join("sos_commands").join(output);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(&target, text).unwrap();
            let top = output.rsplit('/').next().unwrap();
            let top = if top == "ps_auxwww" { "ps" } else { top };
            std::os::unix::fs::symlink(format!("sos_commands/{output}"), root.join(top)).unwrap();
        }
        // The journal as text: esc-ha-0 also has var/log/messages (the journal is then not read:
        // the same lines), esc-ha-1 only the journal, cut by sos to its newest part.
        let logs = root.join("sos_commands/logs");
        fs::create_dir_all(&logs).unwrap();
        let messages = root.join("var/log/messages");
        let journal = format!(
            "-- Logs begin at Tue 2026-11-24 10:00:00 UTC, end at Thu 2026-11-26 00:00:00 UTC. --\n{}",
            fs::read_to_string(&messages).unwrap()
        );
        if node == "esc-ha-0" {
            fs::write(logs.join("journalctl_--no-pager"), &journal).unwrap();
            // sos cut var/log/messages at its size limit: the cut copy under sos_strings, the
            // original name a link to it.
            let cut = root.join("sos_strings/logs/var.log.messages.tailed");
            fs::create_dir_all(cut.parent().unwrap()).unwrap();
            fs::rename(&messages, &cut).unwrap();
            std::os::unix::fs::symlink("../../sos_strings/logs/var.log.messages.tailed", &messages)
                .unwrap();
            // A link out of the sosreport is not followed, and said so.
            std::os::unix::fs::symlink("/etc/passwd", logs.join("journalctl_--no-pager_--boot"))
                .unwrap();
        } else {
            fs::remove_file(&messages).unwrap();
            let tailed = root.join("sos_strings/logs/journalctl_--no-pager.tailed");
            fs::create_dir_all(tailed.parent().unwrap()).unwrap();
            fs::write(&tailed, &journal).unwrap();
            std::os::unix::fs::symlink(
                "../../sos_strings/logs/journalctl_--no-pager.tailed",
                logs.join("journalctl_--no-pager"),
            )
            .unwrap();
        }
        fs::write(
            logs.join("journalctl_--disk-usage"),
            "Archived and active journals take up 1.2G in the file system.\n",
        )
        .unwrap();
        let commands = lab.join(node).join("commands");
        for (capture, sos_name) in [
            ("ip_addr.txt", "networking/ip_-d_address"),
            ("ip_route.txt", "networking/ip_route_show_table_all"),
            ("df.txt", "filesys/df_-al_-x_autofs"),
        ] {
            let target = root.join("sos_commands").join(sos_name);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(commands.join(capture), &target).unwrap();
        }
        // An IPv6 routing table under the IPv4 name's words is not taken for it.
        fs::write(
            root.join("sos_commands/networking/ip_-6_route_show_table_all"),
            "::1 dev lo proto kernel metric 256 pref medium\n",
        )
        .unwrap();
        let archive = work.path().join(format!("{top}.tar.xz"));
        let status = std::process::Command::new("tar")
            .arg("cJf")
            .arg(&archive)
            .arg("-C")
            .arg(work.path())
            .arg(&top)
            .status()
            .expect("tar with xz (scripts/install-test-deps.sh installs xz-utils)");
        assert!(status.success());
        archives.push(archive);
    }
    let run = esc_diag([
        "analyze".into(),
        "--format".into(),
        "json".into(),
        "--now".into(),
        "2026-11-26T00:00:00Z".into(),
        archives[0].clone().into_os_string(),
        archives[1].clone().into_os_string(),
    ]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    let direct = crate::support::analyze(&lab, &[]).json();
    assert_eq!(report["verdict"], direct["verdict"], "{}", run.stderr);
    let mut names: Vec<&str> = report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["esc-ha-0", "esc-ha-1"]);
    for id in ["address-on-kad-vif", "default-route", "disk-space"] {
        let statuses: Vec<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|check| check["id"] == id)
            .map(|check| check["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["pass", "pass"], "{id}: {}", report["checks"]);
    }
    let transitions = |report: &serde_json::Value| report["transitions"].as_array().map(Vec::len);
    assert_eq!(transitions(&report), transitions(&direct));
    // The same syslog events on each node: no journal line read twice, none missing.
    let syslog_events = |report: &serde_json::Value, node: &str| -> u64 {
        report["coverage"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|file| file["node"] == node && file["source"] == "messages")
            .map(|file| file["recognised_lines"].as_u64().unwrap())
            .sum()
    };
    for node in ["esc-ha-0", "esc-ha-1"] {
        assert_eq!(
            syslog_events(&report, node),
            syslog_events(&direct, node),
            "{node}: {}",
            report["coverage"]
        );
    }
    let warnings: Vec<String> = report["coverage"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|warning| warning.to_string())
        .collect();
    let about = |needle: &str| {
        warnings
            .iter()
            .filter(|warning| warning.contains(needle))
            .count()
    };
    // Only the link out of the sosreport is named; the others are read or harmless.
    assert_eq!(about("link"), 1, "{warnings:?}");
    assert_eq!(about("journalctl_--no-pager_--boot"), 1, "{warnings:?}");
    // Both cut copies are read under their own names, each with a warning that it was cut.
    assert_eq!(about("newest part"), 2, "{warnings:?}");
    assert_eq!(
        about("\"file\":\"var/log/messages\""),
        1,
        "esc-ha-0's cut var/log/messages: {warnings:?}"
    );
    assert_eq!(
        about("\"file\":\"sos_commands/logs/journalctl_--no-pager\""),
        1,
        "esc-ha-1's cut journal: {warnings:?}"
    );
}

#[test]
fn a_flood_of_recognised_events_is_sampled_within_the_budget_and_said_so() {
    // 12,000 track-script and ARP lines of two nodes around one failover: with --max-events 1000
    // the loud classes keep an even sample, the state changes stay whole, so the verdict and
    // the transitions are those of the whole analysis; the report names what was sampled; the
    // timeline still lists every line; two runs give the same report.
    let mut nodes = [String::new(), String::new()];
    for second in 0..3000u32 {
        let stamp = format!("Nov 25 14:{:02}:{:02}", second / 60 % 60, second % 60);
        let failover_done = second >= 1500;
        for (index, messages) in nodes.iter_mut().enumerate() {
            let node = format!("esc-ha-{index}");
            let master = (index == 0) != failover_done;
            if second == 0 || second == 1500 {
                let state = if master { "MASTER" } else { "BACKUP" };
                messages.push_str(&format!(
                    "{stamp} {node} Keepalived_vrrp[1]: (VI_1) Entering {state} STATE\n"
                ));
            }
            messages.push_str(&format!(
                "{stamp} {node} Keepalived_vrrp[1]: VRRP_Script(chk_esc) succeeded\n"
            ));
            if master {
                messages.push_str(&format!(
                    "{stamp} {node} Keepalived_vrrp[1]: (VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.10\n"
                ));
            }
        }
    }
    let [first, second] = nodes;
    let bundle = BundleBuilder::new()
        .file("esc-ha-0", "var/log/messages", first)
        .file("esc-ha-1", "var/log/messages", second);
    let whole = crate::support::analyze(bundle.path(), &["--max-events", "0"]).json();
    let sampled_run = crate::support::analyze(bundle.path(), &["--max-events", "1000"]);
    let sampled = sampled_run.json();
    let lines = 3000 * 3 + 4;
    assert_eq!(whole["coverage"]["events"], lines);
    assert!(whole["coverage"].get("events_kept").is_none());
    assert_eq!(sampled["coverage"]["events"], lines);
    let kept = sampled["coverage"]["events_kept"].as_u64().unwrap();
    assert!((400..=1100).contains(&kept), "{kept} events kept");
    assert_eq!(sampled["verdict"], whole["verdict"]);
    assert_eq!(sampled["transitions"], whole["transitions"]);
    let messages: Vec<String> = sampled["coverage"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|warning| warning["message"].as_str())
        .filter(|message| message.contains("--max-events 1000"))
        .map(str::to_string)
        .collect();
    assert_eq!(messages.len(), 2, "one warning per node: {messages:?}");
    assert!(
        messages[0].contains("vrrp-track script-succeeded events")
            && messages[0].contains("of 3000 "),
        "{}",
        messages[0]
    );
    assert!(!messages[0].contains("vrrp-state"), "{}", messages[0]);
    assert_eq!(
        crate::support::analyze(bundle.path(), &["--max-events", "1000"]).stdout,
        sampled_run.stdout
    );
    let text = crate::support::esc_diag([
        std::ffi::OsStr::new("analyze"),
        std::ffi::OsStr::new("--max-events"),
        std::ffi::OsStr::new("1000"),
        bundle.path().as_os_str(),
    ]);
    assert!(
        text.stdout.contains(&format!(
            "{lines} events read ({kept} kept, a sample: see \"Not checked\")"
        )),
        "{}",
        text.stdout
    );
    let timeline = |budget: &str| {
        crate::support::esc_diag([
            std::ffi::OsStr::new("timeline"),
            std::ffi::OsStr::new("--format"),
            std::ffi::OsStr::new("ndjson"),
            std::ffi::OsStr::new("--max-events"),
            std::ffi::OsStr::new(budget),
            bundle.path().as_os_str(),
        ])
    };
    let (all, budgeted) = (timeline("0"), timeline("1000"));
    assert_eq!(budgeted.ndjson().len(), lines);
    assert_eq!(budgeted.stdout, all.stdout);
    assert!(
        !budgeted.stderr.contains("--max-events"),
        "{}",
        budgeted.stderr
    );
}

/// A bundle directory whose `var/log/messages` is a link to today's rotation inside the node: the
/// file is read once, under the rotation's name (which dates it), and the link is not warned
/// about; a link out of the node is named and not followed.
#[test]
fn a_link_to_a_file_inside_the_node_is_read_once_under_its_own_name() {
    let work = tempfile::tempdir().unwrap();
    let logs = work.path().join("esc-ha-0/var/log");
    fs::create_dir_all(&logs).unwrap();
    let lab = crate::support::testdata_bundle("lab-partition");
    fs::copy(
        lab.join("esc-ha-0/var/log/messages"),
        logs.join("messages-20261126"),
    )
    .unwrap();
    std::os::unix::fs::symlink("messages-20261126", logs.join("messages")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", logs.join("secure")).unwrap();
    let run = esc_diag([
        std::ffi::OsStr::new("timeline"),
        std::ffi::OsStr::new("--format"),
        std::ffi::OsStr::new("json"),
        work.path().as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let files: Vec<&str> = report["coverage"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["var/log/messages-20261126"]);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("var/log/secure") && !warnings.contains("\"var/log/messages\""),
        "{warnings}"
    );
}

/// `tar -C DIR .` writes the top itself first (`./`): nothing to warn about. Archives in a folder
/// of loose files are read; nested without end (an archive that holds itself), they stop after
/// 64 unpacked, with an error that says so.
#[test]
fn a_tar_of_dot_is_read_quietly_and_nested_archives_stop() {
    let work = tempfile::tempdir().unwrap();
    let dotted = work.path().join("dotted.tar.gz");
    write_tar_gz(&dotted, |builder| {
        raw_entry(builder, "./", tar::EntryType::Directory, None, b"");
        raw_entry(
            builder,
            "./lb1.log",
            tar::EntryType::Regular,
            None,
            MASTER.as_bytes(),
        );
    });
    let run = timeline_json(&dotted);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        warnings(&run).iter().all(|warning| !warning.contains("./")),
        "{:?}",
        warnings(&run)
    );
    assert_eq!(vrrp_states(&run), 1);
    // Each archive holds the one before it; the innermost the log.
    let mut inner = dotted;
    for depth in 1..=70 {
        let bytes = fs::read(&inner).unwrap();
        let outer = work.path().join(format!("nested-{depth}.tar.gz"));
        write_tar_gz(&outer, |builder| {
            raw_entry(
                builder,
                "inner.tar.gz",
                tar::EntryType::Regular,
                None,
                &bytes,
            );
        });
        if depth == 5 {
            let folder = work.path().join("shallow");
            fs::create_dir(&folder).unwrap();
            fs::copy(&outer, folder.join("attachment.tar.gz")).unwrap();
            assert_eq!(vrrp_states(&timeline_json(&folder)), 1);
        }
        inner = outer;
    }
    let folder = work.path().join("deep");
    fs::create_dir(&folder).unwrap();
    fs::copy(&inner, folder.join("attachment.tar.gz")).unwrap();
    let run = timeline_json(&folder);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("archives were unpacked already"),
        "{}",
        run.stderr
    );
}

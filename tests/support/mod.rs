//! Test support: a builder that writes a bundle to a temporary directory, and a runner for the
//! esc-diag binary that returns its exit code, stdout and stderr.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// What one run of esc-diag gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.stdout))
    }

    /// The stdout as NDJSON events.
    pub fn ndjson(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|error| panic!("not JSON ({error}): {line}"))
            })
            .collect()
    }
}

/// Runs esc-diag with these arguments, colours off.
pub fn esc_diag<I, S>(arguments: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output = Command::cargo_bin("esc-diag")
        .expect("the esc-diag binary is built")
        .env("NO_COLOR", "1")
        .args(arguments)
        .output()
        .expect("esc-diag runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The repository's testdata/bundles/NAME.
pub fn testdata_bundle(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/bundles")
        .join(name)
}

/// Writes a bundle (node directories and an optional manifest) into a temporary directory.
pub struct BundleBuilder {
    root: tempfile::TempDir,
}

impl BundleBuilder {
    pub fn new() -> BundleBuilder {
        BundleBuilder {
            root: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// Writes `bytes` at `node/relative`.
    pub fn file(self, node: &str, relative: &str, bytes: impl AsRef<[u8]>) -> BundleBuilder {
        let path = self.root.path().join(node).join(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create directories");
        fs::write(&path, bytes).expect("write a file");
        self
    }

    /// Writes manifest.json.
    pub fn manifest(self, manifest: serde_json::Value) -> BundleBuilder {
        fs::write(self.root.path().join("manifest.json"), manifest.to_string())
            .expect("write the manifest");
        self
    }

    /// An empty directory at `node/relative`.
    pub fn directory(self, node: &str, relative: &str) -> BundleBuilder {
        fs::create_dir_all(self.root.path().join(node).join(relative)).expect("create directories");
        self
    }

    pub fn path(&self) -> &Path {
        self.root.path()
    }
}

/// The published report schema (schema/report-v1.schema.json), compiled.
pub fn report_schema() -> jsonschema::Validator {
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report-v1.schema.json"),
    )
    .expect("the schema file");
    jsonschema::validator_for(&serde_json::from_str(&text).expect("the schema is JSON"))
        .expect("the published schema compiles")
}

/// Where a report breaks the schema, one line per error.
pub fn schema_errors(validator: &jsonschema::Validator, report: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(report)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect()
}

/// `esc-diag analyze --format json --now 2026-11-26T00:00:00Z BUNDLE [EXTRA...]`: the one way
/// tests analyse a bundle (usage errors fail the test here).
pub fn analyze(bundle: &Path, extra: &[&str]) -> Run {
    let mut arguments: Vec<std::ffi::OsString> = vec![
        "analyze".into(),
        "--format".into(),
        "json".into(),
        "--now".into(),
        "2026-11-26T00:00:00Z".into(),
    ];
    arguments.extend(extra.iter().map(Into::into));
    arguments.push(bundle.into());
    let run = esc_diag(arguments);
    assert_ne!(run.code, 2, "{}: {}", bundle.display(), run.stderr);
    run
}

/// The names of the sample bundles in testdata/bundles.
pub fn sample_bundles() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(testdata_bundle(""))
        .expect("testdata/bundles")
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A sample bundle's expectations: `testdata/bundles/NAME/expected.json`.
pub fn expected(name: &str) -> serde_json::Value {
    let path = testdata_bundle(name).join("expected.json");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// What in a report (and its exit code) differs from a bundle's expectations: the verdict's
/// status, cause and current master; the cause of each node's first transition to a state; the
/// split-brain proofs; the rules that fired (folded findings count by their `merged` ids).
pub fn differences(
    report: &serde_json::Value,
    code: i32,
    expected: &serde_json::Value,
) -> Vec<String> {
    let mut wrong = Vec::new();
    let verdict = &report["verdict"];
    for (field, wanted) in [
        ("status", &expected["verdict"]),
        ("cause", &expected["cause"]),
        ("current_master", &expected["current_master"]),
    ] {
        if &verdict[field] != wanted {
            wrong.push(format!(
                "verdict {field} {}, expected {wanted}",
                verdict[field]
            ));
        }
    }
    if let Some(wanted) = expected["exit_code"].as_i64()
        && i64::from(code) != wanted
    {
        wrong.push(format!("exit code {code}, expected {wanted}"));
    }
    for cause in expected["causes"].as_array().into_iter().flatten() {
        let found = report["failovers"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|failover| {
                failover["node"] == cause["node"]
                    && failover["from"] == cause["from"]
                    && failover["to"] == cause["to"]
            });
        match found {
            Some(failover) if failover["cause"] == cause["cause"] => {}
            Some(failover) => wrong.push(format!(
                "{} {} → {}: cause {}, expected {}",
                cause["node"], cause["from"], cause["to"], failover["cause"], cause["cause"]
            )),
            None => wrong.push(format!(
                "no {} {} → {} failover",
                cause["node"], cause["from"], cause["to"]
            )),
        }
    }
    let proofs: Vec<&serde_json::Value> = report["split_brain"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|window| &window["proof"])
        .collect();
    let wanted_proofs: Vec<&serde_json::Value> = expected["split_brain_proofs"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    if proofs != wanted_proofs {
        wrong.push(format!(
            "split-brain proofs {proofs:?}, expected {wanted_proofs:?}"
        ));
    }
    let mut fired: Vec<String> = Vec::new();
    for finding in report["findings"].as_array().into_iter().flatten() {
        if finding["severity"] == "info" {
            continue;
        }
        fired.push(finding["rule"].as_str().unwrap_or("").to_string());
        for merged in finding["merged"].as_array().into_iter().flatten() {
            let rule = merged
                .as_str()
                .unwrap_or("")
                .split('@')
                .next()
                .unwrap_or("");
            fired.push(rule.to_string());
        }
    }
    fired.sort();
    fired.dedup();
    let wanted_rules: Vec<String> = expected["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|rule| rule.as_str().map(str::to_string))
        .collect();
    if fired != wanted_rules {
        wrong.push(format!(
            "rules above info {fired:?}, expected {wanted_rules:?}"
        ));
    }
    wrong
}

/// The text fields `keys` of each object of the JSON array `array`, in order (a field that is
/// null or missing reads as "").
pub fn fields<'a, const N: usize>(
    array: &'a serde_json::Value,
    keys: [&str; N],
) -> Vec<[&'a str; N]> {
    array
        .as_array()
        .unwrap()
        .iter()
        .map(|item| keys.map(|key| item[key].as_str().unwrap_or("")))
        .collect()
}

/// The text field `key` of each object of the JSON array `array`, in order (null or missing
/// reads as "").
pub fn texts<'a>(array: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    fields(array, [key])
        .into_iter()
        .map(|[text]| text)
        .collect()
}

/// Copies a directory tree (regular files only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("a readable tree");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("a directory");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).expect("a copy");
        }
    }
}

/// The finding of a report that folded in a finding of `rule` (its `merged[]` names one).
pub fn finding_folding<'a>(
    report: &'a serde_json::Value,
    rule: &str,
) -> Option<&'a serde_json::Value> {
    let prefix = format!("{rule}@");
    report["findings"].as_array()?.iter().find(|finding| {
        finding["merged"].as_array().is_some_and(|merged| {
            merged
                .iter()
                .any(|id| id.as_str().is_some_and(|id| id.starts_with(&prefix)))
        })
    })
}

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

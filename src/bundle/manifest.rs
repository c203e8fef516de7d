//! manifest.json: the bundle's description of its nodes, clocks, files and commands
//! (format "esc-diag-bundle/1"). Unknown fields are kept out of the way, missing ones defaulted.

use serde::{Deserialize, Serialize};

/// The format string every manifest of this layout carries.
pub const MANIFEST_FORMAT: &str = "esc-diag-bundle/1";

/// The whole manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    #[serde(default)]
    pub tool_version: String,
    #[serde(default)]
    pub collected_by: String,
    /// RFC 3339 UTC.
    #[serde(default)]
    pub collected_at: Option<String>,
    #[serde(default)]
    pub nodes: Vec<ManifestNode>,
}

/// One node of the bundle.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ManifestNode {
    pub name: String,
    /// The node directory, relative to the bundle root.
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub addresses: Vec<String>,
    /// IANA name (Europe/Paris) or a fixed offset (+01:00); none means UTC.
    #[serde(default)]
    pub timezone: Option<String>,
    /// This node's clock minus the collector's clock, in seconds; null when unknown.
    #[serde(default)]
    pub clock_offset_s: Option<f64>,
    #[serde(default)]
    pub clock_uncertainty_s: Option<f64>,
    #[serde(default)]
    pub files: Vec<ManifestFile>,
    #[serde(default)]
    pub commands: Vec<ManifestCommand>,
    #[serde(default)]
    pub errors: Vec<ManifestError>,
}

/// A file as stored in the node directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    /// Relative to the node directory (var/log/messages).
    pub path: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub sha256: String,
    /// The file's modification time on the node, RFC 3339 UTC.
    #[serde(default)]
    pub mtime: Option<String>,
    #[serde(default)]
    pub redactions: u64,
}

/// A command run on the node and where its output is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ManifestCommand {
    pub name: String,
    #[serde(default)]
    pub argv: Vec<String>,
    #[serde(default)]
    pub file: String,
    #[serde(default)]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub duration_s: Option<f64>,
}

/// Something the collector could not gather, and why.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ManifestError {
    pub what: String,
    pub why: String,
}

impl Manifest {
    /// Parses manifest text; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|error| error.to_string())?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(format!(
                "format is {:?}, expected {MANIFEST_FORMAT:?}",
                manifest.format
            ));
        }
        Ok(manifest)
    }
}

impl ManifestNode {
    /// The manifest entry for a file, by its path relative to the node directory.
    pub fn file(&self, relative: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|file| file.path == relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_manifest_parses_with_defaults() {
        let manifest = Manifest::parse(
            r#"{"format":"esc-diag-bundle/1","nodes":[{"name":"esc-ha-0","clock_offset_s":null}]}"#,
        )
        .unwrap();
        assert_eq!(manifest.nodes[0].name, "esc-ha-0");
        assert_eq!(manifest.nodes[0].clock_offset_s, None);
    }

    #[test]
    fn a_foreign_format_is_refused() {
        let error = Manifest::parse(r#"{"format":"sosreport"}"#).unwrap_err();
        assert!(error.contains("esc-diag-bundle/1"), "{error}");
    }
}

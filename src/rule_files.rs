//! The rule files esc-diag reads: those embedded from the repository's rules/ folder at build
//! time, plus those of a `--rules DIR` given at run time (same layout: `*.toml` diagnosis rules,
//! `classifiers/*.toml` pattern tables). It only finds and reads files; their meaning is elsewhere.

use std::fs;
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));

/// One rule file's text and where it came from.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// Relative to the rules folder, with `/` (classifiers/keepalived.toml).
    pub relative: String,
    /// Where to point a user: `rules/classifiers/keepalived.toml (embedded)` or a real path.
    pub origin: String,
    pub text: String,
}

/// The embedded files under `folder` ("" for the top level, "classifiers" for the tables).
pub fn embedded(folder: &str) -> Vec<RuleFile> {
    EMBEDDED_RULE_FILES
        .iter()
        .filter(|(relative, _)| in_folder(relative, folder))
        .map(|(relative, text)| RuleFile {
            relative: relative.to_string(),
            origin: format!("rules/{relative} (embedded)"),
            text: text.to_string(),
        })
        .collect()
}

fn in_folder(relative: &str, folder: &str) -> bool {
    match relative.rsplit_once('/') {
        Some((parent, _)) => parent == folder,
        None => folder.is_empty(),
    }
}

/// The `*.toml` files directly under `root/folder`, sorted; unreadable ones are returned as errors.
pub fn from_directory(root: &Path, folder: &str) -> (Vec<RuleFile>, Vec<String>) {
    let directory: PathBuf = if folder.is_empty() {
        root.to_path_buf()
    } else {
        root.join(folder)
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let Ok(entries) = fs::read_dir(&directory) else {
        return (files, errors);
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let relative = if folder.is_empty() {
            name
        } else {
            format!("{folder}/{name}")
        };
        match fs::read_to_string(&path) {
            Ok(text) => files.push(RuleFile {
                relative,
                origin: path.display().to_string(),
                text,
            }),
            Err(error) => errors.push(format!("{}: {error}", path.display())),
        }
    }
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classifier_tables_are_embedded() {
        let tables = embedded("classifiers");
        assert!(
            tables
                .iter()
                .any(|file| file.relative == "classifiers/keepalived.toml")
        );
        assert!(
            tables
                .iter()
                .all(|file| file.relative.starts_with("classifiers/"))
        );
    }
}

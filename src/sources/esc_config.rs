//! ESC's esc-config.yaml (its schema is not public): the whole tree flattened into `key.path =
//! value` pairs, a list of scalars as one value, so two copies compare key by key. Keys that name
//! a secret (passwords, tokens, private keys) are marked, so their values are never shown.

use std::collections::BTreeMap;

use yaml_rust2::{Yaml, YamlLoader};

/// Where the file lives on a node (relative to the node directory).
pub const RELATIVE_PATH: &str = "opt/cisco/esc/esc-config/esc-config.yaml";

/// A flattened value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    /// The key names a secret: its value is not to be shown.
    pub secret: bool,
}

/// Whether the last part of a key path names a secret.
pub fn is_secret(key: &str) -> bool {
    let last = key
        .rsplit('.')
        .next()
        .unwrap_or(key)
        .trim_end_matches(|character: char| character == ']' || character.is_ascii_digit())
        .trim_end_matches('[')
        .to_ascii_lowercase();
    ["pass", "secret", "token", "credential", "private"]
        .iter()
        .any(|word| last.contains(word))
        || last.ends_with("key")
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::Real(text) | Yaml::String(text) => Some(text.clone()),
        Yaml::Integer(number) => Some(number.to_string()),
        Yaml::Boolean(flag) => Some(flag.to_string()),
        Yaml::Null => Some("null".to_string()),
        _ => None,
    }
}

fn flatten(prefix: &str, value: &Yaml, settings: &mut BTreeMap<String, Setting>) {
    let mut put = |key: &str, value: String| {
        settings.insert(
            key.to_string(),
            Setting {
                value,
                secret: is_secret(key),
            },
        );
    };
    match value {
        Yaml::Hash(map) => {
            for (key, inner) in map {
                let name = scalar(key).unwrap_or_else(|| "?".to_string());
                let path = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}.{name}")
                };
                flatten(&path, inner, settings);
            }
        }
        Yaml::Array(items) => {
            let scalars: Option<Vec<String>> = items.iter().map(scalar).collect();
            match scalars {
                Some(scalars) => put(prefix, format!("[{}]", scalars.join(", "))),
                None => {
                    for (index, item) in items.iter().enumerate() {
                        flatten(&format!("{prefix}[{index}]"), item, settings);
                    }
                }
            }
        }
        Yaml::Alias(_) | Yaml::BadValue => put(prefix, "(alias)".to_string()),
        other => put(prefix, scalar(other).unwrap_or_default()),
    }
}

/// The settings of a file, or why it is not YAML.
pub fn parse(text: &str) -> Result<BTreeMap<String, Setting>, String> {
    let documents = YamlLoader::load_from_str(text).map_err(|error| error.to_string())?;
    let mut settings = BTreeMap::new();
    for document in &documents {
        flatten("", document, &mut settings);
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_flatten_and_lists_of_scalars_are_one_value() {
        let settings = parse(
            "resources:\n  drbd:\n    nodes:\n    - 10.85.103.135\n    - 10.85.103.136\n    run_forever: true\n  keepalived:\n    vip: 10.85.103.137\n    auth_pass: cisco123\n",
        )
        .expect("YAML");
        assert_eq!(
            settings["resources.drbd.nodes"].value,
            "[10.85.103.135, 10.85.103.136]"
        );
        assert_eq!(settings["resources.drbd.run_forever"].value, "true");
        assert!(!settings["resources.keepalived.vip"].secret);
        assert!(settings["resources.keepalived.auth_pass"].secret);
    }

    #[test]
    fn secrets_are_known_by_their_key() {
        for key in [
            "a.password",
            "db.PASSWD",
            "x.auth_pass",
            "api.token",
            "ssh.private_key_file",
            "vim.api_key",
            "users[0].secret",
        ] {
            assert!(is_secret(key), "{key}");
        }
        for key in [
            "resources.keepalived.vip",
            "keepalived.passive_mode_x",
            "monkey_island",
        ] {
            assert_eq!(
                is_secret(key),
                key.contains("pass") || key.ends_with("key"),
                "{key}"
            );
        }
    }

    #[test]
    fn not_yaml_is_an_error_not_a_panic() {
        assert!(parse("a: [1, 2\n").is_err());
        assert!(parse(&"[".repeat(100_000)).is_err());
    }
}

//! Fuzzes the line envelopes and the classifier tables: every line of the input is read as a
//! syslog, journal, ESC log or DRBD line would be, and classified by every table.

#![no_main]

use std::sync::OnceLock;

use esc_diag::sources::classifier::Classifier;
use esc_diag::sources::envelope;
use libfuzzer_sys::fuzz_target;

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| Classifier::load(None))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let classifier = classifier();
    for line in text.lines() {
        let parsed = envelope::parse(line);
        for source in ["messages", "escmanager", "escadm", "drbd"] {
            let tables = classifier.tables_for(source);
            let _ = classifier.classify(
                &tables,
                source,
                parsed.program,
                parsed.level,
                parsed.message,
            );
        }
    }
});

//! Fuzzes the line envelopes and the classifier tables: every line of the input is read as a
//! syslog, journal, ESC log or DRBD line would be, and classified by every table. Differential
//! checks: the stamp-only reader finds the envelope's stamp, the look-ahead's `is_bare` agrees
//! with the envelope's format, and the literal search (each table's
//! and each source's screen) changes no classification. The input is also read as a journal
//! export.

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
    // The same bytes as a `journalctl -o export` file.
    let mut rendered = Vec::new();
    let _ = std::io::Read::read_to_end(
        &mut esc_diag::sources::journal_export::ExportLines::new(data),
        &mut rendered,
    );
    let text = String::from_utf8_lossy(data);
    let classifier = classifier();
    for line in text.lines() {
        let parsed = envelope::parse(line);
        assert_eq!(envelope::stamp(line), parsed.stamp, "{line:?}");
        assert_eq!(
            envelope::is_bare(line),
            parsed.format == envelope::EnvelopeFormat::Bare,
            "{line:?}"
        );
        for source in ["messages", "escmanager", "escadm", "drbd"] {
            let tables = classifier.tables_for(source);
            let _ = classifier.classify(
                &tables,
                source,
                parsed.program,
                parsed.level,
                parsed.message,
            );
            let screen = classifier.screen_for(source);
            for table in &tables {
                let fast = table.classify(parsed.program, parsed.level, parsed.message);
                let slow =
                    table.classify_exhaustively(parsed.program, parsed.level, parsed.message);
                assert_eq!(
                    fast.as_ref().map(|found| &found.row.id),
                    slow.as_ref().map(|found| &found.row.id),
                    "{line:?}"
                );
                if fast.is_some() {
                    assert!(screen.may_recognise(line), "{line:?}");
                }
            }
        }
    }
});

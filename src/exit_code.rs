//! The one table of exit codes.

/// How esc-diag exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Done; nothing at warning level or worse (analyze).
    Success = 0,
    /// Done; something at warning level or worse was found (analyze), or a self-test failed.
    Findings = 1,
    /// Usage error or input that could not be read at all.
    Error = 2,
}

impl ExitCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

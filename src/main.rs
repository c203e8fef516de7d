//! The esc-diag binary: hands the command line to the library and exits with its code.

fn main() {
    std::process::exit(esc_diag::run(std::env::args_os()));
}

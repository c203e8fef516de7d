//! The one integration-test binary: a module per topic, each running the real `esc-diag` binary
//! on bundles from testdata/ or built by `support::BundleBuilder`.

mod support;

mod analyze;
mod architecture;
mod bad_input;
mod checks;
mod collect;
mod diff;
mod field;
mod html;
mod lab;
mod manual;
mod markdown;
mod partial;
mod rules;
mod timeline;
mod words;

//! Checks of a node's configuration and reachability, computed from what a bundle captured
//! (command outputs, configuration files, logs). The same code runs right after collection and
//! again offline in analyze (the report's `checks[]`).

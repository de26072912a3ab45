//! CSV files → input checks → RML executor: no panic, and the checks agree with the executor.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| factgraph::fuzzing::csv_rml(data));

//! Mapping text → RML parser → derivation of the input checks: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| factgraph::fuzzing::mapping_parse(data));

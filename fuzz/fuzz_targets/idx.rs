//! Arbitrary bytes into the IDX reader (raw and as gzip): errors, never panics.
#![no_main]

use std::path::Path;

use decaylab::data::idx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.idx");
    let _ = idx::parse(data, path);
    if let Ok(raw) = idx::gunzip_if_needed(data.to_vec(), path) {
        let _ = idx::parse(&raw, path);
    }
});

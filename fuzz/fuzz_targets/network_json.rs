//! Arbitrary bytes into the network2 JSON loader: errors, never panics.
#![no_main]

use std::path::Path;

use decaylab::net::network2_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = network2_json::from_json::<f32>(text, Path::new("fuzz.json"));
        let _ = network2_json::from_json::<f64>(text, Path::new("fuzz.json"));
    }
});

//! Any bytes: parsing and validating a scenario never panics, and every
//! rejection has a location.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(e) = bedflow::scenario::parse_str(text, "fuzz.toml")
    {
        assert!(e.diagnostics.iter().all(|d| d.line >= 1 && d.column >= 1 && !d.message.is_empty()));
    }
});

//! Any bytes: parsing a part file never panics, never allocates more than the
//! bytes imply, and every rejection names the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match bedflow::output::shard::parse_part(data, "fuzz.part") {
        Ok(part) => assert_eq!(part.reps.len(), part.header.count as usize),
        Err(e) => assert!(e.to_string().contains("fuzz.part")),
    }
});

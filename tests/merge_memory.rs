//! A merge's memory does not grow with the number of parts or of
//! replications: bodies are read one replication at a time, and only the
//! first part's header is kept whole. Its own test binary, with one test, so
//! the counting allocator sees nothing else.

use bedflow::output::shard::{self, Layout, MAX_HEADER_BYTES, PartMeta};
use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let live = LIVE.fetch_add(n, Relaxed) + n;
    PEAK.fetch_max(live, Relaxed);
}

// SAFETY: every call is passed to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: AllocLayout) -> *mut u8 {
        grew(l.size());
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: AllocLayout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn alloc_zeroed(&self, l: AllocLayout) -> *mut u8 {
        grew(l.size());
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: AllocLayout, new: usize) -> *mut u8 {
        if new >= l.size() {
            grew(new - l.size());
        } else {
            LIVE.fetch_sub(l.size() - new, Relaxed);
        }
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak heap bytes while `f` runs, above what was live before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed).saturating_sub(before))
}

const TINY: &str = "[scenario]\nname = \"tiny\"\nstart = \"2025-01-01\"\nend = \"2025-12-31\"\nwarmup_days = 5\n\
    replications = 5\nseed = 3\n\n[[pool]]\nname = \"medicine\"\nbeds = 20\n\n[[admissions]]\n\
    name = \"emergency\"\nsource = \"direct\"\nper_day = 2.0\npool = \"medicine\"\n\
    stay_days = { dist = \"lognormal\", mean = 3.0, sd = 2.0 }\n";

/// Writes shards `N` parts of `reps` replications of `scenario`; returns their paths (reversed).
fn write_parts(d: &Path, scenario: &Path, shards: u32, reps: u32) -> Vec<PathBuf> {
    let model = bedflow::scenario::load(scenario).unwrap();
    let layout = Layout::of_model(&model);
    let spec = bedflow::replicate::RunSpec { replications: reps, seed: model.seed, threads: 1 };
    let meta = PartMeta {
        scenario_path: scenario.display().to_string(),
        scenario_sha256: bedflow::scenario::fingerprint::fingerprint(scenario, &[]).unwrap(),
        seed: model.seed,
        replications: reps,
        shard: 0,
        shards,
    };
    (1..=shards)
        .rev()
        .map(|k| {
            let indices = shard::shard_indices(k, shards, reps);
            let kpis = bedflow::replicate::run_indices(&model, spec, &indices, &|| {}).unwrap();
            let path = d.join(format!("{k}.part"));
            let meta = PartMeta { shard: k, ..meta.clone() };
            shard::write_part(&path, &meta, &layout, &indices.into_iter().zip(kpis).collect::<Vec<_>>()).unwrap();
            path
        })
        .collect()
}

#[test]
fn merge_memory_is_flat() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let scenario = d.join("tiny.toml");
    std::fs::write(&scenario, TINY).unwrap();
    let model = bedflow::scenario::load(&scenario).unwrap();
    let layout = Layout::of_model(&model);

    // 1. 300 parts (more than are kept open) of a year-long scenario, 300
    // replications: every replication reaches the sink, in order, while the
    // heap never holds more than a small fraction of them.
    let (shards, reps) = (300, 300);
    let paths = write_parts(d, &scenario, shards, reps);
    let all_bytes: u64 = paths.iter().map(|p| std::fs::metadata(p).unwrap().len()).sum();
    let (seen, peak) = peak_of(|| {
        let first = shard::first_part(&paths).unwrap();
        let parts = shard::open_parts(&paths, first, Some(&layout)).unwrap();
        let mut seen = 0u32;
        parts
            .stream(&layout, &mut |k| {
                assert_eq!(k.daily[0].1.len(), 365);
                seen += 1;
            })
            .unwrap();
        seen
    });
    assert_eq!(seen, reps);
    eprintln!("300 parts, {all_bytes} bytes: peak {peak} bytes");
    assert!((peak as u64) < all_bytes / 10, "merging {all_bytes} bytes of parts took {peak} bytes of heap");

    // 2. Twelve parts with headers just under the cap (a huge crafted KPI
    // list, bodies to match): reading their headers holds at most two at a
    // time, not twelve.
    let valid = std::fs::read(&paths[paths.len() - 1]).unwrap();
    let first_nl = valid.iter().position(|&b| b == b'\n').unwrap();
    let second_nl = first_nl + 1 + valid[first_nl + 1..].iter().position(|&b| b == b'\n').unwrap();
    let mut header: serde_json::Value = serde_json::from_slice(&valid[first_nl + 1..second_nl]).unwrap();
    let filler = (MAX_HEADER_BYTES as usize - (second_nl - first_nl)) / 9 - 1000;
    header["scalar"].as_array_mut().unwrap().splice(0..0, (0..filler).map(|_| serde_json::json!(["", 0, 0])));
    header["shards"] = 12.into();
    header["replications"] = 12.into();
    header["count"] = 1.into();
    let crafted: Vec<PathBuf> = (1..=12u32)
        .map(|k| {
            header["shard"] = k.into();
            // One replication: its number, 0 events, one zero per KPI.
            let values = valid_values(&header);
            let mut body = (k - 1).to_le_bytes().to_vec();
            body.extend_from_slice(&0u64.to_le_bytes());
            body.extend(std::iter::repeat_n(0u8, 8 * values));
            use sha2::Digest;
            header["body_sha256"] =
                sha2::Sha256::digest(&body).iter().map(|b| format!("{b:02x}")).collect::<String>().into();
            let mut bytes = format!("bedflow-part 2\n{header}\n").into_bytes();
            assert!(bytes.len() < MAX_HEADER_BYTES as usize);
            bytes.extend_from_slice(&body);
            let path = d.join(format!("crafted-{k}.part"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect();
    let (_, one) = peak_of(|| shard::first_part(&crafted).unwrap());
    let (parts, twelve) = peak_of(|| shard::open_parts(&crafted, shard::first_part(&crafted).unwrap(), None));
    assert!(parts.is_ok());
    drop(parts);
    eprintln!("one crafted header: peak {one} bytes; twelve: peak {twelve} bytes");
    assert!(twelve < 3 * one, "twelve headers took {twelve} bytes, one {one}");
    // With the scenario's layout, the first is refused before any other is read.
    let (refused, peak) = peak_of(|| shard::open_parts(&crafted, shard::first_part(&crafted).unwrap(), Some(&layout)));
    assert!(refused.is_err_and(|e| e.to_string().contains("scalar KPIs, where this bedflow computes")));
    assert!(peak < 2 * one, "{peak} bytes against {one} for one header");
}

/// Values per replication a header implies.
fn valid_values(h: &serde_json::Value) -> usize {
    let series =
        |what: &str| h[what].as_array().unwrap().iter().map(|s| s[3].as_u64().unwrap() as usize).sum::<usize>();
    h["scalar"].as_array().unwrap().len() + series("daily") + series("monthly")
}

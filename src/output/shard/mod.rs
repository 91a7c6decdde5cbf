//! Shards: `bedflow run --shard K/N` runs every N-th replication starting at
//! the K-th and writes them to a part file; `bedflow merge` puts the parts back
//! in replication order and writes outputs byte-identical to a single-machine
//! run (all but `run.json`, which records how the run was done).
//!
//! # Part file, format version 2
//!
//! 1. The line `bedflow-part 2`.
//! 2. One line of JSON, [`PartHeader`]: format version, the bedflow version
//!    that wrote it, the scenario's path and fingerprint (SHA-256 of its whole
//!    `extends` chain, see [`crate::scenario::fingerprint`]), seed,
//!    replication count, shard K of N, the number of replications in the part,
//!    the KPI layout (every metric's name, pool and specialty index, and each
//!    series' length) and `body_sha256`, the SHA-256 of the body.
//! 3. The body: per replication, in increasing order, its number (u32), its
//!    event count (u64) and every value as f64 bits (scalars, then daily
//!    series, then monthly series, in header order), all little-endian, so
//!    values survive exactly (NaN included).
//!
//! # What reading refuses (exit 2)
//!
//! Anything that is not a regular file (folder, FIFO, device); a first line
//! other than `bedflow-part 2` (another format version is named as such); a
//! header that is not the JSON above; `shards` outside 1..=100,000, `shard`
//! outside 1..=`shards`, `replications` outside 1..=1,000,000; a `count` other
//! than the number of replications shard K of N has; a series longer than the
//! longest horizon a scenario may have; a body whose length differs from what
//! the header implies (checked against the file size before anything is
//! allocated); replication numbers other than exactly the shard's own; an
//! infinite value (bedflow computes none: an undefined KPI, such as a mean
//! wait with nobody waiting, is NaN, which is kept); a body whose SHA-256
//! differs from `body_sha256`. `bedflow merge` also refuses parts that do not
//! belong together (scenario fingerprint, seed, replication or shard count,
//! bedflow version, layout), a missing or repeated shard, and a layout (metric
//! names, pool and specialty indexes, series lengths) other than the one this
//! bedflow computes for the scenario.
//!
//! A shard may hold no replications (more shards than replications): its part
//! has `count` 0, an empty body, and merges like any other.
//!
//! # Bounded memory
//!
//! A header line is at most [`MAX_HEADER_BYTES`] (about twice the longest a
//! scenario within bedflow's limits produces) and a replication's event
//! count at most [`MAX_EVENTS`]; anything beyond is refused. `merge` reads the
//! first part's header, loads the scenario it names and, if that is the
//! scenario the shards ran, checks the first part's KPI layout against it;
//! then reads every other header, comparing each with the first as it is
//! read and keeping only its path, body offset and checksum. The bodies are
//! then read in replication order, one replication at a time (replication r
//! is in shard r mod N): up to [`MAX_OPEN_PARTS`] parts stay open, with more
//! each is reopened at the replication's offset and closed again, so memory
//! and open files do not grow with the number of parts or replications. A
//! part that changes during the merge (device, inode, size or modification
//! time) is refused.
//!
//! # Writing
//!
//! A part is written to an exclusively created `.NAME.tmp-PID-RANDOM` file
//! beside `--out`, synced, then renamed into place. `--out` is checked before
//! simulating ([`check_out`]) and again at the rename: on Linux a missing
//! path is taken with `renameat2(RENAME_NOREPLACE)`; an existing one is
//! replaced only if it is still a part file. Anything else (say a file a user
//! made there during the run) is kept, the temporary file removed, and the
//! shard fails with exit 2.
//!
//! # What the checks are for
//!
//! `body_sha256` detects corruption (a truncated copy, a flipped bit), not
//! forgery: anyone can write a part with a matching checksum. Parts are
//! trusted input, from your own runs: their values are not checked for
//! plausibility beyond being finite (a replication's event count beyond
//! being at most [`MAX_EVENTS`]). The checks above make sure a merge of
//! crafted parts is refused or merges their values, never panics or
//! exhausts memory.

mod read;
mod write;

pub use read::*;
pub use write::*;

use crate::model::Model;
use crate::stats::{Key, Kpis};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The part format this bedflow writes and reads.
pub const FORMAT: u32 = 2;
/// The first line of a part file, before the version number.
pub(crate) const MAGIC_PREFIX: &[u8] = b"bedflow-part ";
/// Most shards of one run.
pub const MAX_SHARDS: u32 = 100_000;
/// Most replications of one run (as for a scenario).
pub const MAX_REPLICATIONS: u32 = 1_000_000;
/// Longest series: the longest horizon a scenario may have, in days.
pub const MAX_SERIES: usize = crate::scenario::limits::MAX_HORIZON_DAYS as usize;
/// Longest header line: 3 MiB. The header's size is set by its KPI list,
/// which grows with the pools and specialties: with the most a scenario may
/// have ([`crate::scenario::limits::MAX_TABLES`], 1,000 of each) and every
/// optional KPI (emergency department, electives, escalation, OPEL), that is
/// 29,036 scalar, 14,018 daily and 1,001 monthly KPIs, 1,554,915 bytes of
/// JSON with the longest series and a 4,096-byte scenario path written at its
/// longest (test `largest_legitimate_header_fits_the_cap`, which also keeps
/// this cap within 4x of it). The cap is about twice that: anything longer is
/// not from a run and is refused before it is parsed.
pub const MAX_HEADER_BYTES: u64 = 3 * 1024 * 1024;
/// Most events one replication may report: 2^40 (about 10^12). A replication
/// within the scenario limits has at most 200 million patients
/// ([`crate::scenario::limits::MAX_ARRIVALS_PER_REPLICATION`]), each a
/// handful of events, plus the hourly and daily events of at most 20,000
/// days: far fewer. So a million replications' events sum to below 2^60,
/// far inside u64.
pub const MAX_EVENTS: u64 = 1 << 40;
/// Longest first line read when looking for the magic.
pub(crate) const MAX_MAGIC_BYTES: u64 = 32;

/// The header line of a part file (see the module comment).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartHeader {
    /// Part format version ([`FORMAT`]).
    pub format: u32,
    /// Version of bedflow that wrote the part; the parts of one merge must agree.
    pub bedflow_version: String,
    /// Scenario file the shard ran, as given on its command line; `merge` loads it unless `--scenario` says otherwise.
    pub scenario_path: String,
    /// The scenario fingerprint: SHA-256 of its whole `extends` chain.
    pub scenario_sha256: String,
    /// Seed the replications ran with.
    pub seed: u64,
    /// Replications of the whole run, every shard together.
    pub replications: u32,
    /// Which shard this is: K of N, from 1.
    pub shard: u32,
    /// Number of shards N the run was split into.
    pub shards: u32,
    /// Replications in this part.
    pub count: u32,
    /// Scalar KPIs in body order: (metric name, pool index, specialty index).
    pub scalar: Vec<(String, Option<usize>, Option<usize>)>,
    /// Daily series in body order: (metric name, pool index, specialty index, length in reported days).
    pub daily: Vec<(String, Option<usize>, Option<usize>, usize)>,
    /// Monthly series in body order: (metric name, pool index, specialty index, length in calendar months).
    pub monthly: Vec<(String, Option<usize>, Option<usize>, usize)>,
    /// SHA-256 of the body (every byte after the header line), lowercase hex.
    pub body_sha256: String,
}

/// Which run a part belongs to: everything in the header but the layout,
/// the count and the checksum.
#[derive(Debug, Clone, PartialEq)]
pub struct PartMeta {
    /// Scenario file the shard ran (used for messages and to find the scenario).
    pub scenario_path: String,
    /// The scenario fingerprint: SHA-256 of its whole `extends` chain.
    pub scenario_sha256: String,
    /// Seed the replications ran with.
    pub seed: u64,
    /// Replications of the whole run, every shard together.
    pub replications: u32,
    /// Which shard: K of N, from 1.
    pub shard: u32,
    /// Number of shards N.
    pub shards: u32,
}

/// Why a part file could not be read, written or merged (see [`ShardError::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// A part file could not be opened or read (exit 2).
    #[error("cannot read part file {path}: {source}")]
    Read {
        /// The part file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The part file could not be written (exit 1).
    #[error("cannot write part file {path}: {source}")]
    Write {
        /// The part file (or its temporary file).
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file is not a well-formed part of this format, or is damaged (exit 2).
    #[error("{path} is not a usable bedflow part file: {why}")]
    Format {
        /// The part file.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// A shard's `--out` is not a place a part file may be written (exit 2).
    #[error("--out {path}: {why}")]
    Out {
        /// The `--out` path.
        path: String,
        /// Why it is refused.
        why: String,
    },
    /// The parts do not make one run: they differ in scenario, seed, counts, version or layout, or a shard is missing
    /// or repeated (exit 2).
    #[error("the parts do not make one run: {0}")]
    Mismatch(String),
}

impl ShardError {
    /// 1 when writing a part failed (an output problem), 2 for bad input.
    pub fn exit_code(&self) -> u8 {
        match self {
            ShardError::Write { .. } => 1,
            _ => 2,
        }
    }
}

/// The names, pool and specialty indexes and series lengths of a
/// replication's KPIs, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Scalar KPIs in order, one value per replication.
    pub scalar: Vec<Key>,
    /// Daily series in order, each with its length in reported days.
    pub daily: Vec<(Key, usize)>,
    /// Monthly series in order, each with its length in calendar months.
    pub monthly: Vec<(Key, usize)>,
}

impl Layout {
    /// The layout this bedflow computes for every replication of `model`.
    pub fn of_model(model: &Model) -> Layout {
        Layout::of(&crate::stats::layout(model))
    }

    /// The layout of one replication's KPIs.
    pub fn of(k: &Kpis) -> Layout {
        Layout {
            scalar: k.scalar.iter().map(|(key, _)| *key).collect(),
            daily: k.daily.iter().map(|(key, v)| (*key, v.len())).collect(),
            monthly: k.monthly.iter().map(|(key, v)| (*key, v.len())).collect(),
        }
    }

    /// Whether `k` has this layout.
    fn fits(&self, k: &Kpis) -> bool {
        k.scalar.len() == self.scalar.len()
            && k.daily.len() == self.daily.len()
            && k.monthly.len() == self.monthly.len()
            && k.scalar.iter().zip(&self.scalar).all(|((a, _), b)| a == b)
            && k.daily.iter().zip(&self.daily).all(|((a, v), (b, n))| a == b && v.len() == *n)
            && k.monthly.iter().zip(&self.monthly).all(|((a, v), (b, n))| a == b && v.len() == *n)
    }

    /// The name of value `i` of a replication, for messages.
    fn describe(&self, mut i: usize) -> String {
        if let Some(k) = self.scalar.get(i) {
            return describe_key(k);
        }
        i -= self.scalar.len();
        for (k, n) in self.daily.iter().chain(&self.monthly) {
            if i < *n {
                return format!("{} (value {} of its series)", describe_key(k), i + 1);
            }
            i -= n;
        }
        format!("value {}", i + 1)
    }
}

pub(crate) fn describe_key(k: &Key) -> String {
    describe(k.metric.name(), k.pool(), k.specialty())
}

pub(crate) fn describe(metric: &str, pool: Option<usize>, specialty: Option<usize>) -> String {
    let mut s = format!("\"{}\"", metric.escape_debug());
    if let Some(p) = pool {
        s += &format!(" of pool #{}", p + 1);
    }
    if let Some(j) = specialty {
        s += &format!(" of specialty #{}", j + 1);
    }
    s
}

/// How many replications shard `shard` of `shards` has out of `replications`:
/// those numbered r (from 0) with r mod shards = shard - 1.
pub fn shard_count(shard: u32, shards: u32, replications: u32) -> u32 {
    let first = shard.saturating_sub(1);
    if shards == 0 || first >= replications { 0 } else { (replications - first - 1) / shards + 1 }
}

/// The replication numbers (from 0) of shard `shard` of `shards`.
pub fn shard_indices(shard: u32, shards: u32, replications: u32) -> Vec<u32> {
    (0..shard_count(shard, shards, replications)).map(|i| shard - 1 + i * shards).collect()
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The format version named by a part file's first line (without its
/// newline), or `None` if it is not one: `bedflow-part 1`, `bedflow-part 2`...
pub fn part_version(first_line: &[u8]) -> Option<u32> {
    let digits = first_line.strip_prefix(MAGIC_PREFIX)?;
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Whether the file at `path` starts with the first line of a part file of
/// any format version (false for anything unreadable or not a regular file).
pub fn is_part_file(path: &Path) -> bool {
    let Ok(file) = open_regular(path) else { return false };
    let mut r = BufReader::new(file.take(MAX_MAGIC_BYTES));
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).is_ok() && line.pop() == Some(b'\n') && part_version(&line).is_some()
}

/// Opens `path` for reading only if it is a regular file (following
/// symlinks): a folder, FIFO or device is refused before it is opened.
pub(crate) fn open_regular(path: &Path) -> Result<std::fs::File, ShardError> {
    let shown = path.display().to_string();
    let read = |source| ShardError::Read { path: shown.clone(), source };
    let not_file = || ShardError::Format {
        path: shown.clone(),
        why: "it is not a regular file (a folder, a FIFO or a device)".into(),
    };
    if !std::fs::metadata(path).map_err(read)?.is_file() {
        return Err(not_file());
    }
    crate::files::open_regular(path).map_err(read)?.map_err(|_| not_file())
}

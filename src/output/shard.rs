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

use crate::engine::{Engine, Plan};
use crate::model::Model;
use crate::stats::{Key, Kpis};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The part format this bedflow writes and reads.
pub const FORMAT: u32 = 2;
/// The first line of a part file, before the version number.
const MAGIC_PREFIX: &[u8] = b"bedflow-part ";
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
const MAX_MAGIC_BYTES: u64 = 32;

/// The header line of a part file (see the module comment).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PartHeader {
    pub format: u32,
    pub bedflow_version: String,
    pub scenario_path: String,
    /// The scenario fingerprint: SHA-256 of its whole `extends` chain.
    pub scenario_sha256: String,
    pub seed: u64,
    pub replications: u32,
    pub shard: u32,
    pub shards: u32,
    /// Replications in this part.
    pub count: u32,
    pub scalar: Vec<(String, Option<usize>, Option<usize>)>,
    pub daily: Vec<(String, Option<usize>, Option<usize>, usize)>,
    pub monthly: Vec<(String, Option<usize>, Option<usize>, usize)>,
    /// SHA-256 of the body (every byte after the header line), lowercase hex.
    pub body_sha256: String,
}

/// Which run a part belongs to: everything in the header but the layout,
/// the count and the checksum.
#[derive(Debug, Clone, PartialEq)]
pub struct PartMeta {
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub replications: u32,
    pub shard: u32,
    pub shards: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("cannot read part file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write part file {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("{path} is not a usable bedflow part file: {why}")]
    Format { path: String, why: String },
    #[error("--out {path}: {why}")]
    Out { path: String, why: String },
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
    pub scalar: Vec<Key>,
    pub daily: Vec<(Key, usize)>,
    pub monthly: Vec<(Key, usize)>,
}

impl Layout {
    /// The layout this bedflow computes for every replication of `model`.
    pub fn of_model(model: &Model) -> Layout {
        let plan = Plan::new(model);
        Layout::of(&crate::stats::kpis(model, &Engine::blank(&plan)))
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

fn describe_key(k: &Key) -> String {
    describe(k.metric, k.pool, k.specialty)
}

fn describe(metric: &str, pool: Option<usize>, specialty: Option<usize>) -> String {
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_sha256_hex(s: &str) -> bool {
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
fn open_regular(path: &Path) -> Result<std::fs::File, ShardError> {
    let shown = path.display().to_string();
    let read = |source| ShardError::Read { path: shown.clone(), source };
    let not_file = || ShardError::Format {
        path: shown.clone(),
        why: "it is not a regular file (a folder, a FIFO or a device)".into(),
    };
    if !std::fs::metadata(path).map_err(read)?.is_file() {
        return Err(not_file());
    }
    // Non-blocking open: had the path been swapped for a FIFO since it was
    // looked at, the open returns at once (and the check below refuses it)
    // instead of waiting for a writer. Reads of a regular file are unaffected.
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path).map_err(read)?;
    if !file.metadata().map_err(read)?.is_file() {
        return Err(not_file());
    }
    Ok(file)
}

/// Refuses a `--out` for a part file that would replace something not a
/// part file: a folder, a symlink, the scenario or a file it extends
/// (`protected`, canonical paths), or any existing file whose first line is
/// not a part file's. A missing file, or an existing part file, is fine.
pub fn check_out(path: &Path, protected: &[PathBuf]) -> Result<(), ShardError> {
    let refuse = |why: &str| ShardError::Out { path: path.display().to_string(), why: why.to_string() };
    if path.file_name().is_none() || path.as_os_str().to_string_lossy().ends_with(std::path::MAIN_SEPARATOR) {
        return Err(refuse("names a folder; give the part file's path, e.g. shard-1.part"));
    }
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(refuse(&format!("cannot look at it: {e}"))),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse("is a symbolic link; give the part file's own path"));
    }
    if meta.is_dir() {
        return Err(refuse("is a folder; give the part file's path, e.g. shard-1.part"));
    }
    if !meta.is_file() {
        return Err(refuse("is not a regular file (a FIFO or a device)"));
    }
    if let Ok(canonical) = path.canonicalize()
        && protected.contains(&canonical)
    {
        return Err(refuse("is the scenario file (or a scenario it extends); a part file needs its own path"));
    }
    if !is_part_file(path) {
        return Err(refuse("exists and is not a bedflow part file; bedflow replaces only its own part files"));
    }
    Ok(())
}

/// The bytes of one replication's record.
fn record_bytes(r: u32, k: &Kpis, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&r.to_le_bytes());
    out.extend_from_slice(&k.events.to_le_bytes());
    let values = k
        .scalar
        .iter()
        .map(|(_, v)| *v)
        .chain(k.daily.iter().flat_map(|(_, v)| v.iter().copied()))
        .chain(k.monthly.iter().flat_map(|(_, v)| v.iter().copied()));
    for v in values {
        out.extend_from_slice(&v.to_bits().to_le_bytes());
    }
}

/// A name for a temporary file beside `path` that no one else uses:
/// `.NAME.tmp-PID-RANDOM`.
fn temporary_name(dir: &Path, name: &str) -> PathBuf {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the OS's randomness, differently in each process.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    let short: String = name.chars().take(64).collect();
    dir.join(format!(".{short}.tmp-{}-{:016x}", std::process::id(), h.finish()))
}

/// Writes a part file: to an exclusively created temporary file in the same
/// folder (never following a symlink at that name), synced, renamed into
/// place, then the folder synced. `reps` must be exactly shard K of N's
/// replications, each with `layout`.
pub fn write_part(path: &Path, meta: &PartMeta, layout: &Layout, reps: &[(u32, Kpis)]) -> Result<(), ShardError> {
    let shown = path.display().to_string();
    let io = |source| ShardError::Write { path: shown.clone(), source };
    let expected = shard_indices(meta.shard, meta.shards, meta.replications);
    if reps.len() != expected.len() || reps.iter().zip(&expected).any(|((r, _), e)| r != e) {
        return Err(io(std::io::Error::other("internal error: the replications are not this shard's")));
    }
    if let Some((r, _)) = reps.iter().find(|(_, k)| !layout.fits(k)) {
        return Err(io(std::io::Error::other(format!("internal error: replication {} has another KPI layout", r + 1))));
    }
    // First pass: the body's checksum, which the header carries.
    let mut hasher = Sha256::new();
    let mut buf = Vec::new();
    for (r, k) in reps {
        record_bytes(*r, k, &mut buf);
        hasher.update(&buf);
    }
    let header = PartHeader {
        format: FORMAT,
        bedflow_version: env!("CARGO_PKG_VERSION").into(),
        scenario_path: meta.scenario_path.clone(),
        scenario_sha256: meta.scenario_sha256.clone(),
        seed: meta.seed,
        replications: meta.replications,
        shard: meta.shard,
        shards: meta.shards,
        count: reps.len() as u32,
        scalar: layout.scalar.iter().map(|k| (k.metric.to_string(), k.pool, k.specialty)).collect(),
        daily: layout.daily.iter().map(|(k, n)| (k.metric.to_string(), k.pool, k.specialty, *n)).collect(),
        monthly: layout.monthly.iter().map(|(k, n)| (k.metric.to_string(), k.pool, k.specialty, *n)).collect(),
        body_sha256: hex(&hasher.finalize()),
    };
    let json = serde_json::to_string(&header).map_err(|e| io(std::io::Error::other(e)))?;

    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "part".into());
    let (tmp, file) = {
        let mut attempt = 0;
        loop {
            let tmp = temporary_name(&dir, &name);
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
                Err(e) => return Err(io(e)),
            }
        }
    };
    let written = (|| -> std::io::Result<()> {
        let mut w = BufWriter::new(file);
        w.write_all(MAGIC_PREFIX)?;
        writeln!(w, "{FORMAT}")?;
        writeln!(w, "{json}")?;
        for (r, k) in reps {
            record_bytes(*r, k, &mut buf);
            w.write_all(&buf)?;
        }
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    if let Err(e) = written.map_err(io).and_then(|()| publish(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(&dir).map_err(io)
}

/// Renames the finished temporary file `tmp` to `path`, replacing nothing
/// but a part file. [`check_out`] looked at `path` before the shard ran; a
/// file made there since is kept and the part refused (exit 2). On Linux a
/// missing `path` is taken with `renameat2(RENAME_NOREPLACE)`, so a file made
/// at that very moment is not replaced either; elsewhere, or where the file
/// system cannot do that, `path` is looked at again just before the rename.
fn publish(tmp: &Path, path: &Path) -> Result<(), ShardError> {
    let io = |source| ShardError::Write { path: path.display().to_string(), source };
    failpoint("part-before-rename");
    if rename_noreplace(tmp, path).map_err(io)? {
        return Ok(());
    }
    // `path` exists (or the file system cannot rename without replacing).
    check_out(path, &[]).map_err(|e| match e {
        ShardError::Out { path, why } => ShardError::Out {
            path,
            why: format!("{why} (it appeared while the shard ran; it is kept, and this shard's part was not written)"),
        },
        e => e,
    })?;
    std::fs::rename(tmp, path).map_err(io)
}

/// Renames `from` to `to` unless `to` exists: `Ok(true)` if renamed,
/// `Ok(false)` if `to` exists or the file system cannot rename without
/// replacing.
#[cfg(target_os = "linux")]
fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (cf, ct) = (c(from)?, c(to)?);
    // SAFETY: both strings are valid NUL-terminated paths that outlive the call.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, cf.as_ptr(), libc::AT_FDCWD, ct.as_ptr(), libc::RENAME_NOREPLACE) };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EEXIST) | Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(err),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_noreplace(_from: &Path, _to: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Pauses at a named step when `BEDFLOW_FAILPOINT` names it (debug builds and
/// the test build, feature `failpoints`, as in [`crate::output::atomic`]):
/// prints `bedflow: failpoint <step>` to stderr, then waits until the file
/// named by `BEDFLOW_FAILPOINT_RESUME` exists (looking every 20 ms), at most
/// a minute. Release builds of the tool ignore it.
fn failpoint(step: &str) {
    #[cfg(any(debug_assertions, feature = "failpoints"))]
    if std::env::var("BEDFLOW_FAILPOINT").is_ok_and(|v| v.split(',').any(|s| s == step)) {
        eprintln!("bedflow: failpoint {step}");
        let resume = std::env::var_os("BEDFLOW_FAILPOINT_RESUME").map(PathBuf::from);
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < until && !resume.as_deref().is_some_and(Path::exists) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    #[cfg(not(any(debug_assertions, feature = "failpoints")))]
    let _ = step;
}

/// Makes a rename in `dir` durable. Some file systems cannot sync a folder;
/// that is not an error.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        match std::fs::File::open(dir).and_then(|d| d.sync_all()) {
            Err(e) if matches!(e.kind(), std::io::ErrorKind::InvalidInput | std::io::ErrorKind::Unsupported) => Ok(()),
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Reads one line of at most `limit` bytes (newline included, then removed).
fn read_line<R: BufRead>(r: &mut R, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    r.by_ref().take(limit).read_until(b'\n', &mut line)?;
    if line.pop() == Some(b'\n') { Ok(Some(line)) } else { Ok(None) }
}

/// A part being read: its validated header, then its records one by one.
pub struct PartReader<R> {
    pub header: PartHeader,
    reader: R,
    shown: String,
    hasher: Sha256,
    values: usize,
    /// Where the body starts: the bytes of the first line and the header line.
    body_start: u64,
    /// Records read so far.
    done: u32,
    buf: Vec<u8>,
}

impl<R: BufRead> PartReader<R> {
    /// Reads and checks the header of a part of `len` bytes in all.
    fn new(mut reader: R, len: u64, shown: &str) -> Result<PartReader<R>, ShardError> {
        let bad = |why: String| ShardError::Format { path: shown.to_string(), why };
        let io = |source| ShardError::Read { path: shown.to_string(), source };
        let first = read_line(&mut reader, MAX_MAGIC_BYTES).map_err(io)?;
        let first_len = first.as_ref().map_or(0, |l| l.len() + 1) as u64;
        match first.as_deref().map(part_version) {
            Some(Some(FORMAT)) => {}
            Some(Some(v)) => {
                return Err(bad(format!(
                    "it is in part format version {v}, and this bedflow ({}) reads only format version {FORMAT}; \
                     run the shards again with this bedflow",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            _ => return Err(bad(format!("its first line is not `bedflow-part {FORMAT}`"))),
        }
        let line = read_line(&mut reader, MAX_HEADER_BYTES).map_err(io)?.ok_or_else(|| {
            bad(format!(
                "its header is missing, unfinished or longer than {MAX_HEADER_BYTES} bytes \
                 (more than any scenario within bedflow's limits needs)"
            ))
        })?;
        let header_len = first_len + line.len() as u64 + 1;
        let header: PartHeader = serde_json::from_slice(&line).map_err(|e| bad(format!("its header: {e}")))?;
        drop(line);
        let body = check_header(&header).map_err(bad)?;
        let actual = len.saturating_sub(header_len);
        if actual != body.bytes {
            return Err(bad(format!(
                "its body is {actual} bytes, but the header implies {} ({} replications of {} bytes): \
                 it is truncated or has extra data",
                body.bytes, header.count, body.record
            )));
        }
        Ok(PartReader {
            header,
            reader,
            shown: shown.to_string(),
            hasher: Sha256::new(),
            values: body.values,
            body_start: header_len,
            done: 0,
            buf: Vec::new(),
        })
    }

    fn bad(&self, why: String) -> ShardError {
        ShardError::Format { path: self.shown.clone(), why }
    }

    /// Refuses a part whose layout is not `layout`, naming the first difference.
    pub fn check_layout(&self, layout: &Layout) -> Result<(), ShardError> {
        check_layout(&self.header, &self.shown, layout)
    }

    /// Reads the next record into `values`: its replication number (checked
    /// to be the next of this shard's) and event count. Infinite values and
    /// impossible event counts are refused, naming value i by `name(i)`.
    fn next_raw(&mut self, values: &mut Vec<f64>, name: &dyn Fn(usize) -> String) -> Result<(u32, u64), ShardError> {
        if self.done >= self.header.count {
            return Err(self.bad("internal error: read past the last replication".into()));
        }
        self.buf.resize(12 + 8 * self.values, 0);
        read_record(&mut self.reader, &mut self.buf, &self.shown)?;
        self.hasher.update(&self.buf);
        let read = decode_record((self.header.shard, self.header.shards), self.done, &self.buf, values, name)
            .map_err(|why| self.bad(why))?;
        self.done += 1;
        Ok(read)
    }

    /// After the last record: nothing more in the file, and the body's
    /// SHA-256 is the header's.
    pub fn finish(mut self) -> Result<(), ShardError> {
        if self.done != self.header.count {
            return Err(self.bad("internal error: not every replication was read".into()));
        }
        let mut rest = [0u8; 1];
        let more =
            self.reader.read(&mut rest).map_err(|source| ShardError::Read { path: self.shown.clone(), source })?;
        if more != 0 {
            return Err(self.bad("it has data after its last replication (it grew while being read?)".into()));
        }
        let sum = hex(&std::mem::take(&mut self.hasher).finalize());
        check_sum(&sum, &self.header.body_sha256).map_err(|why| self.bad(why))
    }
}

/// Refuses a body whose SHA-256 (`sum`) is not the header's.
fn check_sum(sum: &str, header: &str) -> Result<(), String> {
    if sum == header {
        Ok(())
    } else {
        Err(format!("its body's SHA-256 is {sum}, but its header says {header}: the file is corrupt"))
    }
}

/// Reads one record's bytes (`buf.len()` of them).
fn read_record(r: &mut impl Read, buf: &mut [u8], shown: &str) -> Result<(), ShardError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            ShardError::Format { path: shown.to_string(), why: "it is truncated (it shrank while being read?)".into() }
        }
        _ => ShardError::Read { path: shown.to_string(), source: e },
    })
}

/// Decodes record `i` (from 0) of shard `shard` of `shards` into `values`,
/// returning its replication number and event count: the number must be the
/// shard's i-th, no value infinite (value j is named by `name(j)`), the event
/// count at most [`MAX_EVENTS`].
fn decode_record(
    (shard, shards): (u32, u32),
    i: u32,
    buf: &[u8],
    values: &mut Vec<f64>,
    name: &dyn Fn(usize) -> String,
) -> Result<(u32, u64), String> {
    let expected = u64::from(shard.saturating_sub(1)) + u64::from(i) * u64::from(shards);
    let (head, rest) = buf.split_at_checked(12).ok_or("internal error: a record shorter than 12 bytes")?;
    let r = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let mut e8 = [0u8; 8];
    e8.copy_from_slice(&head[4..12]);
    let events = u64::from_le_bytes(e8);
    if u64::from(r) != expected {
        return Err(format!(
            "record {} is replication {}, where shard {}/{} has replication {} there",
            u64::from(i) + 1,
            u64::from(r) + 1,
            shard,
            shards,
            expected + 1
        ));
    }
    if events > MAX_EVENTS {
        return Err(format!(
            "replication {} has {events} events, more than any replication within bedflow's limits \
             can have ({MAX_EVENTS})",
            u64::from(r) + 1
        ));
    }
    values.clear();
    for (j, chunk) in rest.chunks_exact(8).enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let v = f64::from_bits(u64::from_le_bytes(b));
        if v.is_infinite() {
            return Err(format!(
                "replication {}: {} is infinite, and bedflow never computes an infinite KPI \
                 (an undefined one is NaN)",
                u64::from(r) + 1,
                name(j)
            ));
        }
        values.push(v);
    }
    Ok((r, events))
}

/// A replication's KPIs with `layout`, from its values in layout order.
fn kpis_from(layout: &Layout, values: Vec<f64>, events: u64) -> Kpis {
    let mut it = values.into_iter();
    let scalar = layout.scalar.iter().map(|k| (*k, it.next().unwrap_or(f64::NAN))).collect();
    let mut series = |keys: &[(Key, usize)]| -> Vec<(Key, Vec<f64>)> {
        keys.iter().map(|(k, n)| (*k, it.by_ref().take(*n).collect())).collect()
    };
    let daily = series(&layout.daily);
    let monthly = series(&layout.monthly);
    Kpis { scalar, daily, monthly, events }
}

/// Refuses a part (header `h`, named `shown`) whose layout is not `layout`,
/// naming the first difference.
fn check_layout(h: &PartHeader, shown: &str, layout: &Layout) -> Result<(), ShardError> {
    let bad = |why: String| ShardError::Format { path: shown.to_string(), why };
    let diff = |what: &str, i: usize, theirs: String, ours: String| {
        bad(format!(
            "{what} KPI #{} is {theirs}, where this bedflow computes {ours} for this scenario \
             (a part from another bedflow or another scenario?)",
            i + 1
        ))
    };
    let count = |what: &str, theirs: usize, ours: usize| {
        bad(format!(
            "it has {theirs} {what} KPIs, where this bedflow computes {ours} for this scenario \
             (a part from another bedflow or another scenario?)"
        ))
    };
    if h.scalar.len() != layout.scalar.len() {
        return Err(count("scalar", h.scalar.len(), layout.scalar.len()));
    }
    for (i, ((m, p, s), k)) in h.scalar.iter().zip(&layout.scalar).enumerate() {
        if (m.as_str(), *p, *s) != (k.metric, k.pool, k.specialty) {
            return Err(diff("scalar", i, describe(m, *p, *s), describe_key(k)));
        }
    }
    for (what, theirs, ours) in [("daily", &h.daily, &layout.daily), ("monthly", &h.monthly, &layout.monthly)] {
        if theirs.len() != ours.len() {
            return Err(count(what, theirs.len(), ours.len()));
        }
        for (i, ((m, p, s, n), (k, len))) in theirs.iter().zip(ours).enumerate() {
            if (m.as_str(), *p, *s) != (k.metric, k.pool, k.specialty) {
                return Err(diff(what, i, describe(m, *p, *s), describe_key(k)));
            }
            if n != len {
                return Err(diff(what, i, format!("{} with {n} values", describe(m, *p, *s)), format!("{len} values")));
            }
        }
    }
    Ok(())
}

/// Sizes a valid header implies.
struct BodySize {
    values: usize,
    record: u64,
    bytes: u64,
}

/// Checks every header field that can be checked without the scenario, and
/// returns the body's size.
fn check_header(h: &PartHeader) -> Result<BodySize, String> {
    if h.format != FORMAT {
        return Err(format!("its header says format version {}, its first line {FORMAT}", h.format));
    }
    if h.bedflow_version.is_empty() || h.bedflow_version.len() > 64 {
        return Err("its header has no usable bedflow_version".into());
    }
    if !(1..=MAX_SHARDS).contains(&h.shards) {
        return Err(format!("shards is {}, which is not between 1 and {MAX_SHARDS}", h.shards));
    }
    if !(1..=h.shards).contains(&h.shard) {
        return Err(format!("shard is {}, which is not between 1 and shards ({})", h.shard, h.shards));
    }
    if !(1..=MAX_REPLICATIONS).contains(&h.replications) {
        return Err(format!("replications is {}, which is not between 1 and {MAX_REPLICATIONS}", h.replications));
    }
    let expected = shard_count(h.shard, h.shards, h.replications);
    if h.count != expected {
        return Err(format!(
            "count is {}, but shard {}/{} of {} replications has {expected}",
            h.count, h.shard, h.shards, h.replications
        ));
    }
    for (what, sum) in [("scenario_sha256", &h.scenario_sha256), ("body_sha256", &h.body_sha256)] {
        if !is_sha256_hex(sum) {
            return Err(format!("{what} is not a SHA-256 (64 lowercase hex digits)"));
        }
    }
    let mut values = h.scalar.len();
    for (what, series) in [("daily", &h.daily), ("monthly", &h.monthly)] {
        for (m, p, s, n) in series {
            if *n > MAX_SERIES {
                return Err(format!(
                    "{what} series {} has {n} values; no scenario has more than {MAX_SERIES} days",
                    describe(m, *p, *s)
                ));
            }
            values = values.checked_add(*n).ok_or("its series are impossibly long")?;
        }
    }
    let record =
        (values as u64).checked_mul(8).and_then(|b| b.checked_add(12)).ok_or("its series are impossibly long")?;
    let bytes = record.checked_mul(h.count as u64).ok_or("its body would be impossibly long")?;
    Ok(BodySize { values, record, bytes })
}

/// A part read whole from bytes, checked as far as possible without the
/// scenario: header, sizes, replication numbers, values and checksum.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPart {
    pub header: PartHeader,
    /// Per replication: its number, event count and values in header order.
    pub reps: Vec<(u32, u64, Vec<f64>)>,
}

/// Parses a part file's bytes (`shown` names it in messages). Never panics;
/// allocates no more than the bytes given imply.
pub fn parse_part(bytes: &[u8], shown: &str) -> Result<RawPart, ShardError> {
    let mut p = PartReader::new(bytes, bytes.len() as u64, shown)?;
    let mut reps = Vec::with_capacity(p.header.count as usize);
    for _ in 0..p.header.count {
        let mut values = Vec::with_capacity(p.values);
        let (r, events) = p.next_raw(&mut values, &|i| format!("value #{}", i + 1))?;
        reps.push((r, events, values));
    }
    let header = p.header.clone();
    p.finish()?;
    Ok(RawPart { header, reps })
}

/// A part being read from its file.
type FileReader = PartReader<BufReader<std::io::Take<std::fs::File>>>;

/// Opens a part file: only a regular file, its header checked, its size
/// checked against the header; reads are bounded by that size. Also returns
/// the file's identity, to notice later that it changed.
fn open_part(path: &Path) -> Result<(FileReader, FileId), ShardError> {
    let shown = path.display().to_string();
    let file = open_regular(path)?;
    let meta = file.metadata().map_err(|source| ShardError::Read { path: shown.clone(), source })?;
    let id = FileId::of(&meta);
    // One byte past the size, so a file that grew is noticed at the end.
    let reader = PartReader::new(BufReader::new(file.take(meta.len().saturating_add(1))), meta.len(), &shown)?;
    Ok((reader, id))
}

/// What tells a part file from the same file changed (or another file at
/// its path): device and inode (on Unix), size and modification time.
#[derive(Debug, Clone, PartialEq)]
struct FileId {
    #[cfg(unix)]
    dev_ino: (u64, u64),
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl FileId {
    fn of(meta: &std::fs::Metadata) -> FileId {
        FileId {
            #[cfg(unix)]
            dev_ino: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// Most parts a merge keeps open at once; with more, it opens a part for
/// each replication it reads from it and closes it again.
pub const MAX_OPEN_PARTS: usize = 256;

/// One shard's part, as a merge reads it: where its body starts and what its
/// checksum must be. Its KPI layout is the first part's.
struct PartFile {
    path: PathBuf,
    id: FileId,
    body_start: u64,
    body_sha256: String,
}

impl PartFile {
    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    fn bad(&self, why: impl Into<String>) -> ShardError {
        ShardError::Format { path: self.shown(), why: why.into() }
    }

    /// Opens the part again at byte `offset` of its body, refusing it if it
    /// is no longer the file [`open_parts`] read.
    fn open_at(&self, offset: u64) -> Result<std::fs::File, ShardError> {
        use std::io::{Seek, SeekFrom};
        let read = |source| ShardError::Read { path: self.shown(), source };
        let mut file = open_regular(&self.path)?;
        if FileId::of(&file.metadata().map_err(read)?) != self.id {
            return Err(self.bad("it changed while being merged"));
        }
        file.seek(SeekFrom::Start(self.body_start.saturating_add(offset))).map_err(read)?;
        Ok(file)
    }

    /// Whether `file` (this part, opened earlier) or, without it, the file at
    /// its path is still the file [`open_parts`] read.
    fn check_unchanged(&self, file: Option<&std::fs::File>) -> Result<(), ShardError> {
        let read = |source| ShardError::Read { path: self.shown(), source };
        let meta = match file {
            Some(f) => f.metadata().map_err(read)?,
            None => std::fs::metadata(&self.path).map_err(read)?,
        };
        if FileId::of(&meta) != self.id {
            return Err(self.bad("it changed while being merged"));
        }
        Ok(())
    }
}

/// The first part given to a merge: its whole header (which names the
/// scenario) and where its body is. See [`first_part`].
pub struct FirstPart {
    pub header: PartHeader,
    part: PartFile,
}

/// Reads the first part's header, so that the scenario it names can be loaded
/// (and its KPI layout checked, see [`open_parts`]) before any other part is read.
pub fn first_part(paths: &[PathBuf]) -> Result<FirstPart, ShardError> {
    let path = paths.first().ok_or_else(|| ShardError::Mismatch("no parts given".into()))?;
    let (reader, id) = open_part(path)?;
    let part = PartFile {
        path: path.clone(),
        id,
        body_start: reader.body_start,
        body_sha256: reader.header.body_sha256.clone(),
    };
    Ok(FirstPart { header: reader.header, part })
}

/// The parts of one run, checked against each other, in shard order.
pub struct Parts {
    /// The first part's header (the run's scenario, seed, counts, layout).
    pub header: PartHeader,
    /// The part of each shard, in shard order.
    parts: Vec<PartFile>,
}

/// What differs between two parts' runs, if anything.
fn differs(a: &PartHeader, b: &PartHeader) -> Option<&'static str> {
    [
        (a.bedflow_version != b.bedflow_version, "bedflow version"),
        (a.scenario_sha256 != b.scenario_sha256, "scenario (its SHA-256, over its whole extends chain)"),
        (a.seed != b.seed, "seed"),
        (a.replications != b.replications, "replication count"),
        (a.shards != b.shards, "shard count"),
        (a.scalar != b.scalar || a.daily != b.daily || a.monthly != b.monthly, "KPI layout"),
    ]
    .into_iter()
    .find_map(|(d, what)| d.then_some(what))
}

/// Checks that the parts (`paths`, the first of which is `first`) make one
/// run: same format, bedflow version, scenario fingerprint, seed, replication
/// and shard counts and KPI layout; every shard exactly once. With `layout`
/// (what this bedflow computes for the scenario) the first part's layout is
/// checked against it before any other part is opened.
///
/// Only the first header is kept whole: each other part's header is compared
/// with it as it is read, then dropped, so a merge holds at most two headers
/// (each at most [`MAX_HEADER_BYTES`] long) at any time. No body is read yet,
/// and no file is left open.
pub fn open_parts(paths: &[PathBuf], first: FirstPart, layout: Option<&Layout>) -> Result<Parts, ShardError> {
    let FirstPart { header: head, part } = first;
    if let Some(layout) = layout {
        check_layout(&head, &part.shown(), layout)?;
    }
    let mut by_shard: Vec<Option<PartFile>> = (0..head.shards).map(|_| None).collect();
    let mut place = |h: &PartHeader, part: PartFile| -> Result<(), ShardError> {
        let slot = &mut by_shard[h.shard as usize - 1];
        if let Some(earlier) = slot {
            return Err(ShardError::Mismatch(format!(
                "shard {}/{} given twice ({} and {})",
                h.shard,
                h.shards,
                earlier.path.display(),
                part.path.display()
            )));
        }
        *slot = Some(part);
        Ok(())
    };
    let first_path = part.path.clone();
    place(&head, part)?;
    for path in paths.iter().skip(1) {
        let (reader, id) = open_part(path)?;
        let h = reader.header;
        if let Some(what) = differs(&head, &h) {
            return Err(ShardError::Mismatch(format!(
                "{} (shard {}/{}) and {} (shard {}/{}) differ in {what}",
                path.display(),
                h.shard,
                h.shards,
                first_path.display(),
                head.shard,
                head.shards
            )));
        }
        let part =
            PartFile { path: path.clone(), id, body_start: reader.body_start, body_sha256: h.body_sha256.clone() };
        place(&h, part)?;
        // `h`, with its KPI list, is dropped here.
    }
    let parts = by_shard
        .into_iter()
        .enumerate()
        .map(|(k, p)| p.ok_or_else(|| ShardError::Mismatch(format!("shard {}/{} is missing", k + 1, head.shards))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Parts { header: head, parts })
}

impl Parts {
    /// Checks the parts' layout against `layout` (what this bedflow computes
    /// for the scenario), then passes every replication to `sink` in
    /// replication order, reading each one only when it is its turn (shard
    /// r mod N holds replication r): one replication is in memory at a time,
    /// whatever the number of parts. Up to [`MAX_OPEN_PARTS`] parts stay open;
    /// with more, a part is opened, read at the replication's offset and
    /// closed for each replication. Every part's checksum is verified, and
    /// every part checked unchanged, before this returns.
    pub fn stream(self, layout: &Layout, sink: &mut dyn FnMut(Kpis)) -> Result<(), ShardError> {
        let n = self.parts.len();
        let h = &self.header;
        check_layout(h, &self.parts[0].shown(), layout)?;
        let size = check_header(h).map_err(|why| self.parts[0].bad(why))?;
        if n != h.shards as usize {
            return Err(ShardError::Mismatch("internal error: not one part per shard".into()));
        }
        let keep_open = n <= MAX_OPEN_PARTS;
        let mut open: Vec<Option<std::fs::File>> = (0..n).map(|_| None).collect();
        let mut hashers: Vec<Sha256> = (0..n).map(|_| Sha256::new()).collect();
        let mut buf = Vec::new();
        for r in 0..h.replications {
            let (k, i) = (r as usize % n, r / h.shards);
            let part = &self.parts[k];
            let mut file = match open[k].take() {
                Some(f) => f,
                None => part.open_at(u64::from(i) * size.record)?,
            };
            buf.resize(12 + 8 * size.values, 0);
            read_record(&mut file, &mut buf, &part.shown())?;
            hashers[k].update(&buf);
            let mut values = Vec::with_capacity(size.values);
            let (_, events) = decode_record((k as u32 + 1, h.shards), i, &buf, &mut values, &|j| layout.describe(j))
                .map_err(|why| part.bad(why))?;
            if keep_open {
                open[k] = Some(file);
            }
            sink(kpis_from(layout, values, events));
        }
        for ((part, hasher), file) in self.parts.iter().zip(hashers).zip(&open) {
            part.check_unchanged(file.as_ref())?;
            check_sum(&hex(&hasher.finalize()), &part.body_sha256).map_err(|why| part.bad(why))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_counts_add_up() {
        for reps in 1..40 {
            for shards in 1..50 {
                let mut all: Vec<u32> = (1..=shards).flat_map(|k| shard_indices(k, shards, reps)).collect();
                all.sort();
                assert_eq!(all, (0..reps).collect::<Vec<_>>());
            }
        }
        assert_eq!(shard_count(3, 4, 2), 0);
        assert_eq!(shard_count(1, 1, MAX_REPLICATIONS), MAX_REPLICATIONS);
    }

    #[test]
    fn magic_versions() {
        assert_eq!(part_version(b"bedflow-part 2"), Some(2));
        assert_eq!(part_version(b"bedflow-part 1"), Some(1));
        assert_eq!(part_version(b"bedflow-part "), None);
        assert_eq!(part_version(b"bedflow-part 2 "), None);
        assert_eq!(part_version(b"bedflow-part 99999999999"), None);
        assert_eq!(part_version(b"[scenario]"), None);
    }

    #[test]
    fn garbage_is_refused_without_panic() {
        for bytes in
            [&b""[..], b"bedflow-part 2", b"bedflow-part 2\n", b"bedflow-part 2\n{}\n", b"bedflow-part 1\n{}\n"]
        {
            assert!(parse_part(bytes, "x.part").is_err());
        }
    }
}

//! Reading part files: headers checked before any allocation, bodies
//! streamed in replication order for merge.

use super::*;

/// Reads one line of at most `limit` bytes (newline included, then removed).
pub(super) fn read_line<R: BufRead>(r: &mut R, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    r.by_ref().take(limit).read_until(b'\n', &mut line)?;
    if line.pop() == Some(b'\n') { Ok(Some(line)) } else { Ok(None) }
}

/// A part being read: its validated header, then its records one by one.
pub struct PartReader<R> {
    /// The part's header, already checked for sizes and counts.
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
pub(super) fn check_sum(sum: &str, header: &str) -> Result<(), String> {
    if sum == header {
        Ok(())
    } else {
        Err(format!("its body's SHA-256 is {sum}, but its header says {header}: the file is corrupt"))
    }
}

/// Reads one record's bytes (`buf.len()` of them).
pub(super) fn read_record(r: &mut impl Read, buf: &mut [u8], shown: &str) -> Result<(), ShardError> {
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
pub(super) fn decode_record(
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
pub(super) fn kpis_from(layout: &Layout, values: Vec<f64>, events: u64) -> Kpis {
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
pub(super) fn check_layout(h: &PartHeader, shown: &str, layout: &Layout) -> Result<(), ShardError> {
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
        if (m.as_str(), *p, *s) != (k.metric.name(), k.pool(), k.specialty()) {
            return Err(diff("scalar", i, describe(m, *p, *s), describe_key(k)));
        }
    }
    for (what, theirs, ours) in [("daily", &h.daily, &layout.daily), ("monthly", &h.monthly, &layout.monthly)] {
        if theirs.len() != ours.len() {
            return Err(count(what, theirs.len(), ours.len()));
        }
        for (i, ((m, p, s, n), (k, len))) in theirs.iter().zip(ours).enumerate() {
            if (m.as_str(), *p, *s) != (k.metric.name(), k.pool(), k.specialty()) {
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
pub(super) struct BodySize {
    values: usize,
    record: u64,
    bytes: u64,
}

/// Checks every header field that can be checked without the scenario, and
/// returns the body's size.
pub(super) fn check_header(h: &PartHeader) -> Result<BodySize, String> {
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
    let bytes = record.checked_mul(u64::from(h.count)).ok_or("its body would be impossibly long")?;
    Ok(BodySize { values, record, bytes })
}

/// A part read whole from bytes, checked as far as possible without the
/// scenario: header, sizes, replication numbers, values and checksum.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPart {
    /// The part's header, checked.
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
pub(super) fn open_part(path: &Path) -> Result<(FileReader, FileId), ShardError> {
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
pub(super) struct FileId {
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
pub(super) struct PartFile {
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
    /// The first part's header, checked: the scenario, seed and counts every other part must match.
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
pub(super) fn differs(a: &PartHeader, b: &PartHeader) -> Option<&'static str> {
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
                all.sort_unstable();
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

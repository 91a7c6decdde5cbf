//! Shards: `bedflow run --shard K/N` runs every N-th replication starting at
//! the K-th and writes them to a part file; `bedflow merge` puts the parts back
//! in replication order and writes outputs byte-identical to a single-machine
//! run (all but `run.json`, which records how the run was done).
//!
//! Part file: the line `bedflow-part 1`, one line of JSON (scenario, seed,
//! replication count, shard, KPI names and series lengths), then per
//! replication its number, event count and every value as little-endian f64
//! bits, so values survive exactly (NaN included).

use crate::stats::{Key, Kpis};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Mutex;

const MAGIC: &str = "bedflow-part 1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartHeader {
    pub scenario_path: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub replications: u32,
    pub shard: u32,
    pub shards: u32,
    pub scalar: Vec<(String, Option<usize>, Option<usize>)>,
    pub daily: Vec<(String, Option<usize>, Option<usize>, usize)>,
    pub monthly: Vec<(String, Option<usize>, Option<usize>, usize)>,
    /// Replications in this part.
    pub count: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error("cannot read or write {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is not a bedflow part file ({why})")]
    Format { path: String, why: String },
    #[error("the parts do not make one run: {0}")]
    Mismatch(String),
}

/// Metric names are `&'static str` inside the program; names read back from
/// a part are interned once each.
fn intern(name: &str) -> &'static str {
    static NAMES: Mutex<Option<HashMap<String, &'static str>>> = Mutex::new(None);
    let mut guard = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let map = guard.get_or_insert_with(HashMap::new);
    if let Some(s) = map.get(name) {
        return s;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    map.insert(name.to_string(), leaked);
    leaked
}

/// Writes a part file (to a temporary name, then renamed into place).
pub fn write_part(path: &Path, header: &PartHeader, reps: &[(u32, Kpis)]) -> Result<(), ShardError> {
    let io = |source| ShardError::Io { path: path.display().to_string(), source };
    let tmp = path.with_extension("partial");
    {
        let file = std::fs::File::create(&tmp).map_err(io)?;
        let mut w = BufWriter::new(file);
        writeln!(w, "{MAGIC}").map_err(io)?;
        let json = serde_json::to_string(header).map_err(|e| io(std::io::Error::other(e)))?;
        writeln!(w, "{json}").map_err(io)?;
        for (r, k) in reps {
            w.write_all(&r.to_le_bytes()).map_err(io)?;
            w.write_all(&k.events.to_le_bytes()).map_err(io)?;
            let values = k
                .scalar
                .iter()
                .map(|(_, v)| *v)
                .chain(k.daily.iter().flat_map(|(_, v)| v.iter().copied()))
                .chain(k.monthly.iter().flat_map(|(_, v)| v.iter().copied()));
            for v in values {
                w.write_all(&v.to_bits().to_le_bytes()).map_err(io)?;
            }
        }
        w.flush().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// The header describing these replications' KPIs.
pub fn header_for(reps: &[(u32, Kpis)], base: PartHeader) -> PartHeader {
    let Some((_, k)) = reps.first() else { return base };
    PartHeader {
        scalar: k.scalar.iter().map(|(key, _)| (key.metric.to_string(), key.pool, key.specialty)).collect(),
        daily: k.daily.iter().map(|(key, v)| (key.metric.to_string(), key.pool, key.specialty, v.len())).collect(),
        monthly: k.monthly.iter().map(|(key, v)| (key.metric.to_string(), key.pool, key.specialty, v.len())).collect(),
        count: reps.len() as u32,
        ..base
    }
}

/// Reads a part file.
pub fn read_part(path: &Path) -> Result<(PartHeader, Vec<(u32, Kpis)>), ShardError> {
    let shown = path.display().to_string();
    let io = |source| ShardError::Io { path: shown.clone(), source };
    let bad = |why: &str| ShardError::Format { path: shown.clone(), why: why.to_string() };
    let mut r = BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut line = String::new();
    r.read_line(&mut line).map_err(io)?;
    if line.trim_end() != MAGIC {
        return Err(bad("no bedflow-part header"));
    }
    line.clear();
    r.read_line(&mut line).map_err(io)?;
    let h: PartHeader = serde_json::from_str(&line).map_err(|e| bad(&e.to_string()))?;
    let key = |(m, p, s): (&String, Option<usize>, Option<usize>)| Key { metric: intern(m), pool: p, specialty: s };
    let mut reps = Vec::with_capacity(h.count as usize);
    let mut buf8 = [0u8; 8];
    let mut f64s = |r: &mut BufReader<std::fs::File>, n: usize| -> Result<Vec<f64>, ShardError> {
        (0..n)
            .map(|_| {
                r.read_exact(&mut buf8).map_err(|_| bad("truncated"))?;
                Ok(f64::from_bits(u64::from_le_bytes(buf8)))
            })
            .collect()
    };
    for _ in 0..h.count {
        let mut b4 = [0u8; 4];
        r.read_exact(&mut b4).map_err(|_| bad("truncated"))?;
        let mut b8 = [0u8; 8];
        r.read_exact(&mut b8).map_err(|_| bad("truncated"))?;
        let scalar_values = f64s(&mut r, h.scalar.len())?;
        let scalar = h.scalar.iter().zip(scalar_values).map(|((m, p, s), v)| (key((m, *p, *s)), v)).collect();
        let mut daily = Vec::new();
        for (m, p, s, n) in &h.daily {
            daily.push((key((m, *p, *s)), f64s(&mut r, *n)?));
        }
        let mut monthly = Vec::new();
        for (m, p, s, n) in &h.monthly {
            monthly.push((key((m, *p, *s)), f64s(&mut r, *n)?));
        }
        reps.push((u32::from_le_bytes(b4), Kpis { scalar, daily, monthly, events: u64::from_le_bytes(b8) }));
    }
    let mut rest = [0u8; 1];
    if r.read(&mut rest).map_err(io)? != 0 {
        return Err(bad("trailing data"));
    }
    Ok((h, reps))
}

/// Puts parts back together: every shard of one run exactly once, all
/// replications present, in replication order.
pub fn merge_parts(parts: Vec<(PartHeader, Vec<(u32, Kpis)>)>) -> Result<(PartHeader, Vec<Kpis>), ShardError> {
    let Some((first, _)) = parts.first() else { return Err(ShardError::Mismatch("no parts given".into())) };
    let first = first.clone();
    let mut seen = vec![false; first.shards as usize];
    let mut all: Vec<Option<Kpis>> = (0..first.replications).map(|_| None).collect();
    for (h, reps) in parts {
        let same = h.scenario_sha256 == first.scenario_sha256
            && h.seed == first.seed
            && h.replications == first.replications
            && h.shards == first.shards
            && h.scalar == first.scalar;
        if !same {
            return Err(ShardError::Mismatch(format!(
                "shard {}/{} comes from a different scenario, seed, replication count or shard count",
                h.shard, h.shards
            )));
        }
        let k = h.shard as usize - 1;
        if std::mem::replace(&mut seen[k], true) {
            return Err(ShardError::Mismatch(format!("shard {}/{} given twice", h.shard, h.shards)));
        }
        for (r, kpis) in reps {
            match all.get_mut(r as usize) {
                Some(slot) if slot.is_none() => *slot = Some(kpis),
                _ => return Err(ShardError::Mismatch(format!("replication {} appears twice or out of range", r + 1))),
            }
        }
    }
    if let Some(k) = seen.iter().position(|s| !s) {
        return Err(ShardError::Mismatch(format!("shard {}/{} is missing", k + 1, first.shards)));
    }
    let reps: Option<Vec<Kpis>> = all.into_iter().collect();
    let reps = reps.ok_or_else(|| ShardError::Mismatch("some replications are missing".into()))?;
    Ok((first, reps))
}

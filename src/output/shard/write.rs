//! Writing a part file: checking `--out`, an exclusive temporary, fsync, rename.

use super::*;
use crate::output::atomic::failpoint;
use crate::output::fsops::{Rename, rename2, sync_dir};

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
pub(super) fn record_bytes(r: u32, k: &Kpis, out: &mut Vec<u8>) {
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
pub(super) fn temporary_name(dir: &Path, name: &str) -> PathBuf {
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
        scalar: layout.scalar.iter().map(|k| (k.metric.name().to_string(), k.pool(), k.specialty())).collect(),
        daily: layout.daily.iter().map(|(k, n)| (k.metric.name().to_string(), k.pool(), k.specialty(), *n)).collect(),
        monthly: layout
            .monthly
            .iter()
            .map(|(k, n)| (k.metric.name().to_string(), k.pool(), k.specialty(), *n))
            .collect(),
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
pub(super) fn publish(tmp: &Path, path: &Path) -> Result<(), ShardError> {
    let io = |source| ShardError::Write { path: path.display().to_string(), source };
    failpoint("part-before-rename");
    match rename2(tmp, path, Rename::NoReplace) {
        Ok(true) => return Ok(()),
        Ok(false) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io(e)),
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

//! The scenario's fingerprint: one SHA-256 over everything that decides what
//! a run simulates, recorded as `scenario_sha256` in `run.json` and in every
//! part file, and checked by `bedflow merge`.
//!
//! It covers the whole resolved `extends` chain (each file's bytes, ancestor
//! first) and the `--set` overrides, so changing a parent scenario, or
//! sweeping to another value, changes it. Each item is length-prefixed (u64,
//! little-endian), behind a leading 0xFF byte that no UTF-8 scenario text can
//! start with, so no two different chains can be laid out as the same bytes.
//!
//! A scenario without `extends` and without overrides is the exception: its
//! fingerprint is the plain SHA-256 of the file, as `sha256sum` prints it.

use super::sources::read_chain;
use super::{LoadError, Source};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Tags the layout of the hashed bytes (bump it if the layout changes).
const LAYOUT: &[u8] = b"\xffbedflow-scenario-chain 1\n";

/// SHA-256 (lowercase hex) of `path`'s whole `extends` chain and `sets`.
pub fn fingerprint(path: &Path, sets: &[(String, String)]) -> Result<String, LoadError> {
    Ok(of_chain(&read_chain(path)?, sets))
}

/// The fingerprint of an already-read chain (ancestor first).
pub fn of_chain(chain: &[Source], sets: &[(String, String)]) -> String {
    let mut h = Sha256::new();
    match (chain, sets) {
        ([only], []) => h.update(only.text.as_bytes()),
        _ => {
            let item = |h: &mut Sha256, bytes: &[u8]| {
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(bytes);
            };
            h.update(LAYOUT);
            h.update((chain.len() as u64).to_le_bytes());
            for s in chain {
                item(&mut h, s.text.as_bytes());
            }
            h.update((sets.len() as u64).to_le_bytes());
            for (p, v) in sets {
                item(&mut h, p.as_bytes());
                item(&mut h, v.as_bytes());
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Every file of `path`'s `extends` chain (ancestor first), canonicalized
/// where possible: the files a run's outputs must never overwrite.
pub fn chain_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    Ok(read_chain(path)?
        .iter()
        .map(|s| {
            let p = PathBuf::from(&s.file);
            p.canonicalize().unwrap_or(p)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source { file: "x.toml".into(), text: text.into(), start: 0, sets: None }
    }

    #[test]
    fn one_file_is_its_plain_sha256() {
        let text = "[scenario]\nname = \"x\"\n";
        let plain: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(of_chain(&[src(text)], &[]), plain);
    }

    #[test]
    fn items_cannot_run_together() {
        let a = of_chain(&[src("ab"), src("c")], &[]);
        let b = of_chain(&[src("a"), src("bc")], &[]);
        assert_ne!(a, b);
        let s1 = of_chain(&[src("a")], &[("x".into(), "1".into())]);
        let s2 = of_chain(&[src("a")], &[("x".into(), "2".into())]);
        let s3 = of_chain(&[src("a")], &[]);
        assert!(s1 != s2 && s1 != s3 && s2 != s3);
    }
}

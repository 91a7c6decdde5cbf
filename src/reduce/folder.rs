//! The folder a reducer streams into: `replications.csv` row by row, and
//! scalar rows beyond the memory budget to a spill file read back block by
//! block for exact percentiles.

use crate::stats::Key;
use crate::summary::{Summary, summarise};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

/// Where a reducer with a folder writes: `replications.csv` row by row, and
/// scalar rows beyond the budget to a spill file.
#[derive(Debug)]
pub(super) struct Folder {
    pub(super) csv_path: PathBuf,
    pub(super) csv: Option<BufWriter<std::fs::File>>,
    pub(super) spill_path: PathBuf,
    pub(super) spill: Option<BufWriter<std::fs::File>>,
    /// Replications written to the spill.
    pub(super) spilled: usize,
    /// Pool and specialty names for the CSV header.
    pub(super) pools: Vec<String>,
    pub(super) specialties: Vec<String>,
    pub(super) budget: u64,
    /// The first write error, reported by [`Reducer::try_finish`].
    pub(super) error: Option<std::io::Error>,
}

impl Drop for Folder {
    fn drop(&mut self) {
        self.spill = None;
        let _ = std::fs::remove_file(&self.spill_path);
    }
}

impl Folder {
    /// Appends one record, formatted exactly as `tables::replications_csv`
    /// does (with a byte-order mark before a non-ASCII header, as
    /// `tables::for_excel` adds; rows are always ASCII).
    pub(super) fn write_csv(&mut self, record: &[String], header: bool) {
        if self.error.is_some() {
            return;
        }
        let mut w = crate::output::tables::Csv::new();
        w.row(record);
        let mut bytes = match w.finish() {
            Ok(b) => b,
            Err(e) => {
                self.error = Some(e);
                return;
            }
        };
        if header && !bytes.is_ascii() {
            bytes.splice(0..0, crate::output::tables::BOM.iter().copied());
        }
        if let Some(out) = &mut self.csv
            && let Err(e) = out.write_all(&bytes)
        {
            self.error = Some(e);
        }
    }

    /// Appends whole rows (little-endian f64) to the spill file.
    pub(super) fn spill_rows(&mut self, values: &[f64], width: usize) {
        if self.error.is_some() || values.is_empty() {
            return;
        }
        let result = (|| {
            if self.spill.is_none() {
                let file =
                    std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&self.spill_path)?;
                self.spill = Some(BufWriter::new(file));
            }
            let w = self.spill.as_mut().ok_or_else(|| std::io::Error::other("spill file closed"))?;
            for v in values {
                w.write_all(&v.to_le_bytes())?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.spilled += values.len() / width.max(1),
            Err(e) => self.error = Some(e),
        }
    }

    /// Exact summaries of every column, reading the spill once per block of
    /// columns that fits the budget.
    pub(super) fn summaries_from_spill(&mut self, keys: &[Key], n: usize) -> std::io::Result<Vec<(Key, Summary)>> {
        if let Some(w) = self.spill.take() {
            w.into_inner().map_err(|e| e.into_error())?;
        }
        let width = keys.len();
        let block = columns_per_pass(self.budget, n, width);
        let mut out = Vec::with_capacity(width);
        let mut row = vec![0u8; width * 8];
        for first in (0..width).step_by(block) {
            let last = (first + block).min(width);
            let mut columns: Vec<Vec<f64>> = (first..last).map(|_| Vec::with_capacity(n)).collect();
            let mut r = BufReader::new(std::fs::File::open(&self.spill_path)?);
            for _ in 0..n {
                r.read_exact(&mut row)?;
                for (c, column) in (first..last).zip(&mut columns) {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&row[c * 8..c * 8 + 8]);
                    column.push(f64::from_le_bytes(b));
                }
            }
            out.extend(keys[first..last].iter().zip(&columns).map(|(k, v)| (*k, summarise(v))));
        }
        std::fs::remove_file(&self.spill_path)?;
        Ok(out)
    }
}

/// Columns of `n` values each read back per pass over the spill: as many as
/// the memory budget holds, at least one (a budget below one column still
/// makes progress) and at most all `width`.
fn columns_per_pass(budget: u64, n: usize, width: usize) -> usize {
    ((budget / 8) as usize / n.max(1)).clamp(1, width.max(1))
}

#[cfg(test)]
mod tests {
    use super::columns_per_pass;

    /// Worked by hand: 960 bytes hold 120 values, three columns of 40.
    #[test]
    fn a_pass_reads_as_many_columns_as_the_budget_holds() {
        assert_eq!(columns_per_pass(3 * 8 * 40, 40, 10), 3);
        assert_eq!(columns_per_pass(3 * 8 * 40 + 8 * 39, 40, 10), 3, "a column that does not fit waits");
        assert_eq!(columns_per_pass(0, 40, 10), 1, "at least one");
        assert_eq!(columns_per_pass(u64::MAX, 40, 10), 10, "at most all");
        for n in 1..50 {
            for budget in (8 * n as u64..8 * 50 * n as u64).step_by(37) {
                let c = columns_per_pass(budget, n, 100);
                assert!(c as u64 * n as u64 * 8 <= budget && (c + 1) as u64 * n as u64 * 8 > budget);
            }
        }
    }
}

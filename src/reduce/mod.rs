//! Reducing replications, in replication order, with memory that does not
//! grow with the number of replications.
//!
//! Scalar KPIs are kept exactly (one f64 per KPI per replication: they go to
//! `replications.csv`). A reducer given a folder ([`Reducer::with_folder`])
//! streams `replications.csv` into it as replications arrive, keeps the
//! scalar values in memory only up to [`SCALAR_BUDGET_BYTES`] and appends the
//! rest to a binary spill file there; exact percentiles are then computed
//! column block by column block from the spill, which is deleted afterwards.
//! The outputs are the same bytes either way. Daily series are the bulk of the data (one value per
//! series per day per replication), so each (series, day) cell keeps its
//! values exactly only up to [`EXACT_DAILY_LIMIT`] replications; beyond that
//! it switches to a running mean and variance (exact up to floating-point
//! rounding) and P-square estimators of P10, P25, P50, P75 and P90 (Jain and
//! Chlamtac, 1985), started from the exact order statistics of the first
//! values. Runs of up to that many replications are therefore exact and
//! unchanged; larger ones have approximate daily percentiles (see the README
//! for the measured error). Monthly series (escalation cost by month) are
//! cells of the same kind, so memory stays flat however many replications run.

use crate::model::Model;
use crate::stats::{Key, Kpis, Metric, Scope};
use crate::summary::{Summary, summarise};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Every KPI summarised across replications, computed once and shared by the
/// CSV writers, the plots and the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Summaries {
    /// Each scalar KPI summarised across replications, in KPI order (the `summary.csv` rows).
    pub scalar: Vec<(Key, Summary)>,
    /// Per daily series, one summary per reported day.
    pub daily: Vec<(Key, Vec<Summary>)>,
    /// Per monthly series, one summary per calendar month.
    pub monthly: Vec<(Key, Vec<Summary>)>,
    /// Replications summarised.
    pub replications: usize,
}

impl Summaries {
    /// Summaries of replications held in memory.
    pub fn new(reps: &[Kpis]) -> Summaries {
        let mut r = Reducer::new();
        for k in reps {
            r.push(k);
        }
        r.finish().sums
    }

    /// A scalar KPI's summary; `pool` is an index into the model's pools.
    pub fn get(&self, metric: Metric, pool: Option<usize>) -> Option<&Summary> {
        self.find(Key::new(metric, Scope::of_pool(pool)))
    }

    /// A scalar KPI's summary for a specialty (index into the model's specialties).
    pub fn get_specialty(&self, metric: Metric, specialty: usize) -> Option<&Summary> {
        self.find(Key::new(metric, Scope::Specialty(specialty)))
    }

    fn find(&self, key: Key) -> Option<&Summary> {
        self.scalar.iter().find(|(k, _)| *k == key).map(|(_, s)| s)
    }

    /// A daily series' summaries (pool, or trust-wide with `None`).
    pub fn series(&self, metric: Metric, pool: Option<usize>) -> Option<&[Summary]> {
        let key = Key::new(metric, Scope::of_pool(pool));
        self.daily.iter().find(|(k, _)| *k == key).map(|(_, s)| s.as_slice())
    }
}

/// Replications up to which daily percentiles are exact.
pub const EXACT_DAILY_LIMIT: usize = 1000;

/// Bytes of scalar KPIs kept in memory before they spill to disk.
pub const SCALAR_BUDGET_BYTES: u64 = 256 * 1024 * 1024;

mod cell;
mod folder;

use cell::Cell;
pub use cell::exact_percentiles;
use folder::Folder;

/// Everything the outputs need from a run, however many replications.
#[derive(Debug, Clone)]
pub struct Results {
    /// Every KPI summarised across replications.
    pub sums: Summaries,
    /// The scalar KPIs, in the order of each replication's values (the `replications.csv` columns).
    pub scalar_keys: Vec<Key>,
    /// Per replication, the scalar KPIs in `scalar_keys` order; only from a
    /// reducer without a folder ([`Reducer::new`]), empty otherwise.
    pub scalars: Vec<Vec<f64>>,
    /// `replications.csv`, already written by a reducer with a folder.
    pub replications_csv: Option<PathBuf>,
    /// Columns kept whole for the plots (see [`KEPT_COLUMNS`]).
    kept: Vec<(Key, Vec<f64>)>,
    /// Events the engine processed over all replications.
    pub events: u64,
}

/// Trust-wide scalar KPIs a reducer keeps whole (one f64 per replication)
/// for the plots, even when the other columns spill.
pub const KEPT_COLUMNS: [Metric; 1] = [Metric::EscalationCost];

impl Results {
    /// One scalar KPI across replications (trust-wide or a pool). A reducer
    /// with a folder keeps only [`KEPT_COLUMNS`] (trust-wide).
    pub fn column(&self, metric: Metric, pool: Option<usize>) -> Option<Vec<f64>> {
        let key = Key::new(metric, Scope::of_pool(pool));
        let matches = |k: &Key| *k == key;
        if let Some((_, v)) = self.kept.iter().find(|(k, _)| matches(k)) {
            return Some(v.clone());
        }
        let i = self.scalar_keys.iter().position(matches)?;
        // A reducer with a folder streamed the rest to replications.csv.
        if self.replications_csv.is_some() {
            return None;
        }
        Some(self.scalars.iter().map(|r| r[i]).collect())
    }
}

/// Receives replications in order; see the module comment.
#[derive(Debug, Default)]
pub struct Reducer {
    scalar_keys: Vec<Key>,
    /// Scalar rows in memory, `scalar_keys.len()` values each.
    scalars: Vec<f64>,
    replications: usize,
    kept: Vec<(usize, Vec<f64>)>,
    daily_keys: Vec<Key>,
    daily: Vec<Vec<Cell>>,
    monthly_keys: Vec<Key>,
    monthly: Vec<Vec<Cell>>,
    events: u64,
    folder: Option<Folder>,
}

impl Reducer {
    /// Keeps every scalar value in memory (for tests, `compare`, `merge`).
    pub fn new() -> Reducer {
        Reducer::default()
    }

    /// Streams `replications.csv` into `dir` (which must exist; the file
    /// must not) and spills scalar values beyond [`SCALAR_BUDGET_BYTES`] to a
    /// hidden file there. Finish with [`Reducer::try_finish`].
    pub fn with_folder(dir: &Path, model: &Model) -> std::io::Result<Reducer> {
        Reducer::with_folder_budget(dir, model, SCALAR_BUDGET_BYTES)
    }

    /// [`Reducer::with_folder`] with a memory budget in bytes (for tests).
    pub fn with_folder_budget(dir: &Path, model: &Model, budget: u64) -> std::io::Result<Reducer> {
        let csv_path = dir.join("replications.csv");
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&csv_path)?;
        let csv = BufWriter::new(file);
        Ok(Reducer {
            folder: Some(Folder {
                csv_path,
                csv: Some(csv),
                spill_path: dir.join(".replications.spill"),
                spill: None,
                spilled: 0,
                pools: model.pools.iter().map(|p| p.name.clone()).collect(),
                specialties: model.specialties.iter().map(|s| s.name.clone()).collect(),
                budget,
                error: None,
            }),
            ..Reducer::default()
        })
    }

    /// Adds the next replication's KPIs, in replication order; the first one fixes the KPI layout.
    pub fn push(&mut self, k: &Kpis) {
        if self.replications == 0 {
            self.scalar_keys = k.scalar.iter().map(|(key, _)| *key).collect();
            self.kept = self
                .scalar_keys
                .iter()
                .enumerate()
                .filter(|(_, key)| KEPT_COLUMNS.contains(&key.metric) && key.scope == Scope::Trust)
                .map(|(i, _)| (i, Vec::new()))
                .collect();
            self.daily_keys = k.daily.iter().map(|(key, _)| *key).collect();
            self.daily = k.daily.iter().map(|(_, v)| vec![Cell::Exact(Vec::new()); v.len()]).collect();
            self.monthly_keys = k.monthly.iter().map(|(key, _)| *key).collect();
            self.monthly = k.monthly.iter().map(|(_, v)| vec![Cell::Exact(Vec::new()); v.len()]).collect();
            if let Some(f) = &mut self.folder {
                let header = crate::output::tables::replications_header(&f.pools, &f.specialties, &self.scalar_keys);
                f.write_csv(&header, true);
            }
        }
        self.replications += 1;
        if let Some(f) = &mut self.folder {
            let row = crate::output::tables::replication_row(self.replications, k.scalar.iter().map(|(_, v)| *v));
            f.write_csv(&row, false);
        }
        for (i, column) in &mut self.kept {
            column.push(k.scalar[*i].1);
        }
        self.scalars.extend(k.scalar.iter().map(|(_, v)| *v));
        if let Some(f) = &mut self.folder
            && (self.scalars.len() as u64).saturating_mul(8) > f.budget
        {
            f.spill_rows(&self.scalars, self.scalar_keys.len());
            self.scalars.clear();
        }
        for (cells, (_, values)) in self.daily.iter_mut().zip(&k.daily) {
            for (cell, &x) in cells.iter_mut().zip(values) {
                cell.push(x);
            }
        }
        for (months, (_, values)) in self.monthly.iter_mut().zip(&k.monthly) {
            for (m, &x) in months.iter_mut().zip(values) {
                m.push(x);
            }
        }
        // Saturating: a forged part could claim any count (merge refuses more than
        // crate::output::shard::MAX_EVENTS a replication, so this never saturates in practice).
        self.events = self.events.saturating_add(k.events);
    }

    /// The results of a reducer without a folder ([`Reducer::new`]), which
    /// cannot fail. For a reducer with a folder use [`Reducer::try_finish`];
    /// here its errors leave every scalar summary undefined.
    pub fn finish(self) -> Results {
        self.try_finish().unwrap_or_else(|_| Results {
            sums: Summaries { scalar: Vec::new(), daily: Vec::new(), monthly: Vec::new(), replications: 0 },
            scalar_keys: Vec::new(),
            scalars: Vec::new(),
            replications_csv: None,
            kept: Vec::new(),
            events: 0,
        })
    }

    /// The results; with a folder, `replications.csv` is complete and the
    /// spill file deleted when this returns `Ok`.
    pub fn try_finish(mut self) -> std::io::Result<Results> {
        let n = self.replications;
        let width = self.scalar_keys.len();
        let mut folder = self.folder.take();
        let scalar: Vec<(Key, Summary)> = match &mut folder {
            Some(f) if f.spilled > 0 => {
                f.spill_rows(&self.scalars, width);
                self.scalars = Vec::new();
                if let Some(e) = f.error.take() {
                    return Err(e);
                }
                f.summaries_from_spill(&self.scalar_keys, n)?
            }
            _ => {
                let mut column = Vec::with_capacity(n);
                self.scalar_keys
                    .iter()
                    .enumerate()
                    .map(|(i, key)| {
                        column.clear();
                        column.extend(self.scalars.iter().skip(i).step_by(width.max(1)).copied());
                        (*key, summarise(&column))
                    })
                    .collect()
            }
        };
        let mut csv_path = None;
        if let Some(f) = &mut folder {
            if let Some(w) = f.csv.take() {
                w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            }
            if let Some(e) = f.error.take() {
                return Err(e);
            }
            csv_path = Some(f.csv_path.clone());
        }
        drop(folder);
        let daily = self
            .daily_keys
            .iter()
            .zip(&self.daily)
            .map(|(k, cells)| (*k, cells.iter().map(Cell::summary).collect()))
            .collect();
        let monthly = self
            .monthly_keys
            .iter()
            .zip(&self.monthly)
            .map(|(k, months)| (*k, months.iter().map(Cell::summary).collect()))
            .collect();
        let scalars = if csv_path.is_some() || width == 0 {
            Vec::new()
        } else {
            self.scalars.chunks(width).map(<[f64]>::to_vec).collect()
        };
        let kept = self.kept.into_iter().map(|(i, v)| (self.scalar_keys[i], v)).collect();
        Ok(Results {
            sums: Summaries { scalar, daily, monthly, replications: n },
            scalar_keys: self.scalar_keys,
            scalars,
            replications_csv: csv_path,
            kept,
            events: self.events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Event counts add up without wrapping, whatever a (forged) part claims.
    #[test]
    fn event_counts_saturate() {
        let k = |events| Kpis { scalar: Vec::new(), daily: Vec::new(), monthly: Vec::new(), events };
        let mut r = Reducer::new();
        r.push(&k(u64::MAX - 1));
        r.push(&k(5));
        assert_eq!(r.finish().events, u64::MAX);
    }

    /// Monthly series go into the same cells as daily ones: exact up to
    /// [`EXACT_DAILY_LIMIT`] replications, then streaming (P95 is then not
    /// estimated), so a long run's memory does not grow with replications.
    #[test]
    fn monthly_series_stream_past_the_exact_limit() {
        let key = Key::new(Metric::EscalationCost, Scope::Trust);
        let k =
            |x: f64| Kpis { scalar: Vec::new(), daily: Vec::new(), monthly: vec![(key, vec![x, 2.0 * x])], events: 0 };
        let mut exact = Reducer::new();
        let mut long = Reducer::new();
        for i in 0..EXACT_DAILY_LIMIT {
            exact.push(&k(i as f64));
            long.push(&k(i as f64));
        }
        for i in 0..500 {
            long.push(&k(f64::from(i)));
        }
        let exact = exact.finish().sums.monthly;
        assert_eq!(
            exact[0].1[1].p95,
            summarise(&(0..EXACT_DAILY_LIMIT).map(|i| 2.0 * i as f64).collect::<Vec<_>>()).p95
        );
        let long = long.finish().sums.monthly;
        let s = &long[0].1[0];
        assert_eq!(s.n, EXACT_DAILY_LIMIT + 500);
        let mean = ((0..EXACT_DAILY_LIMIT).sum::<usize>() + (0..500).sum::<usize>()) as f64 / s.n as f64;
        assert!((s.mean - mean).abs() < 1e-9 && s.p95.is_nan(), "{s:?}");
    }
}

#[cfg(test)]
mod folder_tests {
    use super::*;

    const SCENARIO: &str = r#"
[scenario]
name = "tiny"
start = "2025-01-01"
end = "2025-01-20"
warmup_days = 3
replications = 40
seed = 7

[[admissions]]
name = "emergency"
source = "direct"
per_day = 12.0
pool = "medicine"
stay_days = { dist = "lognormal", mean = 3.0, sd = 2.0 }

[[pool]]
name = "medicine"
beds = 30

[[pool]]
name = "Sjö"
beds = 5
"#;

    /// A budget of a few rows forces many spills and one column per block:
    /// the summaries and replications.csv are the same bytes as in memory.
    #[test]
    fn tiny_spill_budget_gives_identical_outputs() {
        let model = crate::scenario::parse_str(SCENARIO, "tiny.toml").unwrap();
        let spec = crate::replicate::RunSpec { replications: 40, seed: 7, threads: 1 };
        let reps = crate::replicate::run(&model, spec, &|| {}).unwrap();
        let mut memory = Reducer::new();
        let dir = tempfile::tempdir().unwrap();
        let mut spilled = Reducer::with_folder_budget(dir.path(), &model, 3 * 8 * 40).unwrap();
        for k in &reps {
            memory.push(k);
            spilled.push(k);
            assert!(spilled.scalars.len() as u64 * 8 <= 3 * 8 * 40, "memory within the budget");
        }
        assert!(spilled.folder.as_ref().is_some_and(|f| f.spilled > 0), "the tiny budget spilled");
        let (a, b) = (memory.finish(), spilled.try_finish().unwrap());
        use crate::output::tables;
        assert_eq!(tables::summary_csv(&model, &a.sums).unwrap(), tables::summary_csv(&model, &b.sums).unwrap());
        assert_eq!(tables::daily_csv(&model, &a.sums).unwrap(), tables::daily_csv(&model, &b.sums).unwrap());
        let written = std::fs::read(b.replications_csv.as_ref().unwrap()).unwrap();
        assert_eq!(tables::for_excel(tables::replications_csv(&model, &a).unwrap()), written);
        assert_eq!(&written[..3], tables::BOM, "a non-ASCII pool name gets the byte-order mark");
        assert_eq!(a.column(Metric::EscalationCost, None), b.column(Metric::EscalationCost, None));
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("replications.csv")], "the spill is deleted");
        // The tiny budget spilled, and kept memory within it; a budget with
        // room for everything never spills.
        assert!(b.replications_csv.is_some());
        let dir2 = tempfile::tempdir().unwrap();
        let mut roomy = Reducer::with_folder_budget(dir2.path(), &model, u64::MAX).unwrap();
        assert!(Reducer::with_folder_budget(&dir2.path().join("x"), &model, 0).is_err(), "no such folder");
        for k in &reps {
            roomy.push(k);
        }
        assert_eq!(roomy.folder.as_ref().map(|f| f.spilled), Some(0));
        assert_eq!(roomy.scalars.len(), reps.len() * roomy.scalar_keys.len(), "all in memory");
        // Only the kept columns come back from a reducer with a folder.
        assert!(
            b.column(Metric::BedOccupancyRate, None).is_none() && a.column(Metric::BedOccupancyRate, None).is_some()
        );
    }

    /// Every replication pushed is either in the spill or still in memory,
    /// and a reducer dropped before it finishes (a run that failed or was
    /// cancelled) deletes its spill file.
    #[test]
    fn a_dropped_reducer_deletes_its_spill() {
        let model = crate::scenario::parse_str(SCENARIO, "tiny.toml").unwrap();
        let spec = crate::replicate::RunSpec { replications: 40, seed: 7, threads: 1 };
        let reps = crate::replicate::run(&model, spec, &|| {}).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut r = Reducer::with_folder_budget(dir.path(), &model, 3 * 8 * 40).unwrap();
        for (i, k) in reps.iter().enumerate() {
            r.push(k);
            let spilled = r.folder.as_ref().map_or(0, |f| f.spilled);
            assert_eq!(spilled + r.scalars.len() / r.scalar_keys.len(), i + 1, "replications spilled or held");
        }
        let spill = dir.path().join(".replications.spill");
        assert!(spill.exists());
        drop(r);
        assert!(!spill.exists(), "the spill is deleted");
        assert!(dir.path().join("replications.csv").exists(), "the output stays");
    }

    /// After a write error the spill takes nothing more: no file, no count.
    #[test]
    fn after_a_write_error_the_spill_takes_nothing_more() {
        let model = crate::scenario::parse_str(SCENARIO, "tiny.toml").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut r = Reducer::with_folder_budget(dir.path(), &model, 8).unwrap();
        let f = r.folder.as_mut().unwrap();
        f.error = Some(std::io::Error::other("disk full"));
        f.spill_rows(&[1.0, 2.0], 2);
        assert_eq!(f.spilled, 0);
        assert!(!f.spill_path.exists());
    }

    /// Only a non-ASCII header gets the byte-order mark (for Excel): with
    /// ASCII names the streamed file is the in-memory table's bytes, no mark.
    #[test]
    fn an_ascii_replications_csv_has_no_byte_order_mark() {
        let model = crate::scenario::parse_str(&SCENARIO.replace("Sjö", "surgery"), "ascii.toml").unwrap();
        let spec = crate::replicate::RunSpec { replications: 3, seed: 7, threads: 1 };
        let reps = crate::replicate::run(&model, spec, &|| {}).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut streamed = Reducer::with_folder(dir.path(), &model).unwrap();
        let mut memory = Reducer::new();
        for k in &reps {
            streamed.push(k);
            memory.push(k);
        }
        let path = streamed.try_finish().unwrap().replications_csv.unwrap();
        let written = std::fs::read(path).unwrap();
        use crate::output::tables;
        assert_eq!(written, tables::for_excel(tables::replications_csv(&model, &memory.finish()).unwrap()));
        assert_ne!(&written[..3], tables::BOM);
    }

    /// The reducer `run` uses streams replications.csv into the folder from
    /// the start (the file is created at once, and never over another).
    #[test]
    fn a_reducer_with_a_folder_writes_replications_csv_there() {
        let model = crate::scenario::parse_str(SCENARIO, "tiny.toml").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let r = Reducer::with_folder(dir.path(), &model).unwrap();
        assert!(dir.path().join("replications.csv").exists());
        assert!(Reducer::with_folder(dir.path(), &model).is_err(), "an existing replications.csv is not replaced");
        let done = r.try_finish().unwrap();
        assert_eq!(done.replications_csv, Some(dir.path().join("replications.csv")));
    }
}

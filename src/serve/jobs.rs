//! Runs asked for by the page: queued (at most `--runs` at once), each a
//! plan and, unless already run with the same file, seed and replications,
//! its base, under common random numbers, on the library path `run` and
//! `compare` use. A run can be cancelled between batches of replications;
//! one whose page stops asking about it is cancelled by the watchdog.

use super::App;
use crate::compare::{Keeper, Kept};
use crate::model::Model;
use crate::output;
use crate::replicate::{self, RunSpec};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Instant;

/// Replications run between checks for a cancel: small enough to stop
/// within a fraction of a second, large enough to keep both cores busy.
const BATCH: usize = 8;

/// Where a job is.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Waiting for a free run slot.
    Queued,
    /// Simulating.
    Running,
    /// Finished: its result.
    Done(Value),
    /// Failed: why.
    Failed(String),
    /// Cancelled by the page, or abandoned.
    Cancelled,
}

/// One run asked for by a page.
pub struct Job {
    /// The page's visitor id.
    pub visitor: String,
    /// The base scenario's file name and path.
    pub file: String,
    path: PathBuf,
    /// The plan as run.
    pub plan: Arc<Model>,
    /// The base scenario.
    pub base: Arc<Model>,
    /// The child scenario's text (the download).
    pub toml: String,
    /// The changes in words.
    pub description: String,
    /// Where it is.
    pub stage: Stage,
    /// Set to cancel.
    pub stop: Arc<AtomicBool>,
    /// Replications finished, of `total`.
    pub done: Arc<AtomicU32>,
    /// Replications to run (the plan's, and the base's when not yet run).
    pub total: Arc<AtomicU32>,
    /// When its page last asked about it.
    pub seen: Instant,
    /// When it started running.
    pub started: Option<Instant>,
    /// Why the server stopped it, when it did (the run-length cap).
    pub stopped_because: Option<String>,
    /// What was kept of the plan's and the base's replications, for comparing plans together.
    pub kept: Option<(Arc<Kept>, Arc<Kept>)>,
}

/// A base run: its file's fingerprint, replications and seed.
type BaseKey = (String, u32, u64);

/// A finished run's result, and what was kept of the plan's and the base's replications.
type Finished = (Value, (Arc<Kept>, Arc<Kept>));

/// Every job, the queue, and the bases already run.
#[derive(Default)]
pub struct Jobs {
    next: u64,
    /// Queued job ids, first first.
    pub waiting: VecDeque<u64>,
    /// Every job by id.
    pub all: HashMap<u64, Job>,
    /// Bases already run, by (file fingerprint, replications, seed).
    bases: Vec<(BaseKey, Arc<Kept>)>,
}

/// Bases kept at once (each is one f64 per scalar KPI per replication).
const BASES_KEPT: usize = 8;

impl Jobs {
    /// Queues a new job and returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        visitor: String,
        file: String,
        path: PathBuf,
        plan: Model,
        base: Model,
        toml: String,
        description: String,
    ) -> u64 {
        self.next += 1;
        let id = self.next;
        let total = plan.replications;
        self.all.insert(
            id,
            Job {
                visitor,
                file,
                path,
                plan: Arc::new(plan),
                base: Arc::new(base),
                toml,
                description,
                stage: Stage::Queued,
                stop: Arc::new(AtomicBool::new(false)),
                done: Arc::new(AtomicU32::new(0)),
                total: Arc::new(AtomicU32::new(total)),
                seen: Instant::now(),
                started: None,
                stopped_because: None,
                kept: None,
            },
        );
        self.waiting.push_back(id);
        id
    }

    /// Forgets `visitor`'s cancelled and failed jobs, and the oldest
    /// finished ones beyond `keep` (their files stay in the visitor's folder).
    pub fn trim(&mut self, visitor: &str, keep: usize) {
        self.all
            .retain(|_, j| j.visitor != visitor || matches!(j.stage, Stage::Queued | Stage::Running | Stage::Done(_)));
        let mut finished: Vec<u64> = self
            .all
            .iter()
            .filter(|(_, j)| j.visitor == visitor && matches!(j.stage, Stage::Done(_)))
            .map(|(id, _)| *id)
            .collect();
        finished.sort_unstable();
        let excess = finished.len().saturating_sub(keep);
        for id in &finished[..excess] {
            self.all.remove(id);
        }
    }

    /// Cancels every queued or running job whose page has not asked about
    /// it for `after`, and stops every run longer than `longest`.
    pub fn cancel_abandoned(&mut self, after: std::time::Duration, longest: std::time::Duration) {
        for job in self.all.values_mut() {
            if matches!(job.stage, Stage::Queued | Stage::Running) && job.seen.elapsed() >= after {
                job.stop.store(true, Ordering::Relaxed);
            }
            if job.stage == Stage::Running && job.started.is_some_and(|t| t.elapsed() >= longest) {
                job.stopped_because = Some(format!(
                    "stopped after {} s, this server's longest run (--max-seconds): use fewer replications",
                    longest.as_secs()
                ));
                job.stop.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// What a run needs of its job, taken out of the jobs map so the lock is
/// not held while it runs.
struct Ticket {
    visitor: String,
    file: String,
    path: PathBuf,
    plan: Arc<Model>,
    base: Arc<Model>,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU32>,
    total: Arc<AtomicU32>,
}

/// Runs job `id` to the end (on a blocking thread): base if needed, then the
/// plan into `OUT/VISITOR/plan-ID/`, then the comparison into `compare-ID/`.
pub fn execute(app: &App, id: u64) -> Stage {
    let ticket = app.with_jobs(|jobs| {
        jobs.all.get(&id).map(|j| Ticket {
            visitor: j.visitor.clone(),
            file: j.file.clone(),
            path: j.path.clone(),
            plan: j.plan.clone(),
            base: j.base.clone(),
            stop: j.stop.clone(),
            done: j.done.clone(),
            total: j.total.clone(),
        })
    });
    let Some(ticket) = ticket else { return Stage::Cancelled };
    match run(app, id, &ticket) {
        Ok(Some((value, kept))) => {
            app.with_jobs(|jobs| {
                if let Some(j) = jobs.all.get_mut(&id) {
                    j.kept = Some(kept);
                }
            });
            Stage::Done(value)
        }
        Ok(None) => Stage::Cancelled,
        Err(e) => Stage::Failed(e),
    }
}

fn run(app: &App, id: u64, ticket: &Ticket) -> Result<Option<Finished>, String> {
    let Ticket { visitor, file, path, plan, base, stop, done, total } = ticket;
    let (plan, base) = (plan.as_ref(), base.as_ref());
    let job_started = Instant::now();
    let threads = app.config.threads;
    let spec = RunSpec { replications: plan.replications, seed: plan.seed, threads };
    // Month means are always kept (a few per replication), so one base run
    // serves plans with and without dated changes.
    let months_of = Some(base);
    let tick = || {
        done.fetch_add(1, Ordering::Relaxed);
    };
    // The base, under the plan's replications and seed (common random numbers).
    let sha = crate::scenario::fingerprint::fingerprint(path, &[]).map_err(|e| e.to_string())?;
    let key = (sha, spec.replications, spec.seed);
    let cached = app.with_jobs(|jobs| jobs.bases.iter().find(|(k, _)| *k == key).map(|(_, k)| k.clone()));
    let base_ran = cached.is_none();
    let base_kept = match cached {
        Some(k) => k,
        None => {
            total.fetch_add(spec.replications, Ordering::Relaxed);
            let mut keeper = Keeper::new(months_of);
            let all = replicate::run_streaming_until(base, spec, BATCH, stop, &tick, &mut |k| keeper.push(&k))
                .map_err(|e| e.to_string())?;
            if !all {
                return Ok(None);
            }
            let kept = Arc::new(keeper.finish());
            app.with_jobs(|jobs| {
                if jobs.bases.len() >= BASES_KEPT {
                    jobs.bases.remove(0);
                }
                jobs.bases.push((key, kept.clone()));
            });
            kept
        }
    };
    // The plan, into its own folder as `run` writes one.
    let folder = app.config.out.join(visitor);
    std::fs::create_dir_all(&folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let dir = folder.join(format!("plan-{id}"));
    let staging = output::atomic::Staging::prepare(&dir).map_err(|e| e.to_string())?;
    let out_err = |e: std::io::Error| format!("cannot write {}: {e}", dir.display());
    let mut reducer = crate::reduce::Reducer::with_folder(staging.path(), plan).map_err(out_err)?;
    let mut keeper = Keeper::new(months_of);
    let started = Instant::now();
    let all = replicate::run_streaming_until(plan, spec, BATCH, stop, &tick, &mut |k| {
        reducer.push(&k);
        keeper.push(&k);
    })
    .map_err(|e| e.to_string())?;
    if !all {
        return Ok(None);
    }
    let wall = started.elapsed().as_secs_f64();
    let results = reducer.try_finish().map_err(out_err)?;
    let info = output::RunInfo {
        bedflow_version: env!("CARGO_PKG_VERSION").into(),
        scenario_name: plan.name.clone(),
        scenario_path: format!("(edited from {file} in bedflow serve)"),
        scenario_sha256: String::new(),
        seed: spec.seed,
        replications: spec.replications,
        threads,
        wall_time_seconds: wall,
        events: results.events,
        events_per_second: results.events as f64 / wall.max(1e-9),
        start: plan.start.to_string(),
        end: plan.end.to_string(),
        warmup_days: plan.warmup_days,
    };
    output::write_run(staging, plan, &results, &info).map_err(|e| e.to_string())?;
    let kept = Arc::new(keeper.finish());
    // The plan against the base.
    let pairs = crate::compare::paired(base, &base_kept, plan, &kept);
    let result = crate::decision::plan_result((base, &base_kept), (plan, &kept), &pairs);
    let compare_dir = folder.join(format!("compare-{id}"));
    super::write_comparison(&compare_dir, base, file, &base_kept, &[(plan, kept.clone())], spec)?;
    let value = json!({
        "plan": plan.name,
        "seconds": job_started.elapsed().as_secs_f64(),
        "base_ran": base_ran,
        "replications": spec.replications,
        "headline": super::headline(&result),
        "kpis": super::kpi_rows(&dir.join("summary.csv")),
        "files": super::listing(&dir),
        "folder": format!("plan-{id}"),
        "compare_folder": format!("compare-{id}"),
        "compare_files": super::listing(&compare_dir),
    });
    Ok(Some((value, (kept, base_kept))))
}

//! Runs replications in parallel and gathers them in replication order.
//!
//! Replication r always uses streams (seed, r, source), whichever thread runs
//! it; rayon's indexed collect keeps replication order, and every reduction
//! afterwards is sequential, so output bytes do not depend on `--threads`.

use crate::engine::{Engine, Plan, rng::Streams};
use crate::model::Model;
use crate::stats::{Kpis, kpis};

/// How to run a batch of replications.
#[derive(Debug, Clone, Copy)]
pub struct RunSpec {
    /// Replications to run (the scenario's, or `--replications`).
    pub replications: u32,
    /// Seed the streams are keyed by (the scenario's, or `--seed`).
    pub seed: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

/// The worker thread pool could not be started (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("cannot start {threads} worker threads: {source}")]
pub struct ThreadError {
    threads: usize,
    source: rayon::ThreadPoolBuildError,
}

/// Runs `spec.replications` replications of `model`; `on_done` is called once
/// per finished replication (from worker threads) to drive a progress bar.
pub fn run(model: &Model, spec: RunSpec, on_done: &(dyn Fn() + Sync)) -> Result<Vec<Kpis>, ThreadError> {
    let all: Vec<u32> = (0..spec.replications).collect();
    run_indices(model, spec, &all, on_done)
}

/// Replications handed to the reducer at a time: enough to keep both cores
/// busy, few enough that memory does not grow with the replication count.
pub const BATCH: usize = 256;

/// Runs every replication, passing each to `sink` in replication order, one
/// batch at a time, so memory stays flat however many replications run.
pub fn run_streaming(
    model: &Model,
    spec: RunSpec,
    on_done: &(dyn Fn() + Sync),
    sink: &mut dyn FnMut(Kpis),
) -> Result<(), ThreadError> {
    let never = std::sync::atomic::AtomicBool::new(false);
    run_streaming_until(model, spec, BATCH, &never, on_done, sink).map(|_| ())
}

/// Like [`run_streaming`], in batches of `batch` replications, stopping
/// before the next batch once `stop` is set (a cancelled `bedflow serve`
/// run). Returns whether every replication ran. The replications that ran
/// are the same, in the same order, whatever `batch` is.
pub fn run_streaming_until(
    model: &Model,
    spec: RunSpec,
    batch: usize,
    stop: &std::sync::atomic::AtomicBool,
    on_done: &(dyn Fn() + Sync),
    sink: &mut dyn FnMut(Kpis),
) -> Result<bool, ThreadError> {
    use std::sync::atomic::Ordering;
    let all: Vec<u32> = (0..spec.replications).collect();
    let runner = Runner::new(model, spec)?;
    for chunk in all.chunks(batch.max(1)) {
        if stop.load(Ordering::Relaxed) {
            return Ok(false);
        }
        for k in runner.batch(chunk, on_done) {
            sink(k);
        }
    }
    Ok(true)
}

/// Runs only the replications numbered in `indices` (for a shard: every N-th),
/// returning them in that order.
pub fn run_indices(
    model: &Model,
    spec: RunSpec,
    indices: &[u32],
    on_done: &(dyn Fn() + Sync),
) -> Result<Vec<Kpis>, ThreadError> {
    Ok(Runner::new(model, spec)?.batch(indices, on_done))
}

/// The shared pieces of a run: the precomputed plan, the seed's streams and
/// the thread pool.
struct Runner<'m> {
    model: &'m Model,
    plan: Plan,
    streams: Streams,
    pool: rayon::ThreadPool,
}

impl<'m> Runner<'m> {
    fn new(model: &'m Model, spec: RunSpec) -> Result<Runner<'m>, ThreadError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(spec.threads)
            .build()
            .map_err(|source| ThreadError { threads: spec.threads, source })?;
        Ok(Runner { model, plan: Plan::new(model), streams: Streams::new(spec.seed), pool })
    }

    /// Runs `indices` in parallel; rayon's indexed collect keeps their order.
    fn batch(&self, indices: &[u32], on_done: &(dyn Fn() + Sync)) -> Vec<Kpis> {
        if !self.model.uncertainty.is_empty() {
            return self.batch_uncertain(indices, on_done);
        }
        self.pool.install(|| {
            use rayon::prelude::*;
            indices
                .par_iter()
                .map_init(
                    || Engine::new(&self.plan),
                    |engine, &r| {
                        let out = engine.run(&self.streams, r);
                        on_done();
                        kpis(self.model, &out)
                    },
                )
                .collect()
        })
    }

    /// With uncertain inputs, each replication runs its own model: the
    /// inputs multiplied by the factors drawn for it (each from its own
    /// stream, keyed by the replication, so the same in every scenario that
    /// has the same `[[uncertainty]]` entries, and the same on any thread).
    /// The plan and engine are built per replication (the price of the
    /// second level of uncertainty; runs without it take the path above).
    fn batch_uncertain(&self, indices: &[u32], on_done: &(dyn Fn() + Sync)) -> Vec<Kpis> {
        self.pool.install(|| {
            use rayon::prelude::*;
            indices
                .par_iter()
                .map(|&r| {
                    let model = self.model.with_factors(&uncertain_factors(self.model, &self.streams, r));
                    let plan = Plan::new(&model);
                    let out = Engine::new(&plan).run(&self.streams, r);
                    on_done();
                    kpis(self.model, &out)
                })
                .collect()
        })
    }
}

/// The factors of a model's uncertain inputs in replication `r`: one draw
/// each from its own stream, capped at [`crate::model::MAX_UNCERTAIN_FACTOR`].
pub fn uncertain_factors(model: &Model, streams: &Streams, r: u32) -> Vec<f64> {
    model
        .uncertainty
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut rng = streams.stream(r, crate::engine::rng::uncertainty(i));
            u.factor.sampler(1.0).sample(&mut rng).clamp(0.0, crate::model::MAX_UNCERTAIN_FACTOR)
        })
        .collect()
}

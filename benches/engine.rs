//! Criterion benchmarks of the engine on the shipped winter scenario.
//!
//! - `one_replication`: a single replication on the calling thread (events/s
//!   is this figure's events divided by its time; the event count is printed).
//! - `replications/threads=N`: a batch of 20 replications through the rayon
//!   driver on N threads, for replications per second and thread scaling.
//! - `reference/bedflow_one_replication`: the performance reference model.
//! - `forecast/one_replication`: the 21-day forecast from a census.
//!
//! Run: `cargo bench --bench engine`; the README's table records the results.

use bedflow::engine::{Engine, Plan, rng::Streams};
use bedflow::replicate::{self, RunSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const SCENARIO: &str = "scenarios/winter-2026-27.toml";
const BATCH: u32 = 20;

fn load() -> bedflow::model::Model {
    bedflow::scenario::load(std::path::Path::new(SCENARIO)).expect("shipped scenario is valid")
}

fn one_replication(c: &mut Criterion) {
    one_replication_of(c, SCENARIO, "winter", "one_replication");
}

fn replications(c: &mut Criterion) {
    let model = load();
    let mut group = c.benchmark_group("replications");
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(BATCH)));
    for threads in [1, 2] {
        group.bench_function(format!("threads={threads}"), |b| {
            b.iter(|| {
                let spec = RunSpec { replications: BATCH, seed: model.seed, threads };
                black_box(replicate::run(&model, spec, &|| {}).expect("thread pool"))
            })
        });
    }
    group.finish();
}

/// One replication of the scenario at `path`, on the calling thread, as the
/// benchmark `group`/`name` (events per second from its printed event count).
fn one_replication_of(c: &mut Criterion, path: &str, group: &str, name: &str) {
    let model = bedflow::scenario::load(std::path::Path::new(path)).expect("shipped scenario is valid");
    let plan = Plan::new(&model);
    let streams = Streams::new(model.seed);
    let mut engine = Engine::new(&plan);
    let events = engine.run(&streams, 0).events;
    println!("one replication of {path}: {events} events");
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Elements(events));
    group.bench_function(name, |b| {
        let mut r = 0;
        b.iter(|| {
            r += 1;
            black_box(engine.run(&streams, r % 64))
        })
    });
    group.finish();
}

/// One replication of the performance reference model (benches/README.md).
fn reference(c: &mut Criterion) {
    one_replication_of(c, "scenarios/reference-600-beds.toml", "reference", "bedflow_one_replication");
}

/// One replication of the shipped 21-day forecast from a census (615 rows
/// placed at time 0, then three weeks of the winter trust).
fn forecast(c: &mut Criterion) {
    one_replication_of(c, "scenarios/forecast-21-days.toml", "forecast", "one_replication");
}

criterion_group!(benches, one_replication, replications, reference, forecast);
criterion_main!(benches);

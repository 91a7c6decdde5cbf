//! Criterion benchmarks of the engine on the shipped winter scenario.
//!
//! - `one_replication`: a single replication on the calling thread (events/s
//!   is this figure's events divided by its time; the event count is printed).
//! - `replications/threads=N`: a batch of 20 replications through the rayon
//!   driver on N threads, for replications per second and thread scaling.
//! - `reference/bedflow_one_replication`: the performance reference model.
//! - `forecast/one_replication`: the 21-day forecast from a census.
//! - `scale/beds=600` and `scale/beds=60000`: the reference model, and the
//!   same at 100 times the beds and the admissions (11,000 a day), for
//!   events per second as the hospital grows.
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
    one_replication_of_model(c, &model, path, group, name, 100);
}

/// One replication of `model` (from `what`) as the benchmark `group`/`name`,
/// with `samples` samples.
fn one_replication_of_model(
    c: &mut Criterion,
    model: &bedflow::model::Model,
    what: &str,
    group: &str,
    name: &str,
    samples: usize,
) {
    let plan = Plan::new(model);
    let streams = Streams::new(model.seed);
    let mut engine = Engine::new(&plan);
    let events = engine.run(&streams, 0).events;
    println!("one replication of {what}: {events} events");
    let mut group = c.benchmark_group(group);
    group.sample_size(samples);
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

/// The reference model at 600 beds and 110 admissions a day, and at 100
/// times both (60,000 beds, 11,000 a day: the same occupancy, 100 times the
/// events): events per second should hardly fall as the hospital grows.
fn scale(c: &mut Criterion) {
    let text = std::fs::read_to_string("scenarios/reference-600-beds.toml").expect("shipped scenario");
    for (beds, per_day, samples) in [(600, 110, 100), (60_000, 11_000, 10)] {
        let scaled = text
            .replace("beds = 600", &format!("beds = {beds}"))
            .replace("per_day = 110.0", &format!("per_day = {per_day}.0"));
        let model = bedflow::scenario::parse_str(&scaled, "reference-scaled.toml").expect("valid");
        assert_eq!(model.pools[0].beds, beds, "the reference model's beds line changed");
        one_replication_of_model(
            c,
            &model,
            &format!("the reference model at {beds} beds"),
            "scale",
            &format!("beds={beds}"),
            samples,
        );
    }
}

criterion_group!(benches, one_replication, replications, reference, forecast, scale);
criterion_main!(benches);

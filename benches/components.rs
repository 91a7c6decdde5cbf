//! Criterion benchmarks of engine components on their own (issue 18).
//!
//! - `event_set/{bucketed,one_heap}/pending=N`: the classic hold model, N
//!   events pending; each step pops the earliest and pushes one a
//!   lognormal stay later (mean 5 days, SD 7, the reference model's), as
//!   the engine's discharges do. `bucketed` is the engine's
//!   [`bedflow::engine::queue::EventQueue`]; `one_heap` is a plain
//!   `BinaryHeap` of the same packed keys, the structure it replaced. 600
//!   and 55,000 pending are the reference model's discharges at 600 and
//!   60,000 beds.
//! - `samplers/lognormal_stay`: 100,000 lengths of stay drawn as the engine
//!   draws them (the reference model's lognormal, mean 5 days, SD 7).
//! - `arrivals/poisson_110_a_day`: a year and its warm-up of the reference
//!   model's arrivals (about 46,750) from the engine's arrival clock.
//!
//! Run: `cargo bench --bench components`.

use bedflow::engine::order::Step;
use bedflow::engine::queue::{EventQueue, Kind};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal};
use std::collections::BinaryHeap;
use std::hint::black_box;

const STEPS: usize = 100_000;

/// `n` stays in seconds, then `STEPS` more, drawn once so the benches time only the event set.
fn stays(n: usize) -> Vec<u32> {
    let sigma2 = (1.0f64 + (7.0f64 / 5.0).powi(2)).ln();
    let d = LogNormal::new(5.0f64.ln() - sigma2 / 2.0, sigma2.sqrt()).expect("valid");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    (0..n + STEPS).map(|_| (d.sample(&mut rng) * 86_400.0).min(1.0e9) as u32).collect()
}

fn event_set(c: &mut Criterion) {
    let mut group = c.benchmark_group("event_set");
    group.throughput(Throughput::Elements(STEPS as u64));
    for n in [600usize, 55_000] {
        let stays = stays(n);
        let mut q = EventQueue::default();
        group.bench_function(format!("bucketed/pending={n}"), |b| {
            b.iter(|| {
                q.clear();
                for (i, &s) in stays[..n].iter().enumerate() {
                    q.push(s, Step::Discharge, Kind::Discharge, i as u32);
                }
                for &s in &stays[n..] {
                    let e = q.pop().expect("pending");
                    q.push(e.time() + s, Step::Discharge, Kind::Discharge, e.target);
                }
                black_box(q.peek_time())
            })
        });
        let mut heap: BinaryHeap<std::cmp::Reverse<(u64, u32)>> = BinaryHeap::new();
        group.bench_function(format!("one_heap/pending={n}"), |b| {
            b.iter(|| {
                heap.clear();
                let mut seq = 0u64;
                let key = |t: u32, seq: &mut u64| {
                    *seq += 1;
                    (u64::from(t) << 32) | *seq
                };
                for (i, &s) in stays[..n].iter().enumerate() {
                    heap.push(std::cmp::Reverse((key(s, &mut seq), i as u32)));
                }
                for &s in &stays[n..] {
                    let std::cmp::Reverse((k, target)) = heap.pop().expect("pending");
                    heap.push(std::cmp::Reverse((key((k >> 32) as u32 + s, &mut seq), target)));
                }
                black_box(heap.peek().map(|e| e.0.0))
            })
        });
    }
    group.finish();
}

fn samplers(c: &mut Criterion) {
    let stay = bedflow::dist::Distribution::LogNormal { mean: 5.0, sd: 7.0 }.sampler(86_400.0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    let mut group = c.benchmark_group("samplers");
    group.throughput(Throughput::Elements(STEPS as u64));
    group.bench_function("lognormal_stay", |b| b.iter(|| (0..STEPS).map(|_| stay.sample(&mut rng)).sum::<f64>()));
    group.finish();
}

fn arrivals(c: &mut Criterion) {
    use bedflow::engine::arrivals::{ArrivalClock, HourlyRates};
    let model = bedflow::scenario::load(std::path::Path::new("scenarios/reference-600-beds.toml")).expect("shipped");
    let days = bedflow::scenario::size::simulated_days(&model);
    let rates = HourlyRates::new(&model, 110.0, &bedflow::model::TimeProfile::flat(), days);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    let mut group = c.benchmark_group("arrivals");
    group.throughput(Throughput::Elements(rates.expected_total() as u64));
    group.bench_function("poisson_110_a_day", |b| {
        b.iter(|| {
            let mut clock = ArrivalClock::new(bedflow::model::ArrivalProcess::Poisson, 110.0);
            let mut n = 0u32;
            while let Some(t) = clock.next(&rates, &mut rng) {
                n = n.wrapping_add(t);
            }
            black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, event_set, samplers, arrivals);
criterion_main!(benches);

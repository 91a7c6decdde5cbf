//! The limit proxy: the reference model (benches/README.md) as a bare
//! binary-heap event loop, not the product. xoshiro256++ random numbers,
//! integer seconds, no scenario, no statistics beyond the four reported. The
//! full engine's time per replication is compared with this one's.

use criterion::{Criterion, criterion_group, criterion_main};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;

struct Xoshiro([u64; 4]);

impl Xoshiro {
    fn new(seed: u64) -> Xoshiro {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Xoshiro([next(), next(), next(), next()])
    }
    #[inline]
    fn next(&mut self) -> u64 {
        let s = &mut self.0;
        let r = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        r
    }
    #[inline]
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }
    #[inline]
    fn normal(&mut self) -> f64 {
        (-2.0 * self.unit().ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

/// One replication; returns (mean occupancy, share full, mean wait hours, waits over 12 h).
pub fn replication(seed: u64) -> (f64, f64, f64, u64) {
    const DAY: u64 = 86_400;
    const BEDS: u32 = 600;
    let (warm, end) = (60 * DAY, (60 + 365) * DAY);
    let sigma = (1.0f64 + (7.0f64 / 5.0).powi(2)).ln().sqrt();
    let mu = (5.0 * DAY as f64).ln() - sigma * sigma / 2.0;
    let mean_gap = DAY as f64 / 110.0;
    let mut rng = Xoshiro::new(seed);
    let mut departures: BinaryHeap<Reverse<u64>> = BinaryHeap::with_capacity(1024);
    let mut queue: VecDeque<u64> = VecDeque::new();
    let (mut occupied, mut last, mut area, mut full) = (0u32, 0u64, 0u64, 0u64);
    let (mut waits, mut wait_sum, mut over12) = (0u64, 0u64, 0u64);
    let mut t_arrival = -(rng.unit().ln()) * mean_gap;
    let mut advance = |now: u64, occupied: u32, last: &mut u64| {
        let (a, b) = ((*last).max(warm), now.min(end));
        if b > a {
            area += u64::from(occupied) * (b - a);
            if occupied >= BEDS {
                full += b - a;
            }
        }
        *last = now;
    };
    loop {
        let next_departure = departures.peek().map_or(u64::MAX, |r| r.0);
        let arrival = t_arrival as u64;
        let now = next_departure.min(arrival);
        if now >= end {
            break;
        }
        if next_departure <= arrival {
            departures.pop();
            advance(now, occupied, &mut last);
            occupied -= 1;
            if let Some(arrived) = queue.pop_front() {
                occupied += 1;
                if arrived >= warm {
                    let w = now - arrived;
                    waits += 1;
                    wait_sum += w;
                    over12 += u64::from(w > 12 * 3600);
                }
                let stay = (mu + sigma * rng.normal()).exp() as u64;
                departures.push(Reverse(now + stay));
            }
        } else {
            t_arrival += -(rng.unit().ln()) * mean_gap;
            if occupied < BEDS {
                advance(now, occupied, &mut last);
                occupied += 1;
                if now >= warm {
                    waits += 1;
                }
                let stay = (mu + sigma * rng.normal()).exp() as u64;
                departures.push(Reverse(now + stay));
            } else {
                queue.push_back(now);
            }
        }
    }
    advance(end, occupied, &mut last);
    let days = (end - warm) as f64;
    (area as f64 / days, full as f64 / days, wait_sum as f64 / waits.max(1) as f64 / 3600.0, over12)
}

fn bare(c: &mut Criterion) {
    let (occ, full, wait, over) = replication(1);
    println!(
        "bare loop, seed 1: mean occupancy {occ:.1}, share full {full:.4}, mean wait {wait:.3} h, 12-hour waits {over}"
    );
    let mut seed = 0;
    c.bench_function("reference/bare_loop", |b| {
        b.iter(|| {
            seed += 1;
            black_box(replication(seed))
        })
    });
}

criterion_group!(benches, bare);
criterion_main!(benches);

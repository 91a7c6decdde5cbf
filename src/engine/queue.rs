//! The future event list: events ordered by (time, rank, sequence).
//!
//! Time is integer seconds. The step orders events at the same instant (see
//! [`super::order`]); the sequence number keeps first-scheduled-first-served among
//! equals, so the order never depends on the structure's internals. The three parts are
//! packed into one u64 so comparisons are a single integer compare.
//!
//! **Structure (issue 18).** Most pending events are discharges days ahead,
//! so one binary heap of all of them is deep (600 beds: about 600 events, 60,000
//! beds: about 55,000) and every pop walks it. Time is split into buckets of
//! [`BUCKET_SECONDS`] (68 minutes): a small binary heap, `near`, holds every
//! event up to the end of the current bucket; a ring of [`RING_BUCKETS`]
//! unsorted lists holds the next 48 days, one list a bucket, appended to in O(1);
//! a binary heap, `far`, holds the rare events beyond. When `near` empties,
//! the next non-empty bucket is moved into it (and `far` events that come
//! within the ring's reach move into the ring). Every event in the ring or
//! `far` is later than every event in `near`, so `near`'s minimum is the
//! queue's minimum and the pop order is exactly a single heap's: outputs are
//! unchanged bit for bit. A push earlier than the current bucket's end (the
//! engine's clock may be behind it, since buckets are moved in as soon as
//! `near` empties) goes straight into `near`, which keeps that true.
//!
//! The sequence field has 30 bits. A replication may schedule more events than
//! that: when the counter reaches 2^30 the pending events (at most as many as
//! patients in the hospital, far fewer than 2^30) are renumbered 0..len in
//! their current order and counting continues from len. Renumbering keeps
//! every relative order (new events still get larger numbers than all pending
//! ones), so the pop order is exactly what an unbounded counter would give; it
//! costs one never-taken branch per push below 2^30 events.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

pub use super::order::Step;

/// What a heap event does to its patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An ED patient's decision to admit is made: they ask their route's pool for a bed.
    Decision,
    /// A patient leaves their bed (the discharge time the discharge rules gave).
    Discharge,
    /// A patient not admitted leaves the department, freeing a treatment space.
    EdDeparture,
    /// A walk-in's patience for a space runs out: they leave unless already seen.
    EdAbandon,
    /// A clinician finishes with a patient and can see the next.
    ClinicianFree,
    /// A clock hour starts: the clinicians on duty may change.
    RotaChange,
    /// An infection-control outbreak closes beds in a pool (the target).
    OutbreakStart,
    /// An outbreak ends: the pool's (the target's) closed beds reopen.
    OutbreakEnd,
    /// A patient whose acute stay (and the pathway's delay) is over joins
    /// their discharge pathway's queue, or starts it at once if a start is left today.
    PathwayReady,
    /// A booked elective's wait in recovery for a bed (`recovery_wait_hours`)
    /// is over: cancelled unless a bed came.
    RecoveryTimeout,
}

/// A scheduled discharge or decision, ordered by (time, step, sequence) packed into one integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    key: u64,
    /// What happens to the patient.
    pub kind: Kind,
    /// Patient slot.
    pub target: u32,
}

impl Event {
    /// When it happens, in seconds from the first warm-up midnight.
    #[inline]
    pub fn time(&self) -> u32 {
        (self.key >> 32) as u32
    }
}

impl Ord for Event {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the earliest key comes out first.
        other.key.cmp(&self.key)
    }
}

impl PartialOrd for Event {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

const SEQ_BITS: u32 = 30;
const SEQ_MASK: u64 = (1 << SEQ_BITS) - 1;

/// Seconds a ring bucket covers: 2^12 = 4,096 (68 minutes). At the
/// reference model's 110 admissions a day a bucket holds about 5 discharges,
/// at 11,000 a day about 520: `near` stays small at either scale.
pub const BUCKET_SECONDS: u32 = 1 << BUCKET_SHIFT;
const BUCKET_SHIFT: u32 = 12;
/// Buckets in the ring: 1,024 x 68 minutes, about 48 days ahead; later
/// events (long stays) wait in `far`.
pub const RING_BUCKETS: usize = 1024;
const RING_MASK: u32 = RING_BUCKETS as u32 - 1;

/// The engine's future event list: discharges and decisions only (arrivals, sessions and bed meetings are timetables
/// beside it). See the module comment for its structure.
pub struct EventQueue {
    /// Every pending event whose bucket is at most `bucket`, as a heap.
    near: BinaryHeap<Event>,
    /// Events of buckets `bucket + 1 .. bucket + RING_BUCKETS`, slot `b % RING_BUCKETS`, unsorted.
    ring: Vec<Vec<Event>>,
    /// Events in the ring.
    in_ring: usize,
    /// Events of buckets `bucket + RING_BUCKETS` and later, as a heap.
    far: BinaryHeap<Event>,
    /// The current bucket (time >> BUCKET_SHIFT): `near` holds everything up to its end.
    bucket: u32,
    seq: u64,
}

impl Default for EventQueue {
    fn default() -> EventQueue {
        EventQueue {
            near: BinaryHeap::new(),
            ring: (0..RING_BUCKETS).map(|_| Vec::new()).collect(),
            in_ring: 0,
            far: BinaryHeap::new(),
            bucket: 0,
            seq: 0,
        }
    }
}

impl EventQueue {
    /// Empties the queue and restarts the sequence counter (the engine is reused for the next replication);
    /// the lists keep their room, so a reused engine does not allocate again.
    pub fn clear(&mut self) {
        self.near.clear();
        if self.in_ring > 0 {
            self.ring.iter_mut().for_each(Vec::clear);
        }
        self.in_ring = 0;
        self.far.clear();
        self.bucket = 0;
        self.seq = 0;
    }

    #[inline]
    /// Schedules `kind` for patient `target` at `time`; `step` is its place
    /// in the same-second order (only discharges and bed requests are heap
    /// events: the rest live beside the heap, see `Engine::run`).
    pub fn push(&mut self, time: u32, step: Step, kind: Kind, target: u32) {
        debug_assert!(step <= Step::BedRequest, "only discharges and bed requests go in the heap");
        if self.seq > SEQ_MASK {
            self.renumber();
        }
        let key = (u64::from(time) << 32) | ((step as u64) << SEQ_BITS) | self.seq;
        self.seq += 1;
        self.place(Event { key, kind, target });
        if self.near.is_empty() {
            self.refill();
        }
    }

    /// Puts `e` where its bucket belongs: `near`, the ring or `far`.
    #[inline]
    fn place(&mut self, e: Event) {
        let b = e.time() >> BUCKET_SHIFT;
        if b <= self.bucket {
            self.near.push(e);
        } else if b - self.bucket < RING_BUCKETS as u32 {
            self.ring[(b & RING_MASK) as usize].push(e);
            self.in_ring += 1;
        } else {
            self.far.push(e);
        }
    }

    /// With `near` empty: moves the next non-empty bucket into it, bringing
    /// `far` events that come within the ring's reach into the ring on the way.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        while self.near.is_empty() {
            if self.in_ring == 0 {
                // Nothing in the ring: jump to the first `far` event's bucket.
                let Some(first) = self.far.peek() else { return };
                self.bucket = (first.time() >> BUCKET_SHIFT).saturating_sub(1);
            }
            self.bucket += 1;
            let reach = u64::from(self.bucket) + RING_BUCKETS as u64;
            while let Some(e) = self.far.peek()
                && u64::from(e.time() >> BUCKET_SHIFT) < reach
            {
                let e = *e;
                self.far.pop();
                self.place(e);
            }
            // `near` is empty: the bucket's list becomes the heap (heapified in
            // place) and `near`'s empty buffer becomes the slot's, so no event is copied.
            let slot = &mut self.ring[(self.bucket & RING_MASK) as usize];
            if !slot.is_empty() {
                self.in_ring -= slot.len();
                let list = std::mem::take(slot);
                *slot = std::mem::replace(&mut self.near, BinaryHeap::from(list)).into_vec();
            }
        }
    }

    /// Gives the pending events the sequence numbers 0..len in pop order, so
    /// the counter can continue from len without changing any order (see the
    /// module comment). Pending events are bounded by the patients in the
    /// hospital, which the scenario limits keep far below 2^30.
    #[cold]
    #[inline(never)]
    fn renumber(&mut self) {
        let mut events: Vec<Event> = self.near.drain().chain(self.far.drain()).collect();
        for slot in &mut self.ring {
            events.append(slot);
        }
        self.in_ring = 0;
        // Ascending key is pop order.
        events.sort_unstable_by_key(|e| e.key);
        let n = events.len() as u64;
        assert!(n <= SEQ_MASK, "more than 2^30 pending events");
        for (i, e) in events.iter_mut().enumerate() {
            e.key = (e.key & !SEQ_MASK) | i as u64;
        }
        for e in events {
            self.place(e);
        }
        self.seq = n;
    }

    /// Removes and returns the next event in same-second order, or `None` when nothing is pending.
    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        let e = self.near.pop();
        if self.near.is_empty() {
            self.refill();
        }
        e
    }

    /// Time of the next event, without removing it.
    #[inline]
    pub fn peek_time(&self) -> Option<u32> {
        self.near.peek().map(Event::time)
    }

    /// Whether nothing is pending (tests check an engine's reset with it).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.near.is_empty() && self.in_ring == 0 && self.far.is_empty()
    }

    /// Events the lists have room for (tests check the engine's memory bound with it).
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.near.capacity() + self.ring.iter().map(Vec::capacity).sum::<usize>() + self.far.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_time_then_step_then_sequence() {
        let mut q = EventQueue::default();
        q.push(10, Step::BedRequest, Kind::Decision, 1);
        q.push(10, Step::Discharge, Kind::Discharge, 2);
        q.push(5, Step::BedRequest, Kind::Decision, 3);
        q.push(10, Step::BedRequest, Kind::Decision, 4);
        q.push(10, Step::Discharge, Kind::Discharge, 5);
        assert_eq!(q.peek_time(), Some(5));
        assert!(!q.is_empty());
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|e| e.target).collect();
        assert_eq!(order, vec![3, 2, 5, 1, 4]);
    }

    /// Past 2^30 pushes the order is what an unbounded counter gives: equal
    /// (time, rank) still pop first-scheduled-first-served, across the wrap.
    #[test]
    fn sequence_survives_more_than_2_pow_30_events() {
        let mut q = EventQueue { seq: SEQ_MASK - 2, ..EventQueue::default() };
        for target in 0..8 {
            q.push(100, Step::BedRequest, Kind::Decision, target);
            q.push(50 + target, Step::Discharge, Kind::Discharge, 100 + target);
        }
        assert!(q.seq < 100, "renumbered: {}", q.seq);
        q.push(100, Step::Discharge, Kind::Discharge, 200);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop()).map(|e| e.target).collect();
        let mut want: Vec<u32> = (100..108).collect();
        want.push(200);
        want.extend(0..8);
        assert_eq!(order, want);
    }

    /// The bucketed queue pops exactly what one binary heap of every event
    /// pops, event for event: a random mix of pushes and pops the engine
    /// could make (at the clock or later, including pushes behind the
    /// current bucket's end, same-second ties of both steps, stays beyond
    /// the ring's 48 days and the ring's wrap), checked against a plain heap.
    #[test]
    fn pops_exactly_what_one_heap_pops() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
        let mut q = EventQueue::default();
        for round in 0..3 {
            q.clear();
            let mut plain: BinaryHeap<Event> = BinaryHeap::new();
            let mut seq = 0u64;
            let mut now = 0u32;
            let mut popped = 0;
            for i in 0..200_000u32 {
                if rng.random_bool(0.52) || plain.is_empty() {
                    let ahead = match rng.random_range(0..10) {
                        0 => 0,
                        1 => rng.random_range(0..BUCKET_SECONDS),
                        2 => rng.random_range(0..200 * 86_400),
                        _ => rng.random_range(0..10 * 86_400),
                    };
                    let step = if rng.random_bool(0.5) { Step::Discharge } else { Step::BedRequest };
                    let time = now + ahead;
                    q.push(time, step, Kind::Discharge, i);
                    let key = (u64::from(time) << 32) | ((step as u64) << SEQ_BITS) | seq;
                    seq += 1;
                    plain.push(Event { key, kind: Kind::Discharge, target: i });
                } else {
                    let want = plain.pop();
                    assert_eq!(q.peek_time(), want.map(|e| e.time()), "round {round}, event {i}");
                    let got = q.pop();
                    assert_eq!(got, want, "round {round}, event {i}");
                    now = got.map_or(now, |e| e.time());
                    popped += 1;
                }
            }
            while let Some(want) = plain.pop() {
                assert_eq!(q.pop(), Some(want));
            }
            assert!(q.is_empty() && q.pop().is_none() && popped > 90_000);
        }
    }
}

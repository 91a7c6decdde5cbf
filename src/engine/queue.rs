//! The future event list: a binary heap keyed by (time, rank, sequence).
//!
//! Time is integer seconds. The step orders events at the same instant (see
//! [`super::order`]); the sequence number keeps first-scheduled-first-served among
//! equals, so the order never depends on heap internals. The three parts are
//! packed into one u64 so comparisons are a single integer compare.
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

/// The engine's future event list: discharges and decisions only (arrivals, sessions and bed meetings are timetables
/// beside it).
#[derive(Default)]
pub struct EventQueue {
    heap: BinaryHeap<Event>,
    seq: u64,
}

impl EventQueue {
    /// Empties the queue and restarts the sequence counter (the engine is reused for the next replication).
    pub fn clear(&mut self) {
        self.heap.clear();
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
        self.heap.push(Event { key, kind, target });
    }

    /// Gives the pending events the sequence numbers 0..len in pop order, so
    /// the counter can continue from len without changing any order (see the
    /// module comment). Pending events are bounded by the patients in the
    /// hospital, which the scenario limits keep far below 2^30.
    #[cold]
    #[inline(never)]
    fn renumber(&mut self) {
        // Ascending `Ord` is descending key (the heap is reversed): the last
        // element pops first.
        let mut events = std::mem::take(&mut self.heap).into_sorted_vec();
        let n = events.len() as u64;
        assert!(n <= SEQ_MASK, "more than 2^30 pending events");
        for (i, e) in events.iter_mut().rev().enumerate() {
            e.key = (e.key & !SEQ_MASK) | i as u64;
        }
        self.heap = BinaryHeap::from(events);
        self.seq = n;
    }

    /// Removes and returns the next event in same-second order, or `None` when nothing is pending.
    #[inline]
    pub fn pop(&mut self) -> Option<Event> {
        self.heap.pop()
    }

    /// Time of the next event, without removing it.
    #[inline]
    pub fn peek_time(&self) -> Option<u32> {
        self.heap.peek().map(Event::time)
    }

    /// Whether nothing is pending (tests check an engine's reset with it).
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Events the heap has room for (tests check the engine's memory bound with it).
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.heap.capacity()
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
}

//! The same-second order of everything the engine does: the one place it is
//! decided (after simmer's named priorities and nexosim's ordering rules).
//!
//! Time is integer seconds, so several things often fall on one second. They
//! happen in the order of [`Step`]; within a step, first scheduled first
//! served (heap events by sequence number, arrival streams by slot: ED, then
//! each direct route, then each specialty's referrals). Census readings (08:00
//! boarders and OPEL, midnight occupancy) are taken before anything at their
//! second, so they see the state just before it.

/// What the engine does, in same-second order (first to last).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// A patient leaves, so their bed is free for anyone later in the second
    /// (it goes to the head of the pool's queue if anyone waits); also a
    /// patient leaving the ED after treatment, or a walk-in giving up, whose
    /// treatment space goes to whoever waits for one.
    Discharge = 0,
    /// A decision to admit (or a direct admission) asks for a bed; with ED
    /// capacity, an admitted patient without one keeps their ED space.
    BedRequest = 1,
    /// A theatre session books its patients into the beds left.
    TheatreSession = 2,
    /// A bed meeting opens or closes escalation beds on what it then sees.
    BedMeeting = 3,
    /// A new arrival: an ED attendance, a direct admission or a referral.
    Arrival = 4,
}

impl Step {
    #[cfg(test)]
    const ALL: [Step; 5] = [Step::Discharge, Step::BedRequest, Step::TheatreSession, Step::BedMeeting, Step::Arrival];
}

/// Where the next thing to do comes from: the event heap (discharges and
/// bed requests, ordered there by time, [`Step`] and sequence), the theatre
/// timetable, the bed-meeting timetable, or the arrival registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The event heap: discharges and bed requests.
    Heap,
    /// The theatre timetable: the next list session.
    TheatreSession,
    /// The bed-meeting timetable: the next escalation review.
    BedMeeting,
    /// The arrival registers: ED attendances, direct admissions, referrals.
    Arrival,
}

/// The next thing to do, given each source's next time (`u32::MAX`: none):
/// the earliest, and at the same second the heap (steps `Discharge` and
/// `BedRequest`), then `TheatreSession`, `BedMeeting` and `Arrival`, the
/// order of [`Step`]. Plain `u32` comparisons: this runs once per event.
#[inline]
pub fn next(heap: u32, session: u32, review: u32, arrival: u32) -> (u32, Source) {
    let now = heap.min(session).min(review).min(arrival);
    let source = if heap == now {
        Source::Heap
    } else if session == now {
        Source::TheatreSession
    } else if review == now {
        Source::BedMeeting
    } else {
        Source::Arrival
    };
    (now, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At one second: the heap's events, then theatre sessions, then bed
    /// meetings, then arrivals; an earlier time always wins.
    #[test]
    fn same_second_order_is_the_step_order() {
        assert_eq!(next(10, 10, 10, 10), (10, Source::Heap));
        assert_eq!(next(11, 10, 10, 10), (10, Source::TheatreSession));
        assert_eq!(next(11, 11, 10, 10), (10, Source::BedMeeting));
        assert_eq!(next(11, 11, 11, 10), (10, Source::Arrival));
        assert_eq!(next(10, 9, 9, 9), (9, Source::TheatreSession));
        assert_eq!(next(u32::MAX, u32::MAX, u32::MAX, u32::MAX).1, Source::Heap);
        let mut sorted = Step::ALL;
        sorted.sort();
        assert_eq!(sorted, Step::ALL, "declaration order is the same-second order");
        // The heap's two steps sit before the other sources' steps.
        assert!(Step::BedRequest < Step::TheatreSession && Step::Discharge < Step::BedRequest);
    }
}

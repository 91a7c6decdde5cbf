//! Elective booking: priority categories and the steady-state waiting list.

use super::{Model, Specialty};

/// Booking by the NHS surgical priority categories P1-P4: every list takes
/// the most urgent category that has anyone waiting, longest wait first
/// within it (the categories' targets only measure lateness); P1 and P2 are
/// urgent (never cancelled for lack of a bed, and they wait for the next bed
/// ahead of emergency patients), P3 and P4 routine. A routine patient
/// offered a date may not be ready (patient choice, not fit, pre-operative
/// assessment not done): they are deferred and come back to the list after
/// `deferral_weeks`, keeping their referral date.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    /// Shares of P1, P2, P3, P4 among patients (sum 1); `urgent_share` is
    /// then P1 + P2 (the same draw decides both).
    pub shares: [f64; 4],
    /// Targets from referral, in days (P1 within 72 hours, P2 a month, P3
    /// three months, P4 longer), for `elective_treated_after_target`.
    pub target_days: [f64; 4],
    /// Share (0-1) of offers a routine (P3, P4) patient cannot take.
    pub not_ready_share: f64,
    /// Weeks a patient not ready is off the list before coming back.
    pub deferral_weeks: f64,
}

impl Specialty {
    /// The steady state of the list, for `initial_wait_weeks =
    /// "steady-state"`: per booking class (P1-P4, or urgent as class 0 and
    /// routine as class 3), the share of the list and the longest wait, in
    /// weeks. Booked most urgent class first and treated as fast as
    /// referred, every class but the least urgent one with referrals is
    /// seen at once, and that one holds the list: `initial_list` patients,
    /// waits uniform up to `initial_list` / its referrals a week (first come
    /// first served). Patients not ready for a date are left out.
    pub fn steady_state_list(&self) -> ([f64; 4], [f64; 4]) {
        let r = self.referrals_per_week;
        let rates = match &self.priority {
            None => [self.urgent_share * r, 0.0, 0.0, (1.0 - self.urgent_share) * r],
            Some(p) => p.shares.map(|s| s * r),
        };
        let last = rates.iter().rposition(|&x| x > 0.0).unwrap_or(3);
        let mut shares = [0.0; 4];
        shares[last] = 1.0;
        let mut waits = [0.0; 4];
        waits[last] = f64::from(self.initial_list) / rates[last].max(1e-9);
        (shares, waits)
    }
}

impl Model {
    /// True when some specialty books by priority (`priority_shares`).
    pub fn books_by_priority(&self) -> bool {
        self.specialties.iter().any(|s| s.priority.is_some())
    }
}

//! The emergency department: an attendance is admitted or not, waits for a
//! decision to admit, and leaves ED when it gets a bed (or is diverted).

use super::*;

impl Engine<'_> {
    pub(super) fn ed_arrival(&mut self, now: u32, case_mix: &mut ChaCha8Rng, stays: &mut [ChaCha8Rng]) {
        let plan = self.plan;
        let Some(ed) = &plan.ed else { return };
        if let Some(d) = self.report_day(now)
            && let Some(e) = self.out.ed.as_mut()
        {
            e.attendances[d] += 1;
        }
        if unit_f64(case_mix) < ed.admission_probability {
            let u = unit_f64(case_mix);
            let k = ed
                .route_cumulative
                .iter()
                .find(|(upper, _)| u < *upper)
                .or(ed.route_cumulative.last())
                .map_or(0, |(_, k)| *k);
            let decision = now.saturating_add(secs(ed.to_decision.sample(case_mix)));
            let rng = &mut stays[k];
            let stay = secs(plan.routes[k].stay.sample(rng));
            let key = rng.next_u64();
            let p = self.new_patient(Patient {
                arrival: now,
                decision,
                admitted: 0,
                stay,
                key,
                pool: plan.routes[k].pool as u32,
                state: State::AwaitingDecision,
                from_ed: true,
                urgent: false,
            });
            if decision < plan.horizon {
                self.events.push(decision, Step::BedRequest, Kind::Decision, p);
            }
        } else {
            let stay = secs(ed.in_department.sample(case_mix));
            self.ed_leaves(now, stay);
        }
    }

    /// Records an ED attendance's time in department against its arrival day.
    pub(super) fn ed_leaves(&mut self, arrival: u32, duration: u32) {
        if let Some(d) = self.report_day(arrival)
            && let Some(e) = self.out.ed.as_mut()
        {
            e.within_4h[d] += u32::from(duration <= FOUR_HOURS);
            e.over_12h[d] += u32::from(duration > TWELVE_HOURS);
        }
    }
}

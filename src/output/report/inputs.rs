//! The report's description of what was simulated: the inputs (admission
//! routes, pools, outlying, beds by date, outbreaks, the census), the
//! escalation and OPEL rules, and the model's assumptions in STRESS-DES order.

use super::*;

fn describe_profile(p: &crate::model::TimeProfile) -> String {
    let flat_hours = p.hour_share.iter().all(|s| (s - 1.0 / 24.0).abs() < 1e-12);
    let flat_days = p.day_multiplier.iter().all(|m| (m - 1.0).abs() < 1e-12);
    let mut parts = Vec::new();
    if flat_hours {
        parts.push("flat through the day".to_string());
    } else {
        let (peak, _) = p.hour_share.iter().enumerate().fold((0, 0.0), |b, (h, &s)| if s > b.1 { (h, s) } else { b });
        parts.push(format!("hour-of-day profile peaking {peak:02}:00-{:02}:00", peak + 1));
    }
    if flat_days {
        parts.push("the same every weekday".to_string());
    } else {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let list: Vec<String> = names.iter().zip(p.day_multiplier).map(|(n, m)| format!("{n} {m:.2}")).collect();
        parts.push(format!("weekday multipliers {}", list.join(", ")));
    }
    if (p.bank_holiday_factor - 1.0).abs() > 1e-12 {
        parts.push(format!("x{} on bank holidays", p.bank_holiday_factor));
    }
    if let Some(d) = &p.displacement {
        let mut moved = format!(
            "{:.0}% of a bank holiday's missing demand arrives over the {} working day{} after it",
            d.after * 100.0,
            d.after_days.len(),
            if d.after_days.len() == 1 { "" } else { "s" }
        );
        if d.before > 0.0 {
            moved.push_str(&format!(", {:.0}% on the working day before", d.before * 100.0));
        }
        parts.push(moved);
    }
    if p.growth_per_year != 0.0 {
        parts.push(format!("growing {:.1}% a year from the first reported day", p.growth_per_year * 100.0));
    }
    parts.join("; ")
}

/// What an uncertain input is, in the report's words.
fn uncertain_input(model: &Model, u: &crate::model::UncertainInput) -> String {
    use crate::model::UncertainInput as U;
    match *u {
        U::EdAttendances => "ED attendances a day".into(),
        U::RoutePerDay(r) => format!("admissions a day, {}", model.routes[r].name),
        U::RouteStay(r) => format!("length of stay, {}", model.routes[r].name),
        U::PathwayStarts(k) => format!("pathway P{} starts a day", k + 1),
    }
}

fn describe(d: &Distribution) -> String {
    format!("{} (mean {:.2}, sd {:.2})", d.describe(), d.mean(), d.variance().sqrt())
}

/// The inputs: ED, seasonality, routes, pools.
fn inputs(model: &Model) -> Markup {
    html! {
        h3 { "3. Inputs" } "\n"
        @if let Some(ed) = &model.ed {
            table class="inputs" {
                tr { th { "ED attendances" } td { (ed.attendances_per_day) " a day on average; "
                    @match ed.arrivals {
                        ArrivalProcess::Poisson => (describe_profile(&ed.profile)),
                        ArrivalProcess::Regular => "evenly spaced",
                    } } } "\n"
                tr { th { "Admitted" } td { (format!("{:.1}", 100.0 * ed.admission_probability)) "% of attendances" } } "\n"
                tr {
                    th { @if ed.capacity.is_some() { "Treatment space to decision to admit" } @else { "Arrival to decision to admit" } }
                    td { (describe(&ed.hours_to_decision)) " hours" }
                } "\n"
                tr {
                    th { @if ed.capacity.is_some() { "Time in a treatment space if not admitted" } @else { "Time in ED if not admitted" } }
                    td { (describe(&ed.hours_in_department)) " hours" }
                }
                @if let Some(c) = &ed.capacity {
                    "\n"
                    tr {
                        th { "ED capacity" }
                        td {
                            (c.spaces) " treatment spaces, " (c.corridor_spaces) " corridor places for admitted patients waiting for a bed; "
                            (fixed(100.0 * c.ambulance_share, 0)) "% of attendances by ambulance, handed over before walk-ins"
                            @if let Some(m) = &c.minors {
                                "; " (m.spaces) " minors spaces for " (fixed(100.0 * m.share, 0)) "% of the walk-ins not admitted"
                            }
                            @if let Some(d) = &c.patience_hours {
                                "; walk-ins leave unseen after " (describe(d)) " hours of waiting"
                            }
                            @if let Some(r) = &c.clinicians {
                                "; clinicians on duty by hour from 00:00: "
                                (r.on_duty.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
                                ", " (describe(&r.minutes)) " minutes per patient"
                            }
                        }
                    }
                }
            } "\n"
        } @else {
            p { "No emergency department is modelled: all demand is direct admissions." } "\n"
        }
        @if !model.seasonality.is_empty() {
            p { "Seasonality (multiplies all emergency demand; overlapping ranges multiply):" } "\n"
            table class="inputs" {
                tr { th { "From" } th { "To" } th { "Factor" } } "\n"
                @for s in &model.seasonality {
                    tr { td { (s.from.format("%-d %b %Y")) } td { (s.to.format("%-d %b %Y")) } td { (s.factor) } } "\n"
                }
            } "\n"
        }
        @if !model.uncertainty.is_empty() {
            p { "Uncertain inputs: each replication multiplies the input by a factor drawn once for the whole run, so the spread across replications includes what is not known about the inputs as well as day-to-day chance:" } "\n"
            table class="inputs" {
                tr { th { "Input" } th { "Factor" } } "\n"
                @for u in &model.uncertainty {
                    tr { td { (uncertain_input(model, &u.input)) } td { (describe(&u.factor)) } } "\n"
                }
            } "\n"
        }
        p { "Admission routes:" } "\n"
        table class="inputs" {
            tr { th { "Route" } th { "Source" } th { "Pool" } th { "Length of stay (days)" } } "\n"
            @for r in &model.routes {
                @let source = match &r.source {
                    RouteSource::Ed { share } => format!("{:.1}% of ED admissions", 100.0 * share),
                    RouteSource::Direct { per_day, profile, process } => match process {
                        ArrivalProcess::Poisson => format!("direct, {per_day} a day (Poisson); {}", describe_profile(profile)),
                        ArrivalProcess::Regular => format!("direct, {per_day} a day, evenly spaced"),
                    },
                };
                tr { td { (r.name) } td { (source) } td { (model.pools[r.pool].name) } td { (describe(&r.stay_days)) } } "\n"
            }
        } "\n"
        p { "Bed pools (offered load = admissions a day x mean stay, before seasonality and discharge delays):" } "\n"
        table class="inputs" {
            tr { th { "Pool" } th { "Core beds" } th { "When full" } th { "Offered load (beds)" } } "\n"
            @for (i, p) in model.pools.iter().enumerate() {
                @let when = match p.when_full {
                    WhenFull::Queue => "queue (board in ED)",
                    WhenFull::Divert => "divert",
                };
                tr { td { (p.name) } td { (p.beds) } td { (when) } td { (fixed(model.offered_load(i), 1)) } } "\n"
            }
        } "\n"
        (bed_changes(model))
        (electives(model))
        @if let Some(p) = &model.plan {
            p {
                "What the plan itself costs (" code { "[plan]" } "): "
                @if !p.description.is_empty() { (p.description) "; " }
                (super::super::format::pounds(p.one_off_cost)) " once and "
                (super::super::format::pounds(p.cost_per_day)) " a day from " (p.from.format("%-d %b %Y")) " to " (p.to.format("%-d %b %Y"))
                ", " (super::super::format::pounds(p.total(model.start, model.end))) " over the reported days (used by "
                code { "compare" } " for the net cost)."
            } "\n"
        }
    }
}

/// Elective specialties and their theatre lists, when the scenario has them.
fn electives(model: &Model) -> Markup {
    if model.specialties.is_empty() {
        return html! {};
    }
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    html! {
        p { "Elective specialties (waiting lists):" } "\n"
        table class="inputs" {
            tr { th { "Specialty" } th { "Waiting list at the start" } th { "Referrals a week" } th { "Urgent" } th { "Inpatients (need a bed)" } th { "Length of stay (days)" } } "\n"
            @for s in &model.specialties {
                tr {
                    td { (s.name) }
                    td { (s.initial_list) @if s.steady_state { " (at its steady state)" } }
                    td { (s.referrals_per_week) }
                    td { (fixed(100.0 * s.urgent_share, 0)) "%" }
                    td { (fixed(100.0 * s.inpatient_share, 0)) "%" }
                    td { (describe(&s.stay_days)) }
                } "\n"
            }
        } "\n"
        @if !model.theatre_lists.is_empty() {
            p { "Theatre lists:" } "\n"
            table class="inputs" {
                tr { th { "Specialty" } th { "Beds from" } th { "Days" } th { "Lists a day" } th { "Cases a list" } th { "Start" } th { "Bank holidays" } } "\n"
                @for l in &model.theatre_lists {
                    @let days: Vec<&str> = DAYS.iter().zip(l.weekdays).filter(|(_, on)| *on).map(|(d, _)| *d).collect();
                    tr {
                        td { (model.specialties[l.specialty].name) }
                        td { (model.pools[l.pool].name) }
                        td { (days.join(", ")) }
                        td { (l.lists_per_day) }
                        td { (l.cases_per_list) }
                        td { (format!("{:02}:00", l.start_hour)) }
                        td { @if l.open_on_bank_holidays { "open" } @else { "closed" } }
                    } "\n"
                }
            } "\n"
        }
    }
}

/// Outlying, dated bed changes and outbreaks, pool by pool (only those a
/// scenario uses), and the census the run started from.
fn bed_changes(model: &Model) -> Markup {
    let name = |i: usize| model.pools[i].name.as_str();
    html! {
        @for (i, p) in model.pools.iter().enumerate().filter(|(_, p)| !p.is_escalation_ward()) {
            @let to: Vec<&str> = p.outlie_to.iter().map(|&i| name(i)).collect();
            @let host = model.pools.iter().any(|q| q.outlie_to.contains(&i));
            @if !to.is_empty() {
                p {
                    strong { "Outlying: " (p.name) "." }
                    " When none of its beds is free, its patients take a bed in " (to.join(", then "))
                    " (where more beds are free than the host keeps for its own patients); they stay there until discharge, for "
                    (format!("{:.2}", p.outlier_stay_factor)) " times their stay (not in an escalation ward)."
                    @if p.keep_for_own_patients > 0 { " It keeps " (p.keep_for_own_patients) " beds for its own patients." }
                } "\n"
            }
            @if to.is_empty() && host && p.keep_for_own_patients > 0 {
                p { strong { "Outlying: " (p.name) "." } " Keeps " (p.keep_for_own_patients) " beds for its own patients." } "\n"
            }
            @for c in &p.capacity {
                p {
                    strong { "Beds by date: " (p.name) "." }
                    " " (c.beds) " core beds from " (c.from.format("%-d %b %Y"))
                    @if let Some(t) = c.to { " to " (t.format("%-d %b %Y")) } @else { " to the end of the run" }
                    " (otherwise " (p.beds) "); beds close as their patients leave."
                } "\n"
            }
            @if let Some(o) = &p.outbreaks {
                p {
                    strong { "Infection-control closures: " (p.name) "." }
                    " An outbreak starts with a " (format!("{:.0}%", 100.0 * o.chance_per_week)) " chance a week (none running), closing "
                    (o.beds) " core beds for " (describe(&o.days)) " days."
                } "\n"
            }
        }
        @if let Some(c) = &model.census {
            p {
                strong { "Starting census." }
                " " (c.patients.iter().filter(|p| !p.waiting).count()) " patients in beds and "
                (c.patients.iter().filter(|p| p.waiting).count()) " waiting for one at 00:00 on "
                (model.date_of_day(0).format("%-d %b %Y")) ", from " (c.file) "; remaining stays drawn given the days already spent unless an expected discharge is given."
                @if !c.waiting_list.is_empty() { " " (c.waiting_list.len()) " patients on elective waiting lists, with their referral dates." }
            } "\n"
        }
    }
}

/// Escalation rules of each pool that has them, and the OPEL rules.
fn escalation_rules(model: &Model) -> Markup {
    html! {
        @for p in &model.pools {
            @if let Some(e) = &p.escalation {
                @let hours: Vec<String> = e.review_hours.iter().map(|h| format!("{h:02}:00")).collect();
                @let windows: Vec<String> = e.windows.iter().map(|(a, b)| format!("{} to {}", a.format("%-d %b %Y"), b.format("%-d %b %Y"))).collect();
                p {
                    strong { "Escalation: " (p.name) "." }
                    @if p.is_escalation_ward() {
                        @let served: Vec<&str> = p.serves.iter().map(|&i| model.pools[i].name.as_str()).collect();
                        " A shared escalation ward for " (served.join(", ")) " (occupancy and patients waiting of those pools together; no core beds)."
                    }
                    " Up to " (e.max_beds) " beds" @if !p.is_escalation_ward() { " above the " (p.beds) " core beds" } ", " (e.beds_per_step)
                    " at a time, opened at bed meetings (" (hours.join(", ")) ") when occupancy of core beds is at least "
                    (format!("{:.0}", 100.0 * e.open_at_occupancy)) "%"
                    @if let Some(b) = e.open_at_boarders { " or at least " (b) " patients wait for a bed" }
                    @if !windows.is_empty() { ", only " (windows.join("; ")) }
                    "; a step closes at a meeting once occupancy is below " (format!("{:.0}", 100.0 * e.close_below_occupancy))
                    "%, its beds are empty and it has been at least " (e.min_days_open) " days since the last opening. Cost: "
                    (e.cost.basis) "; plus GBP " (e.cost.per_occupied_bed_day) " per occupied escalation bed-day and GBP "
                    (e.cost.per_opening) " per opening."
                } "\n"
            }
        }
        @if let Some(o) = &model.opel {
            @let pct = |x: f64| format!("{:.0}%", 100.0 * x);
            p {
                strong { "OPEL." }
                " Each day's level is 1 plus the highest band reached at the 08:00 census by trust occupancy of core beds (levels 2/3/4 from "
                (pct(o.occupancy[0])) " / " (pct(o.occupancy[1])) " / " (pct(o.occupancy[2]))
                "), patients waiting for a bed (" (o.boarders[0]) " / " (o.boarders[1]) " / " (o.boarders[2])
                ") and patients waiting over 12 hours since a decision to admit ("
                (o.waits_over_12h[0]) " / " (o.waits_over_12h[1]) " / " (o.waits_over_12h[2]) ")."
            } "\n"
        }
    }
}

/// The model description, STRESS-DES style.
pub(super) fn assumptions(model: &Model, info: &RunInfo) -> Markup {
    let mut discharge = match &model.discharge {
        DischargePolicy::OnReady => "Patients leave the moment their stay ends.".to_string(),
        DischargePolicy::Profile { weekday_hours, weekend_review_share, bank_holiday_review_share, lounge, .. } => {
            let noon: f64 = weekday_hours[..12].iter().sum();
            let mut s = format!(
                "A patient leaves on the first day they may go, at a clock time drawn from the hour-of-day profile ({:.0}% of weekday discharges before noon). {:.0}% of patients ready on a Saturday or Sunday are reviewed and may go that day ({:.0}% on a bank holiday); the rest go on the next day they may.",
                noon * 100.0,
                weekend_review_share * 100.0,
                bank_holiday_review_share * 100.0
            );
            if let Some(l) = lounge {
                s.push_str(&format!(
                    " A discharge lounge of {} chairs takes patients due to leave later the same day at {:02}:00 (open until {:02}:00{}), freeing their bed.",
                    l.chairs,
                    l.move_hour,
                    l.close_hour,
                    if l.weekends { ", weekends too" } else { ", weekdays" }
                ));
            }
            s
        }
        DischargePolicy::DailyWindow { open_hour, close_hour, weekend_factor, bank_holiday_factor } => format!(
            "Discharges happen between {open_hour:02}:00 and {close_hour:02}:00. A patient whose stay ends inside the window leaves at once; one whose stay ends outside it leaves during the next window. On Saturdays and Sundays a ready patient goes with probability {weekend_factor}, on bank holidays with probability {bank_holiday_factor}; otherwise they are considered again the next day."
        ),
    };
    for p in &model.pathways {
        let name = crate::model::PATHWAY_NAMES[p.index];
        let share: f64 = model.pools.iter().map(|q| q.pathway_shares[p.index]).fold(0.0, f64::max);
        discharge.push_str(&format!(" Pathway {name} (up to {:.0}% of a pool's patients):", share * 100.0));
        if let Some(d) = &p.delay_days {
            discharge.push_str(&format!(" a delay of {} days after the acute stay", d.describe()));
        }
        if let Some(w) = p.starts_per_day {
            let sep = if p.delay_days.is_some() { ", then" } else { "" };
            discharge.push_str(&format!(
                "{sep} a start from {} a week (Monday to Sunday {:?}{}), first come first served",
                w.iter().sum::<u32>(),
                w,
                if p.capacity.is_empty() { "" } else { ", with dated changes" }
            ));
        }
        discharge.push_str("; the patient keeps their bed until then.");
    }
    let holidays: Vec<String> = model
        .calendar
        .holidays
        .iter()
        .filter(|d| d.date >= model.start && d.date <= model.end)
        .map(|d| format!("{} ({})", d.date.format("%a %-d %b %Y"), d.title))
        .collect();
    let extra = model.calendar.holidays.iter().any(|d| d.title == "Extra holiday");
    html! {
        h2 { "Model description and assumptions" } "\n"
        p class="note" { "Structured after the STRESS-DES guidelines for reporting discrete-event simulations." } "\n"
        h3 { "1. Objectives" } "\n"
        p { "Estimate bed occupancy, waits for a bed, ED 4-hour and 12-hour performance and diversions for the bed model below over the reported period, with their uncertainty across simulated replications of the same period." } "\n"
        h3 { "2. Logic" } "\n"
        p { "Patients arrive at the emergency department or directly to a bed pool. A share of ED attendances is admitted: after the time to a decision to admit (DTA) they ask their route's pool for a bed. A free bed is taken at once; otherwise the patient waits in the pool's first-come-first-served queue (boarding in ED), or is diverted if the pool diverts when full. Each patient's length of stay is drawn on arrival; when it ends the patient is discharged according to the discharge policy, and a freed bed goes to the first patient waiting. At the same instant a discharge happens before a bed request, and bed requests before arrivals." } "\n"
        @if model.ed.as_ref().is_some_and(|e| e.capacity.is_some()) {
            p { "The emergency department has a limited number of treatment spaces. Every attendance waits for one (ambulance arrivals are handed over before walk-ins; walk-ins streamed to minors wait for a minors space), and the time to a decision, or to leaving for patients not admitted, runs from getting the space. An admitted patient without a bed keeps the space (exit block), so everyone else waits longer; when someone is waiting for a space and a corridor place is free, the admitted patient who has waited longest in a space moves to the corridor. Leaving ED for a bed stops the 4-hour clock; the corridor does not. Not modelled: triage beyond ambulance and walk-in, transfer time to the ward; clinicians only where the inputs give a rota." }
            @if model.ed.as_ref().and_then(|e| e.capacity.as_ref()).is_some_and(|c| c.patience_hours.is_some()) {
                p { "Walk-ins who will not be admitted leave without being seen if their patience (below) runs out before they get a space." }
            }
            "\n"
        }
        (inputs(model))
        (escalation_rules(model))
        p { strong { "Discharge." } " " (discharge) } "\n"
        p {
            strong { "Calendar." } " Bank holidays: " (model.calendar.region.name()) " built-in dates"
            @if extra { " plus extra holidays" }
            ". In the reported period: " @if holidays.is_empty() { "none" } @else { (holidays.join(", ")) } "."
        } "\n"
        h3 { "4. Outputs" } "\n"
        p { "Midnight occupancy is the census at the midnight ending each day. ED measures are counted by day of arrival; within 4 hours means at most 4 hours from arrival to leaving ED (admitted patients leave ED when they get a bed). Bed waits run from the decision to admit (or arrival, for direct admissions) to getting a bed. Confidence intervals are Student-t 95% intervals of the mean across replications; P10, P50 and P90 are percentiles across replications (Excel's PERCENTILE.INC). Full tables: " code { "summary.csv" } ", " code { "daily.csv" } ", " code { "replications.csv" } "." } "\n"
        h3 { "5. Experimentation" } "\n"
        p {
            (info.replications) " replications, seed " (info.seed) ". Each replication simulates " (model.warmup_days)
            " warm-up days before " (model.start.format("%-d %b %Y")) " (not reported), the reported period to "
            (model.end.format("%-d %b %Y")) ", then two cool-down days so that the last day's attendances finish their ED journey. Every replication and random source has its own random stream, so scenarios run with the same seed see the same arrivals and stays (common random numbers)."
        } "\n"
        h3 { "6. Implementation" } "\n"
        p {
            "bedflow " (info.bedflow_version) " (Rust), discrete-event simulation in integer seconds; events ordered by time, then same-instant rank, then scheduling order; ChaCha8 random streams. Scenario "
            code { (info.scenario_path) } ", SHA-256 " code { (info.scenario_sha256) } "."
        } "\n"
    }
}

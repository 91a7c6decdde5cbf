//! Electives: `[[specialty]]` waiting lists, `[[theatre_list]]` sessions and
//! `[[elective_cut]]`s.

use super::*;

pub(super) fn read_specialty(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str) -> Option<Specialty> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &[
            "name",
            "waiting_list",
            "initial_wait_weeks",
            "referrals_per_week",
            "urgent_share",
            "inpatient_share",
            "stay_days",
        ],
    );
    let name = read_name(cx, t);
    let initial = t.int_req(cx, "waiting_list", 0, 1_000_000, "a whole number of patients between 0 and 1000000");
    let initial_wait = if t.has("initial_wait_weeks") {
        dist_req(cx, t, "initial_wait_weeks")
    } else {
        Some(Distribution::Uniform { min: 0.0, max: 18.0 })
    };
    let referrals = t.f64_req(cx, "referrals_per_week", Rule::NonNegative);
    if let (Some(r), Some(v)) = (referrals, t.get("referrals_per_week"))
        && r > limits::MAX_PER_DAY * 7.0
    {
        cx.err(
            v.span(),
            t.field("referrals_per_week"),
            format!("expected at most {} a week", limits::MAX_PER_DAY * 7.0),
        );
        return None;
    }
    let urgent = t.f64_req(cx, "urgent_share", Rule::Probability);
    let inpatient = t.f64_req(cx, "inpatient_share", Rule::Probability);
    let stay = dist_req(cx, t, "stay_days");
    Some(Specialty {
        name: name?,
        initial_list: initial? as u32,
        initial_wait_weeks: initial_wait?,
        referrals_per_week: referrals?,
        urgent_share: urgent?,
        inpatient_share: inpatient?,
        stay_days: stay?,
    })
}

/// Looks a name up among `names`, reporting an unknown one with the known list.
pub(super) fn lookup(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, kind: &str, names: &[Option<&str>]) -> Option<usize> {
    let (s, span) = t.str_req(cx, key, &format!("the name of a [[{kind}]]"))?;
    let found = names.iter().position(|p| *p == Some(s));
    if found.is_none() && names.iter().all(|p| p.is_some()) {
        let known = names.iter().flatten().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
        let known =
            if known.is_empty() { "none are defined".to_string() } else { format!("the [[{kind}]] names are {known}") };
        cx.err(span, t.field(key), format!("unknown {kind} \"{s}\"; {known}"));
    }
    found
}

pub(super) fn read_theatre_list(
    cx: &mut Ctx<'_>,
    v: &Val<'_>,
    path: &str,
    specialties: &[Option<&str>],
    pools: &[Option<&str>],
) -> Option<TheatreList> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &["specialty", "pool", "weekdays", "lists_per_day", "cases_per_list", "start_hour", "open_on_bank_holidays"],
    );
    let specialty = lookup(cx, t, "specialty", "specialty", specialties);
    let pool = lookup(cx, t, "pool", "pool", pools);
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let weekdays = match t.array_req(cx, "weekdays", "a list of days such as [\"Mon\", \"Wed\", \"Fri\"]") {
        None => None,
        Some((items, span)) => {
            let mut days = [false; 7];
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let field = format!("{}[{}]", t.field("weekdays"), i + 1);
                match item.get_ref() {
                    toml::de::DeValue::String(s) if DAYS.contains(&s.as_ref()) => {
                        days[DAYS.iter().position(|d| *d == s.as_ref()).unwrap_or(0)] = true;
                    }
                    _ => {
                        cx.err(
                            item.span(),
                            field,
                            "expected a day: one of \"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"",
                        );
                        ok = false;
                    }
                }
            }
            if ok && !days.contains(&true) {
                cx.err(span, t.field("weekdays"), "expected at least one day");
                ok = false;
            }
            ok.then_some(days)
        }
    };
    let lists = t.int_req(cx, "lists_per_day", 1, 100, "a whole number of lists a day between 1 and 100");
    let cases = t.int_req(cx, "cases_per_list", 1, 100, "a whole number of cases between 1 and 100");
    let start = t.int_req(cx, "start_hour", 0, 23, "an hour between 0 and 23");
    let open = t.bool_or(cx, "open_on_bank_holidays", false);
    Some(TheatreList {
        specialty: specialty?,
        pool: pool?,
        weekdays: weekdays?,
        lists_per_day: lists? as u32,
        cases_per_list: cases? as u32,
        start_hour: start? as u32,
        open_on_bank_holidays: open?,
    })
}

pub(super) fn read_elective_cut(
    cx: &mut Ctx<'_>,
    v: &Val<'_>,
    path: &str,
    specialties: &[Option<&str>],
) -> Option<ElectiveCut> {
    let t = as_table(cx, v, path)?;
    t.check_keys(cx, &["from", "to", "factor", "specialty"]);
    let range = t.date_range(cx);
    let factor = t.f64_req(cx, "factor", Rule::Probability);
    let specialty =
        if t.has("specialty") { lookup(cx, t, "specialty", "specialty", specialties).map(Some) } else { Some(None) };
    let (from, to) = range?;
    Some(ElectiveCut { from, to, factor: factor?, specialty: specialty? })
}

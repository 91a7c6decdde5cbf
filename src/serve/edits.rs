//! The levers a scenario offers the page, and the page's changes written
//! as a child scenario: the text a planner downloads, and the text the
//! server validates and runs (one text, so what runs is what is saved).

use crate::model::Model;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the form shows for one scenario: every lever with its base value.
#[derive(Debug, Serialize)]
pub struct Levers {
    /// The scenario file, as listed.
    pub file: String,
    /// Its `[scenario] name`.
    pub name: String,
    /// First and last reported day (the dated bed change must fall between them).
    pub start: String,
    /// Last reported day.
    pub end: String,
    /// The scenario's replications.
    pub replications: u32,
    /// The most replications a run here may ask for.
    pub max_replications: u32,
    /// Main ED treatment spaces, when the scenario models them.
    pub ed_spaces: Option<u32>,
    /// Every bed pool, in scenario order.
    pub pools: Vec<PoolLevers>,
    /// Discharge pathways with a daily capacity (`starts_per_day`), in scenario order.
    pub pathways: Vec<PathwayLevers>,
    /// What the base's own plan costs a day, GBP (0 without a `[plan]`).
    pub plan_cost_per_day: f64,
    /// Shared escalation wards (`[[escalation_ward]]`), in scenario order.
    pub wards: Vec<WardLevers>,
}

/// A shared escalation ward's levers (messages name `escalation_ward[N].FIELD`).
#[derive(Debug, Serialize)]
pub struct WardLevers {
    /// Its 1-based place among the `[[escalation_ward]]` blocks.
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Its escalation levers (the ward's fields are the same as a pool's `[pool.escalation]`).
    pub escalation: EscalationLevers,
}

/// One discharge pathway's lever: its starts a day, Monday to Sunday.
#[derive(Debug, Serialize)]
pub struct PathwayLevers {
    /// Its 1-based place among the `[[pathway]]` blocks (messages name `pathway[N].starts_per_day`).
    pub number: usize,
    /// Its name (P1, P2...).
    pub name: String,
    /// Starts a day, Monday first.
    pub starts_per_day: [u32; 7],
}

/// One pool's levers.
#[derive(Debug, Serialize)]
pub struct PoolLevers {
    /// Its 1-based place among the `[[pool]]` blocks: messages name fields `pool[N].beds`.
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Core beds.
    pub beds: u32,
    /// The dated bed changes the scenario already has: (from, to or "", beds).
    pub dated: Vec<(String, String, u32)>,
    /// Escalation levers, when the pool has escalation beds.
    pub escalation: Option<EscalationLevers>,
}

/// A pool's (or a shared ward's) escalation levers.
#[derive(Debug, Serialize)]
pub struct EscalationLevers {
    /// Escalation beds at most.
    pub max_beds: u32,
    /// Occupancy at which a bed meeting opens them.
    pub open_at_occupancy: f64,
    /// The cost field the scenario uses: `nurse_hourly_cost` with staffing, else `cost_per_open_bed_day`.
    pub cost_field: &'static str,
    /// Its value, GBP.
    pub cost: f64,
}

impl EscalationLevers {
    fn of(e: &crate::model::Escalation) -> EscalationLevers {
        let (cost_field, cost) = match &e.cost.staffing {
            Some(s) => ("nurse_hourly_cost", s.nurse_hourly_cost),
            None => ("cost_per_open_bed_day", e.cost.per_open_bed_day),
        };
        EscalationLevers { max_beds: e.max_beds, open_at_occupancy: e.open_at_occupancy, cost_field, cost }
    }
}

impl Levers {
    /// The levers of `model`, read from file `file`.
    pub fn of(file: &str, model: &Model, max_replications: u32) -> Levers {
        Levers {
            file: file.to_string(),
            name: model.name.clone(),
            start: model.start.to_string(),
            end: model.end.to_string(),
            replications: model.replications,
            max_replications,
            ed_spaces: model.ed.as_ref().and_then(|e| e.capacity.as_ref()).map(|c| c.spaces),
            // Shared escalation wards (`[[escalation_ward]]`) are not `[[pool]]`s: not offered.
            pools: model
                .pools
                .iter()
                .enumerate()
                .filter(|(_, p)| !p.is_escalation_ward())
                .map(|(i, p)| PoolLevers {
                    number: i + 1,
                    name: p.name.clone(),
                    beds: p.beds,
                    dated: p
                        .capacity
                        .iter()
                        .map(|c| (c.from.to_string(), c.to.map(|d| d.to_string()).unwrap_or_default(), c.beds))
                        .collect(),
                    escalation: p.escalation.as_ref().map(EscalationLevers::of),
                })
                .collect(),
            pathways: model
                .pathways
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    p.starts_per_day.map(|starts| PathwayLevers {
                        number: i + 1,
                        name: crate::model::PATHWAY_NAMES.get(p.index).copied().unwrap_or("?").to_string(),
                        starts_per_day: starts,
                    })
                })
                .collect(),
            plan_cost_per_day: model.plan.as_ref().map_or(0.0, |p| p.cost_per_day),
            wards: model
                .pools
                .iter()
                .filter(|p| p.is_escalation_ward())
                .enumerate()
                .filter_map(|(i, p)| {
                    p.escalation.as_ref().map(|e| WardLevers {
                        number: i + 1,
                        name: p.name.clone(),
                        escalation: EscalationLevers::of(e),
                    })
                })
                .collect(),
        }
    }
}

/// The page's changes to a scenario: only what the planner changed. Values
/// are as typed (a string or a number); the scenario checker judges them,
/// so a wrong value gets `check`'s message, naming its field.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Edits {
    /// The base scenario's file name, from the listing.
    pub scenario: String,
    /// Replications.
    #[serde(default)]
    pub replications: Option<Value>,
    /// Main ED treatment spaces.
    #[serde(default)]
    pub ed_spaces: Option<Value>,
    /// Changes to pools, by name.
    #[serde(default)]
    pub pools: Vec<PoolEdit>,
    /// Changes to discharge pathways, by name.
    #[serde(default)]
    pub pathways: Vec<PathwayEdit>,
    /// What the plan itself costs a day, GBP (`[plan] cost_per_day`).
    #[serde(default)]
    pub plan_cost_per_day: Option<Value>,
    /// The first day that cost is paid (`[plan] from`).
    #[serde(default)]
    pub plan_from: Option<Value>,
    /// Changes to shared escalation wards, by name.
    #[serde(default)]
    pub wards: Vec<WardEdit>,
}

/// The changes to one shared escalation ward.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WardEdit {
    /// The ward's name, as listed.
    pub name: String,
    /// Escalation beds at most.
    #[serde(default)]
    pub max_beds: Option<Value>,
    /// Occupancy (of the pools it serves) at which it opens.
    #[serde(default)]
    pub open_at_occupancy: Option<Value>,
    /// Its cost (the field the scenario uses, see [`EscalationLevers::cost_field`]).
    #[serde(default)]
    pub cost: Option<Value>,
}

/// The change to one discharge pathway.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PathwayEdit {
    /// The pathway's name, as listed.
    pub name: String,
    /// Starts a day, Monday to Sunday, as typed ("16, 16, 16, 16, 16, 11, 9").
    #[serde(default)]
    pub starts_per_day: Option<Value>,
}

/// The changes to one pool.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PoolEdit {
    /// The pool's name, as listed.
    pub name: String,
    /// Core beds.
    #[serde(default)]
    pub beds: Option<Value>,
    /// A dated bed change: its first day...
    #[serde(default)]
    pub from: Option<Value>,
    /// ...and the core beds from that day to the end.
    #[serde(default)]
    pub beds_from: Option<Value>,
    /// Escalation beds at most.
    #[serde(default)]
    pub max_beds: Option<Value>,
    /// Occupancy at which escalation beds open.
    #[serde(default)]
    pub open_at_occupancy: Option<Value>,
    /// The escalation cost (the field the scenario uses, see [`EscalationLevers::cost_field`]).
    #[serde(default)]
    pub cost: Option<Value>,
}

/// A value as a TOML literal: numbers as numbers, anything else as a
/// quoted string (so the checker says what it expected); `None` for an
/// empty field (unchanged).
fn literal(v: &Option<Value>) -> Option<String> {
    match v.as_ref()? {
        Value::Null => None,
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            // Plain decimal numbers go in bare, written as TOML writes them
            // ("0400" as 400, "-.5" as -0.5); anything else ("1e3", "inf",
            // "0x10", "lots") is quoted, so the checker names the field.
            let plain = s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
            if plain && let Ok(i) = s.parse::<i64>() {
                return Some(i.to_string());
            }
            match s.parse::<f64>() {
                Ok(v) if plain && v.is_finite() => Some(format!("{v:?}")),
                _ => Some(quoted(s)),
            }
        }
        other => Some(quoted(&other.to_string())),
    }
}

/// A list typed as "16, 16, 11" (or an array) as a TOML array when every
/// element is a plain number; otherwise a quoted string, so the checker
/// says what it expected. `None` for an empty field.
fn array_literal(v: &Option<Value>) -> Option<String> {
    let items: Vec<Option<String>> = match v.as_ref()? {
        Value::Array(a) => a.iter().map(|x| literal(&Some(x.clone()))).collect(),
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s
            .split([',', ' ', ';'])
            .filter(|x| !x.is_empty())
            .map(|x| literal(&Some(Value::String(x.into()))))
            .collect(),
        _ => return literal(v),
    };
    let plain: Option<Vec<String>> = items.into_iter().map(|x| x.filter(|x| !x.starts_with('"'))).collect();
    match plain {
        Some(items) => Some(format!("[{}]", items.join(", "))),
        None => literal(v),
    }
}

/// A value as a planner typed it: its literal without the quotes (for
/// dates and messages). `None` for an empty field.
fn text(v: &Option<Value>) -> Option<String> {
    literal(v).map(|s| s.trim_matches('"').to_string())
}

/// `key = value` lines for the fields given, in order (`None` fields left out).
fn settings(fields: &[(&str, &Option<Value>)]) -> Vec<String> {
    fields.iter().filter_map(|(k, v)| literal(v).map(|v| format!("{k} = {v}\n"))).collect()
}

/// The escalation cost field of `e` (a pool's or a shared ward's), as
/// [`EscalationLevers::of`] names it; `cost_per_open_bed_day` without escalation.
fn cost_field(e: Option<&crate::model::Escalation>) -> &'static str {
    e.map_or("cost_per_open_bed_day", |e| EscalationLevers::of(e).cost_field)
}

/// An occupancy trigger above 1 at `field`: a percentage typed as a number
/// (escalation would never open).
fn share_problem(field: String, v: &Option<Value>) -> Option<(String, String)> {
    let v = literal(v)?.parse::<f64>().ok().filter(|v| *v > 1.0)?;
    Some((field, format!("a share of beds between 0 and 1 (0.95 means 95%), not {v}")))
}

/// A date as TOML text: always a quoted string (a bare number is not a date,
/// and the checker says so by field).
fn date_literal(lit: &str) -> String {
    if lit.starts_with('"') { lit.to_string() } else { quoted(lit) }
}

/// `s` as a TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

impl Edits {
    /// The child scenario: `extends` the base file, named `name`, with only
    /// the changed fields. `base` is the base model (for the cost field).
    pub fn child_text(&self, base: &Model, name: &str) -> String {
        let mut t = String::new();
        t.push_str("# A plan edited in `bedflow serve`. Save it beside the scenario it extends; then\n");
        t.push_str("#   bedflow check THIS-FILE    and    bedflow compare BASE THIS-FILE\n");
        t.push_str(&format!("extends = {}\n\n[scenario]\nname = {}\n", quoted(&self.scenario), quoted(name)));
        if let Some(r) = literal(&self.replications) {
            t.push_str(&format!("replications = {r}\n"));
        }
        // The plan's description (shown by `compare`), and its cost when
        // given; a `[plan]` needs a cost, so 0 unless the base has one.
        t.push_str(&format!("\n[plan]\ndescription = {}\n", quoted(&self.describe())));
        match literal(&self.plan_cost_per_day) {
            Some(c) => t.push_str(&format!("cost_per_day = {c}\n")),
            None if base.plan.is_none() => t.push_str("cost_per_day = 0\n"),
            None => {}
        }
        if let Some(f) = literal(&self.plan_from).or_else(|| self.cost_follows_change()) {
            t.push_str(&format!("from = {}\n", date_literal(&f)));
        }
        if let Some(s) = literal(&self.ed_spaces) {
            t.push_str(&format!("\n[ed]\nspaces = {s}\n"));
        }
        for p in &self.pools {
            let lines = settings(&[("beds", &p.beds)]);
            let dated = (literal(&p.from), literal(&p.beds_from));
            let cost = cost_field(base.pools.iter().find(|q| q.name == p.name).and_then(|q| q.escalation.as_ref()));
            let escalation =
                settings(&[("max_beds", &p.max_beds), ("open_at_occupancy", &p.open_at_occupancy), (cost, &p.cost)]);
            if lines.is_empty() && dated == (None, None) && escalation.is_empty() {
                continue;
            }
            t.push_str(&format!("\n[[pool]]\nname = {}\n", quoted(&p.name)));
            t.extend(lines);
            if dated != (None, None) {
                t.push_str("[[pool.capacity]]\n");
                // A missing half is written empty, so the checker names it.
                t.push_str(&format!("from = {}\n", dated.0.map_or_else(|| quoted(""), |d| date_literal(&d))));
                t.push_str(&format!("beds = {}\n", dated.1.unwrap_or_else(|| quoted(""))));
            }
            if !escalation.is_empty() {
                t.push_str("[pool.escalation]\n");
                t.extend(escalation);
            }
        }
        for w in &self.wards {
            let ward = base.pools.iter().find(|q| q.name == w.name && q.is_escalation_ward());
            let cost = cost_field(ward.and_then(|q| q.escalation.as_ref()));
            let lines =
                settings(&[("max_beds", &w.max_beds), ("open_at_occupancy", &w.open_at_occupancy), (cost, &w.cost)]);
            if !lines.is_empty() {
                t.push_str(&format!("\n[[escalation_ward]]\nname = {}\n", quoted(&w.name)));
                t.extend(lines);
            }
        }
        for p in &self.pathways {
            if let Some(starts) = array_literal(&p.starts_per_day) {
                t.push_str(&format!("\n[[pathway]]\nname = {}\nstarts_per_day = {starts}\n", quoted(&p.name)));
            }
        }
        t
    }

    /// Problems the scenario checker would not call problems but a planner
    /// would (field, message): a pool or pathway the scenario does not have,
    /// half a dated change, a date outside the reported period (the change
    /// would do nothing, or act in the warm-up), an occupancy above 1 (a
    /// percentage typed as a number: escalation would never open).
    pub fn problems(&self, base: &Model) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let (start, end) = (base.start, base.end);
        let within = |field: String, d: &str, what: &str, out: &mut Vec<(String, String)>| {
            if let Ok(day) = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                && !(start..=end).contains(&day)
            {
                out.push((
                    field,
                    format!("{what} must fall within the scenario's period, {start} to {end}; {d} does not"),
                ));
            }
        };
        for p in &self.pools {
            let Some(i) = base.pools.iter().position(|q| q.name == p.name && !q.is_escalation_ward()) else {
                out.push(("pools".into(), format!("this scenario has no pool named \"{}\"", p.name)));
                continue;
            };
            let n = i + 1;
            match (text(&p.from), literal(&p.beds_from)) {
                (Some(d), Some(_)) => within(format!("pool[{n}].capacity[1].from"), &d, "the change", &mut out),
                (Some(_), None) => out.push((
                    format!("pool[{n}].capacity[1].beds"),
                    "give the total core beds from that date (not the change: 140, not +20)".into(),
                )),
                (None, Some(_)) => {
                    out.push((format!("pool[{n}].capacity[1].from"), "give the date the change starts".into()))
                }
                (None, None) => {}
            }
            out.extend(share_problem(format!("pool[{n}].escalation.open_at_occupancy"), &p.open_at_occupancy));
        }
        for w in &self.wards {
            let number = base.pools.iter().filter(|q| q.is_escalation_ward()).position(|q| q.name == w.name);
            let Some(k) = number else {
                out.push(("wards".into(), format!("this scenario has no escalation ward named \"{}\"", w.name)));
                continue;
            };
            out.extend(share_problem(format!("escalation_ward[{}].open_at_occupancy", k + 1), &w.open_at_occupancy));
        }
        for p in &self.pathways {
            if !base.pathways.iter().any(|q| crate::model::PATHWAY_NAMES.get(q.index) == Some(&p.name.as_str())) {
                out.push(("pathways".into(), format!("this scenario has no pathway named \"{}\"", p.name)));
            }
        }
        if let Some(d) = self.paid_from() {
            within("plan.from".into(), &d, "the day the plan's cost starts", &mut out);
        }
        out
    }

    /// With a plan cost but no day it starts: the day of the dated bed
    /// change, when every changed pool changes on the same day (the beds
    /// are paid from when they open, not from the start of the winter).
    fn cost_follows_change(&self) -> Option<String> {
        literal(&self.plan_cost_per_day)?;
        let mut days = self.pools.iter().filter_map(|p| literal(&p.from));
        let first = days.next()?;
        days.all(|d| d == first).then_some(first)
    }

    /// The day the plan's cost starts, as typed: given, or the bed change's.
    fn paid_from(&self) -> Option<String> {
        text(&self.plan_from).or_else(|| self.cost_follows_change().map(|d| d.trim_matches('"').to_string()))
    }

    /// The changes in a planner's words, for the list of plans tried.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for p in &self.pools {
            if let Some(b) = text(&p.beds) {
                parts.push(format!("{}: {b} beds", p.name));
            }
            if let (Some(f), Some(b)) = (text(&p.from), text(&p.beds_from)) {
                parts.push(format!("{}: {b} beds from {f}", p.name));
            }
            if let Some(b) = text(&p.max_beds) {
                parts.push(format!("{}: up to {b} escalation beds", p.name));
            }
            if let Some(b) = text(&p.open_at_occupancy) {
                parts.push(format!("{}: escalation opens at {b} occupancy", p.name));
            }
            if let Some(b) = text(&p.cost) {
                parts.push(format!("{}: escalation cost {b}", p.name));
            }
        }
        for w in &self.wards {
            if let Some(b) = text(&w.max_beds) {
                parts.push(format!("{}: up to {b} beds", w.name));
            }
            if let Some(b) = text(&w.open_at_occupancy) {
                parts.push(format!("{}: opens at {b} occupancy", w.name));
            }
            if let Some(b) = text(&w.cost) {
                parts.push(format!("{}: cost {b}", w.name));
            }
        }
        for p in &self.pathways {
            if let Some(starts) = array_literal(&p.starts_per_day) {
                parts.push(format!("{} starts a day {}", p.name, starts.trim_matches(['[', ']', '"'])));
            }
        }
        if let Some(s) = text(&self.ed_spaces) {
            parts.push(format!("ED: {s} spaces"));
        }
        if let Some(c) = text(&self.plan_cost_per_day) {
            match self.paid_from() {
                Some(f) => parts.push(format!("costs GBP {c} a day from {f}")),
                None => parts.push(format!("costs GBP {c} a day")),
            }
        }
        if let Some(r) = text(&self.replications) {
            parts.push(format!("{r} replications"));
        }
        if parts.is_empty() { "no change (the base itself)".to_string() } else { parts.join("; ") }
    }
}

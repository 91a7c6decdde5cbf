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

/// A pool's escalation levers.
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
            pools: model
                .pools
                .iter()
                .enumerate()
                .map(|(i, p)| PoolLevers {
                    number: i + 1,
                    name: p.name.clone(),
                    beds: p.beds,
                    dated: p
                        .capacity
                        .iter()
                        .map(|c| (c.from.to_string(), c.to.map(|d| d.to_string()).unwrap_or_default(), c.beds))
                        .collect(),
                    escalation: p.escalation.as_ref().map(|e| {
                        let (cost_field, cost) = match &e.cost.staffing {
                            Some(s) => ("nurse_hourly_cost", s.nurse_hourly_cost),
                            None => ("cost_per_open_bed_day", e.cost.per_open_bed_day),
                        };
                        EscalationLevers {
                            max_beds: e.max_beds,
                            open_at_occupancy: e.open_at_occupancy,
                            cost_field,
                            cost,
                        }
                    }),
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
            let number = s.parse::<i64>().is_ok() || s.parse::<f64>().is_ok_and(f64::is_finite);
            // Only plain decimal numbers go in bare ("1e3", "inf" and "0x10" are quoted).
            let plain = s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-');
            Some(if number && plain && !s.starts_with('.') && !s.ends_with('.') { s.to_string() } else { quoted(s) })
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
        if let Some(s) = literal(&self.ed_spaces) {
            t.push_str(&format!("\n[ed]\nspaces = {s}\n"));
        }
        for p in &self.pools {
            let lines: Vec<String> =
                [("beds", &p.beds)].iter().filter_map(|(k, v)| literal(v).map(|v| format!("{k} = {v}\n"))).collect();
            let dated = (literal(&p.from), literal(&p.beds_from));
            let cost_field = base.pools.iter().find(|q| q.name == p.name).and_then(|q| q.escalation.as_ref()).map_or(
                "cost_per_open_bed_day",
                |e| {
                    if e.cost.staffing.is_some() { "nurse_hourly_cost" } else { "cost_per_open_bed_day" }
                },
            );
            let escalation: Vec<String> =
                [("max_beds", &p.max_beds), ("open_at_occupancy", &p.open_at_occupancy), (cost_field, &p.cost)]
                    .iter()
                    .filter_map(|(k, v)| literal(v).map(|v| format!("{k} = {v}\n")))
                    .collect();
            if lines.is_empty() && dated == (None, None) && escalation.is_empty() {
                continue;
            }
            t.push_str(&format!("\n[[pool]]\nname = {}\n", quoted(&p.name)));
            t.extend(lines);
            if dated != (None, None) {
                t.push_str("[[pool.capacity]]\n");
                // A missing half is written empty, so the checker names it.
                t.push_str(&format!("from = {}\n", dated.0.unwrap_or_else(|| quoted(""))));
                t.push_str(&format!("beds = {}\n", dated.1.unwrap_or_else(|| quoted(""))));
            }
            if !escalation.is_empty() {
                t.push_str("[pool.escalation]\n");
                t.extend(escalation);
            }
        }
        for p in &self.pathways {
            if let Some(starts) = array_literal(&p.starts_per_day) {
                t.push_str(&format!("\n[[pathway]]\nname = {}\nstarts_per_day = {starts}\n", quoted(&p.name)));
            }
        }
        t
    }

    /// The changes in a planner's words, for the list of plans tried.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let text = |v: &Option<Value>| literal(v).map(|s| s.trim_matches('"').to_string());
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
        for p in &self.pathways {
            if let Some(starts) = array_literal(&p.starts_per_day) {
                parts.push(format!("{} starts a day {}", p.name, starts.trim_matches(['[', ']', '"'])));
            }
        }
        if let Some(s) = text(&self.ed_spaces) {
            parts.push(format!("ED: {s} spaces"));
        }
        if let Some(r) = text(&self.replications) {
            parts.push(format!("{r} replications"));
        }
        if parts.is_empty() { "no change (the base itself)".to_string() } else { parts.join("; ") }
    }
}

//! Distributions (`{ dist = "lognormal", mean, sd }` and the others) and the
//! span lookup their errors use.

use super::*;

/// A required distribution, e.g. `{ dist = "lognormal", mean = 6.5, sd = 8.0 }`.
pub(super) fn dist_req(cx: &mut Ctx<'_>, parent: Tbl<'_, '_>, key: &str) -> Option<Distribution> {
    let path = parent.field(key);
    let Some(t) = parent.table(cx, key, &path) else {
        if !parent.has(key) {
            parent.missing(cx, key, "a distribution such as { dist = \"lognormal\", mean = 6.5, sd = 8.0 }");
        }
        return None;
    };
    const KINDS: [&str; 7] = ["exponential", "lognormal", "gamma", "weibull", "fixed", "uniform", "empirical"];
    let kind = match t.get("dist") {
        None => {
            t.missing(cx, "dist", "one of exponential, lognormal, gamma, weibull, fixed, uniform, empirical");
            return None;
        }
        Some(_) => t.choice(cx, "dist", &KINDS)?.0,
    };
    let d = match kind {
        "exponential" => {
            t.check_keys(cx, &["dist", "mean"]);
            Distribution::Exponential { mean: t.f64_req(cx, "mean", Rule::Positive)? }
        }
        "lognormal" | "gamma" => {
            t.check_keys(cx, &["dist", "mean", "sd"]);
            let mean = t.f64_req(cx, "mean", Rule::Positive);
            let sd = t.f64_req(cx, "sd", Rule::Positive);
            if kind == "gamma" {
                Distribution::Gamma { mean: mean?, sd: sd? }
            } else {
                Distribution::LogNormal { mean: mean?, sd: sd? }
            }
        }
        "weibull" => {
            t.check_keys(cx, &["dist", "shape", "scale"]);
            let shape = t.f64_req(cx, "shape", Rule::Positive);
            let scale = t.f64_req(cx, "scale", Rule::Positive);
            Distribution::Weibull { shape: shape?, scale: scale? }
        }
        "fixed" => {
            t.check_keys(cx, &["dist", "value"]);
            Distribution::Fixed { value: t.f64_req(cx, "value", Rule::NonNegative)? }
        }
        "uniform" => {
            t.check_keys(cx, &["dist", "min", "max"]);
            let min = t.f64_req(cx, "min", Rule::NonNegative);
            let max = t.f64_req(cx, "max", Rule::NonNegative);
            Distribution::Uniform { min: min?, max: max? }
        }
        _ => {
            t.check_keys(cx, &["dist", "values"]);
            let (items, _) = t.array_req(cx, "values", "a list of observed values, e.g. [1.0, 2.5, 4.0]")?;
            let vals: Option<Vec<f64>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| number(cx, v, &format!("{path}.values[{}]", i + 1), Rule::NonNegative))
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            Distribution::Empirical { values: vals? }
        }
    };
    if let Err(msg) = d.validate() {
        cx.err(t.span(), path, msg);
        return None;
    }
    Some(d)
}

/// The span of `root.table[index].key` (or of the table itself when `key`
/// is empty), `0..0` if absent.
pub(super) fn span_in(root: Tbl<'_, '_>, table: &str, index: Option<usize>, key: &str) -> std::ops::Range<usize> {
    let Some(v) = root.get(table) else { return 0..0 };
    let v = match (index, v.get_ref()) {
        (Some(i), toml::de::DeValue::Array(a)) => match a.get(i) {
            Some(v) => v,
            None => return v.span(),
        },
        _ => v,
    };
    match v.get_ref() {
        toml::de::DeValue::Table(t) if !key.is_empty() => t.get(key).map_or_else(|| v.span(), |k| k.span()),
        _ => v.span(),
    }
}

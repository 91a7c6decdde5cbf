//! Numbers as planners read them: percentages, pounds with thousands
//! separators, whole counts, signed differences, and never "-0".

/// `x` to `decimals` places, without the minus sign of a value that rounds
/// to zero ("-0.0" reads as a loss where there is none).
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// 12345.6 -> "12,345.6" so counts read easily.
pub fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// How a measure is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share, shown as a percentage; differences in percentage points.
    Share,
    /// A count, shown whole.
    Count,
    /// A mean of a count or a time, to one decimal place.
    Tenths,
    /// Pounds, whole.
    Money,
}

impl Unit {
    /// A level (a mean) in this unit: `95.9%`, `4,321`, `£1,234,567`.
    pub fn level(self, x: f64) -> String {
        if !x.is_finite() {
            return "-".into();
        }
        match self {
            Unit::Share => format!("{}%", fixed(100.0 * x, 1)),
            Unit::Count => group_thousands(&fixed(x, 0)),
            Unit::Tenths => group_thousands(&fixed(x, 1)),
            Unit::Money => pounds(x),
        }
    }

    /// A difference in this unit, always signed: `-1.6 pts`, `+120`,
    /// `-£218,157`; exactly 0 (or what rounds to it) is `0`.
    pub fn difference(self, x: f64) -> String {
        if !x.is_finite() {
            return "-".into();
        }
        let body = match self {
            // Under a point, two decimals, so a CI such as -0.08 to -0.01
            // does not read as 0.0 (nor a small count's as 0, below).
            Unit::Share if (100.0 * x).abs() < 0.95 => format!("{} pts", fixed(100.0 * x, 2)),
            Unit::Share => format!("{} pts", fixed(100.0 * x, 1)),
            // A small difference of counts keeps a decimal, so a CI such as
            // -3.5 to -0.5 does not read as touching 0.
            Unit::Count if x.abs() < 10.0 => fixed(x, 1),
            Unit::Count => group_thousands(&fixed(x, 0)),
            Unit::Tenths => group_thousands(&fixed(x, 1)),
            Unit::Money => pounds(x),
        };
        let zero = body.trim_start_matches('-').trim_start_matches('£').chars().all(|c| "0., pts".contains(c));
        if zero {
            match self {
                Unit::Share => "0 pts".into(),
                Unit::Money => "£0".into(),
                Unit::Count => "0".into(),
                Unit::Tenths => body,
            }
        } else if body.starts_with('-') {
            body
        } else {
            format!("+{body}")
        }
    }
}

/// Whole pounds with thousands grouped, the sign before the pound sign:
/// `£12,345`, `-£218,157`.
pub fn pounds(x: f64) -> String {
    let s = group_thousands(&fixed(x, 0));
    match s.strip_prefix('-') {
        Some(rest) => format!("-£{rest}"),
        None => format!("£{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_differences_read_as_planners_write_them() {
        assert_eq!(Unit::Share.level(0.9587), "95.9%");
        assert_eq!(Unit::Share.difference(-0.0163), "-1.6 pts");
        assert_eq!(Unit::Share.difference(0.061), "+6.1 pts");
        assert_eq!(Unit::Share.difference(-0.00001), "0 pts");
        assert_eq!(Unit::Share.difference(-0.0004), "-0.04 pts");
        assert_eq!(Unit::Count.level(4321.4), "4,321");
        assert_eq!(Unit::Count.difference(-660.2), "-660");
        assert_eq!(Unit::Count.difference(1234.0), "+1,234");
        assert_eq!(Unit::Count.difference(-0.2), "-0.2");
        assert_eq!(Unit::Count.difference(-0.04), "0");
        assert_eq!(Unit::Count.difference(-3.54), "-3.5");
        // The switches to fewer decimals, at their edges: 10 and 0.95 points.
        assert_eq!(Unit::Count.difference(10.0), "+10");
        assert_eq!(Unit::Count.difference(9.96), "+10.0");
        let edge = 0.95 / 100.0;
        assert_eq!(100.0 * edge, 0.95);
        assert!(
            Unit::Share.difference(edge).split(['.', ' ']).nth(1).is_some_and(|d| d.len() == 1),
            "one decimal at 0.95 points"
        );
        assert_eq!(Unit::Tenths.difference(-11.74), "-11.7");
        assert_eq!(Unit::Money.level(1_234_567.4), "£1,234,567");
        assert_eq!(Unit::Money.difference(-218_156.96), "-£218,157");
        assert_eq!(Unit::Money.difference(12_100.0), "+£12,100");
        assert_eq!(Unit::Money.difference(-0.3), "£0");
        assert_eq!(Unit::Count.level(f64::NAN), "-");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(group_thousands("-1234567.25"), "-1,234,567.25");
    }
}

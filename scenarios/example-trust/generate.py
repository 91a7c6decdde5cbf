#!/usr/bin/env python3
"""Writes the synthetic example extract of scenarios/example-trust/.

A made-up ~750-bed acute trust: a year (1 April 2025 to 31 March 2026) of ED
attendances and inpatient spells, in the CSV layouts `bedflow calibrate`
reads. It is clearly synthetic (no real patient is in it) and it does not use
bedflow's engine: it is a direct, patient-by-patient sampler written from the
mechanisms the README documents, with the true parameters below (also written
to truth.json), so tests can check that `calibrate` recovers them.

    python3 scenarios/example-trust/generate.py      # Python 3.8+, standard library only

What it simulates:
- ED attendances: Poisson counts per clock hour, at `ED_PER_DAY` a day shaped
  by clock hour, weekday, calendar month and bank holidays; a uniform minute
  inside the hour. Each attendance is admitted with `ADMISSION_PROBABILITY`;
  an admitted patient leaves ED (and takes a bed) after the time to decision,
  the others after their time in the department. Nothing queues: this trust
  never runs out of ED spaces or beds (the beds given to calibrate exceed the
  peak occupancy), so the stays in the extract are the true stays.
- Admission routes: ED admissions split by route; direct routes (GP referrals,
  surgical direct admissions) and elective admissions as Poisson counts per
  clock hour with their own profiles.
- Stays: the acute stay (admission to "ready", when the criteria to reside
  end) from each route's distribution; then a discharge pathway drawn with the
  pool's shares (P0 none; P1-P3 a delay in days); then the discharge time by
  the "profile" rules of bedflow's README: one review draw per patient (a
  weekend day lets them go only if it is below the weekend review share, a
  bank holiday the bank-holiday share) and one clock-time draw from the
  hour-of-day profile; the patient leaves on the first day they may go whose
  drawn time is not before they were ready (for P1-P3: ready plus the delay).
- Spells admitted from 1 January 2025 are simulated, so the hospital is full
  on 1 April 2025; spells still open at the end of 31 March 2026 have a blank
  `discharged` (and a blank `ready` and `pathway` if not yet ready).
- A few bad rows are planted, as real extracts have them (see BAD_ROWS).
"""
import bisect
import csv
import datetime as dt
import json
import math
import os
import random

SEED = 20250401
DATA_FROM = dt.date(2025, 4, 1)
DATA_TO = dt.date(2026, 3, 31)          # inclusive
SIM_FROM = dt.date(2025, 1, 1)          # spells only: fills the hospital before DATA_FROM

# England and Wales bank holidays in the period (gov.uk).
BANK_HOLIDAYS = {dt.date(*d) for d in [
    (2025, 1, 1), (2025, 4, 18), (2025, 4, 21), (2025, 5, 5), (2025, 5, 26), (2025, 8, 25),
    (2025, 12, 25), (2025, 12, 26), (2026, 1, 1), (2026, 4, 3), (2026, 4, 6)]}

ED_PER_DAY = 280.0
ED_HOUR = [2.2, 1.8, 1.5, 1.3, 1.2, 1.2, 1.5, 2.3, 3.6, 4.8, 5.4, 5.6,
           5.5, 5.3, 5.1, 5.0, 5.0, 4.9, 4.7, 4.5, 4.2, 3.7, 3.2, 2.6]
ED_WEEKDAY = [1.10, 1.02, 0.99, 0.98, 0.98, 0.95, 0.98]      # Monday first, mean 1
ED_BANK_HOLIDAY = 0.95
# Calendar-month factors on all emergency demand (ED and direct routes).
MONTH = {1: 1.06, 2: 1.03, 3: 1.00, 4: 0.97, 5: 1.00, 6: 1.01,
         7: 1.02, 8: 0.97, 9: 0.97, 10: 0.99, 11: 1.00, 12: 1.05}
ADMISSION_PROBABILITY = 0.27
AMBULANCE_SHARE = 0.33
HOURS_TO_DECISION = ("lognormal", 4.0, 2.5)       # admitted: arrival to leaving ED (mean, sd)
HOURS_IN_DEPARTMENT = ("lognormal", 2.5, 1.6)     # not admitted: arrival to leaving

# Routes: (name, source, share or per_day, pool, stay (family, a, b), hour weights, weekday weights, bank holiday factor)
# Stays in days: lognormal (mean, sd), gamma (mean, sd), weibull (shape, scale).
WORK_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0]
ROUTES = [
    ("medical (ED)", "ed", 0.62, "medicine", ("lognormal", 4.8, 7.5), None, None, None),
    ("frailty (ED)", "ed", 0.14, "care of older people", ("weibull", 0.85, 7.0), None, None, None),
    ("surgical (ED)", "ed", 0.24, "surgery", ("gamma", 3.8, 4.5), None, None, None),
    ("GP-referred medical", "direct", 12.0, "medicine", ("lognormal", 3.7, 5.5),
     WORK_HOURS, [1.4, 1.4, 1.4, 1.4, 1.4, 0.0, 0.0], 0.4),
    ("surgical direct", "direct", 6.0, "surgery", ("gamma", 3.5, 2.8), None, None, 1.0),
    ("elective orthopaedics", "elective", 6.0, "elective orthopaedics", ("lognormal", 3.8, 2.8),
     [0, 0, 0, 0, 0, 0, 0, 3, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
     [1.4, 1.4, 1.4, 1.4, 1.4, 0.0, 0.0], 0.0),
]
POOLS = {"medicine": 400, "care of older people": 140, "surgery": 160, "elective orthopaedics": 50}
PATHWAY_SHARES = {
    "medicine": {"P1": 0.10, "P2": 0.02, "P3": 0.01},
    "care of older people": {"P1": 0.30, "P2": 0.07, "P3": 0.03},
    "surgery": {"P1": 0.05, "P2": 0.01, "P3": 0.005},
    "elective orthopaedics": {"P1": 0.03, "P2": 0.0, "P3": 0.0},
}
PATHWAY_DELAY_DAYS = {"P1": ("lognormal", 2.5, 2.5), "P2": ("lognormal", 5.0, 4.0), "P3": ("lognormal", 9.0, 7.0)}
DISCHARGE_HOURS = [0.7, 0.5, 0.4, 0.3, 0.3, 0.4, 0.5, 0.8, 1.5, 2.5, 4.5, 6.5,
                   8.0, 9.0, 10.0, 11.0, 11.0, 10.0, 8.0, 6.0, 4.0, 2.4, 1.2, 0.9]
WEEKEND_REVIEW_SHARE = 0.75
BANK_HOLIDAY_REVIEW_SHARE = 0.85

# Planted bad rows (line numbers are in the written files): a few of each
# problem calibrate must count, report and skip.
BAD_ROWS = 5

rng = random.Random(SEED)


def draw(spec):
    family, a, b = spec
    if family == "lognormal":
        s2 = math.log(1 + (b / a) ** 2)
        return rng.lognormvariate(math.log(a) - s2 / 2, math.sqrt(s2))
    if family == "gamma":
        shape = (a / b) ** 2
        return rng.gammavariate(shape, a / shape)
    if family == "weibull":
        return rng.weibullvariate(b, a)
    raise ValueError(family)


def poisson(lam):
    # Knuth's method for small means, a normal approximation never needed here (means < 40).
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def days(a, b):
    d = a
    while d <= b:
        yield d
        d += dt.timedelta(days=1)


EPOCH = dt.datetime(2025, 1, 1)


def minutes(t):
    return (t - EPOCH).total_seconds() / 60.0


def stamp(m):
    return (EPOCH + dt.timedelta(minutes=int(m))).strftime("%Y-%m-%dT%H:%M")


def cumulative(weights):
    total, acc, out = sum(weights), 0.0, []
    for w in weights:
        acc += w / total
        out.append(acc)
    out[-1] = 1.0
    return out


DISCHARGE_CUM = cumulative(DISCHARGE_HOURS)


def time_of_day(u):
    """Minutes after midnight for a uniform u (bedflow's time_of_day)."""
    h = bisect.bisect_right(DISCHARGE_CUM, u)
    h = min(h, 23)
    below = DISCHARGE_CUM[h - 1] if h else 0.0
    frac = min(max((u - below) / (DISCHARGE_CUM[h] - below), 0.0), 1.0)
    return h * 60 + min(frac * 60.0, 59.99)


def leave_time(ready):
    """Discharge minute of a patient ready at minute `ready` (profile rules)."""
    review, hour = rng.random(), rng.random()
    day = int(ready // 1440)
    while True:
        date = EPOCH.date() + dt.timedelta(days=day)
        if date in BANK_HOLIDAYS:
            share = BANK_HOLIDAY_REVIEW_SHARE
        elif date.weekday() >= 5:
            share = WEEKEND_REVIEW_SHARE
        else:
            share = 1.0
        if review < share:
            t = day * 1440 + time_of_day(hour)
            if t >= ready:
                return t
        day += 1


def arrivals(per_day, hour_w, weekday_w, bh_factor, seasonal, start, end):
    """Arrival minutes of a Poisson stream over the days start..end."""
    hour_w = hour_w or [1.0] * 24
    total = sum(hour_w)
    weekday_w = weekday_w or [1.0] * 7
    out = []
    for date in days(start, end):
        rate = per_day * weekday_w[date.weekday()]
        if date in BANK_HOLIDAYS:
            rate *= bh_factor
        if seasonal:
            rate *= MONTH[date.month]
        base = minutes(dt.datetime.combine(date, dt.time()))
        for h in range(24):
            for _ in range(poisson(rate * hour_w[h] / total)):
                out.append(base + h * 60 + rng.random() * 60)
    out.sort()
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    end_minute = minutes(dt.datetime.combine(DATA_TO + dt.timedelta(days=1), dt.time()))
    spells = []   # (admitted, discharged|None, source, route, pool, ready|None, pathway|None)

    def admit(t, name, source, pool, stay):
        ready = t + draw(stay) * 1440
        u, acc, pathway = rng.random(), 0.0, "P0"
        for p in ("P1", "P2", "P3"):
            acc += PATHWAY_SHARES[pool][p]
            if u < acc:
                pathway = p
                break
        start = ready + (draw(PATHWAY_DELAY_DAYS[pathway]) * 1440 if pathway != "P0" else 0.0)
        out = leave_time(start)
        spells.append((t, out if out < end_minute else None, source, name, pool,
                       ready if ready < end_minute else None, pathway if ready < end_minute else None))

    # ED: attendances from DATA_FROM (for the attendance file) and, before it,
    # only the admissions they would have made (spells that fill the hospital).
    attendance_rows = []
    ed_routes = [r for r in ROUTES if r[1] == "ed"]
    for t in arrivals(ED_PER_DAY, ED_HOUR, ED_WEEKDAY, ED_BANK_HOLIDAY, True, SIM_FROM, DATA_TO):
        admitted = rng.random() < ADMISSION_PROBABILITY
        ambulance = rng.random() < AMBULANCE_SHARE
        spec = HOURS_TO_DECISION if admitted else HOURS_IN_DEPARTMENT
        leave = t + draw(spec) * 60
        if t >= minutes(dt.datetime.combine(DATA_FROM, dt.time())) and t < end_minute:
            attendance_rows.append((t, leave, admitted, ambulance))
        if admitted and leave < end_minute:
            u, acc = rng.random(), 0.0
            for name, _, share, pool, stay, *_ in ed_routes:
                acc += share
                if u < acc:
                    break
            admit(leave, name, "ed", pool, stay)
    for name, source, per_day, pool, stay, hour_w, weekday_w, bh in ROUTES:
        if source == "ed":
            continue
        for t in arrivals(per_day, hour_w, weekday_w, bh, source == "direct", SIM_FROM, DATA_TO):
            admit(t, name, source, pool, stay)

    # Keep spells overlapping the data period: admitted before its end and not
    # discharged before its start.
    start_minute = minutes(dt.datetime.combine(DATA_FROM, dt.time()))
    spells = [s for s in spells if s[0] < end_minute and (s[1] is None or s[1] > start_minute)]
    spells.sort(key=lambda s: s[0])

    bad = [  # planted problems, each BAD_ROWS times (on different days, so no two are duplicates)
        "X{k}a,not-a-date,2025-06-0{k}T10:00,1,walk-in",        # unparsable arrival
        "X{k}b,2025-06-0{k}T10:00,2025-06-0{k}T09:00,0,walk-in",  # leaves before arriving
        "X{k}c,2025-06-0{k}T10:00,2025-06-0{k}T12:00,maybe,walk-in",  # bad admitted flag
    ]
    with open(os.path.join(here, "attendances.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "arrival", "departure", "admitted", "arrival_mode"])
        for i, (t, leave, admitted, ambulance) in enumerate(attendance_rows):
            w.writerow([f"A{i + 1}", stamp(t), stamp(leave), 1 if admitted else 0, "ambulance" if ambulance else "walk-in"])
            if i % 20000 == 10000 and i // 20000 < BAD_ROWS:
                for b in bad:
                    f.write(b.format(k=i // 20000 + 1) + "\n")
    bad_spells = [
        "Y{k}a,2025-07-0{k}T10:00,2025-06-30T10:00,ed,medical (ED),medicine,,",   # discharged before admitted
        "Y{k}b,2025-07-0{k}T10:00,,ed,medical (ED),,,",                           # no pool
        "Y{k}c,2025-07-0{k}T25:00,,direct,surgical direct,surgery,,",             # unparsable time
    ]
    with open(os.path.join(here, "spells.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "admitted", "discharged", "source", "route", "pool", "ready", "pathway"])
        for i, (t, out, source, name, pool, ready, pathway) in enumerate(spells):
            row = [f"S{i + 1}", stamp(t), stamp(out) if out is not None else "", source, name, pool,
                   stamp(ready) if ready is not None else "", pathway or ""]
            w.writerow(row)
            if i % 8000 == 4000 and i // 8000 < BAD_ROWS:
                for b in bad_spells:
                    f.write(b.format(k=i // 8000 + 1) + "\n")
                w.writerow(row)   # a duplicate of the row just written (same id)
    truth = {
        "data_from": str(DATA_FROM), "data_to": str(DATA_TO), "seed": SEED,
        "ed": {"attendances_per_day": ED_PER_DAY, "hour_of_day": ED_HOUR, "day_of_week": ED_WEEKDAY,
               "bank_holiday_factor": ED_BANK_HOLIDAY, "admission_probability": ADMISSION_PROBABILITY,
               "ambulance_share": AMBULANCE_SHARE, "hours_to_decision": HOURS_TO_DECISION,
               "hours_in_department": HOURS_IN_DEPARTMENT},
        "month_factors": MONTH,
        "routes": [{"name": r[0], "source": r[1], "share_or_per_day": r[2], "pool": r[3], "stay_days": r[4],
                    "hour_of_day": r[5], "day_of_week": r[6], "bank_holiday_factor": r[7]} for r in ROUTES],
        "beds": POOLS, "pathway_shares": PATHWAY_SHARES, "pathway_delay_days": PATHWAY_DELAY_DAYS,
        "discharge": {"weekday_hours": DISCHARGE_HOURS, "weekend_review_share": WEEKEND_REVIEW_SHARE,
                      "bank_holiday_review_share": BANK_HOLIDAY_REVIEW_SHARE},
        "bad_rows": {"attendances": BAD_ROWS * len(bad), "spells": BAD_ROWS * (len(bad_spells) + 1)},
    }
    with open(os.path.join(here, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    with open(os.path.join(here, "truth.toml"), "w") as f:
        f.write(truth_toml())
    print(f"{len(attendance_rows)} attendances, {len(spells)} spells")


def dist_toml(spec):
    family, a, b = spec
    if family == "weibull":
        return f'{{ dist = "weibull", shape = {a}, scale = {b} }}'
    return f'{{ dist = "{family}", mean = {a}, sd = {b} }}'


def truth_toml():
    """The true parameters as a bedflow scenario, for the backtest test: the
    extract is a sample of this scenario's model (except that bedflow applies
    the month factors to every non-ED route, elective ones too)."""
    out = ["# The true parameters of the synthetic example extract, as a bedflow scenario.",
           "# Written by generate.py; not a calibration: see the README.", "",
           "[scenario]", 'name = "example-trust-truth"', f'start = "{DATA_FROM}"', f'end = "{DATA_TO}"',
           "warmup_days = 60", "replications = 100", "seed = 1", "",
           "[calendar]", 'bank_holidays = "england-and-wales"', "",
           "[ed]", f"attendances_per_day = {ED_PER_DAY}", f"hour_of_day = {ED_HOUR}", f"day_of_week = {ED_WEEKDAY}",
           f"bank_holiday_factor = {ED_BANK_HOLIDAY}", f"admission_probability = {ADMISSION_PROBABILITY}",
           f"hours_to_decision = {dist_toml(HOURS_TO_DECISION)}",
           f"hours_in_department = {dist_toml(HOURS_IN_DEPARTMENT)}", ""]
    for date in days(DATA_FROM, DATA_TO):
        if date.day == 1:
            last = (date.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            out += ["[[seasonality]]", f'from = "{date}"', f'to = "{last}"', f"factor = {MONTH[date.month]}", ""]
    for name, source, rate, pool, stay, hour_w, weekday_w, bh in ROUTES:
        out += ["[[admissions]]", f'name = "{name}"']
        if source == "ed":
            out += ['source = "ed"', f"share = {rate}"]
        else:
            out += ['source = "direct"', f"per_day = {rate}"]
            if hour_w:
                out.append(f"hour_of_day = {hour_w}")
            if weekday_w:
                out.append(f"day_of_week = {weekday_w}")
            out.append(f"bank_holiday_factor = {bh}")
        out += [f'pool = "{pool}"', f"stay_days = {dist_toml(stay)}", ""]
    for pool, beds in POOLS.items():
        s = PATHWAY_SHARES[pool]
        out += ["[[pool]]", f'name = "{pool}"', f"beds = {beds}",
                f"pathway_shares = {{ P1 = {s['P1']}, P2 = {s['P2']}, P3 = {s['P3']} }}", ""]
    out += ["[discharge]", 'mode = "profile"', f"weekday_hours = {DISCHARGE_HOURS}",
            f"weekend_review_share = {WEEKEND_REVIEW_SHARE}",
            f"bank_holiday_review_share = {BANK_HOLIDAY_REVIEW_SHARE}", ""]
    for p, spec in PATHWAY_DELAY_DAYS.items():
        out += ["[[pathway]]", f'name = "{p}"', f"delay_days = {dist_toml(spec)}", ""]
    return "\n".join(out)


if __name__ == "__main__":
    main()

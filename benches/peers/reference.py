"""The reference model (benches/README.md) in SimPy and in Ciw.

Usage: python reference.py simpy|ciw REPLICATIONS FIRST_SEED
Prints one line of JSON per replication: mean occupancy, share of time full,
mean bed wait (hours), waits over 12 hours, and the seconds it took.
"""
import json
import math
import random
import sys
import time

BEDS = 600
PER_DAY = 110.0
MEAN, SD = 5.0, 7.0
WARMUP, DAYS = 60.0, 365.0
SIGMA = math.sqrt(math.log(1.0 + (SD / MEAN) ** 2))
MU = math.log(MEAN) - SIGMA ** 2 / 2.0


class Tally:
    """Time integrals over the reported window [WARMUP, WARMUP + DAYS)."""

    def __init__(self):
        self.last = 0.0
        self.area = 0.0
        self.full = 0.0

    def advance(self, now, occupied):
        a, b = max(self.last, WARMUP), min(now, WARMUP + DAYS)
        if b > a:
            self.area += occupied * (b - a)
            if occupied >= BEDS:
                self.full += b - a
        self.last = now


def summary(area, full, waits, started):
    return {
        "mean_occupancy": area / DAYS,
        "share_of_time_full": full / DAYS,
        "bed_wait_hours_mean": 24.0 * sum(waits) / len(waits),
        "waits_over_12h": sum(1 for w in waits if w > 0.5),
        "seconds": time.perf_counter() - started,
    }


def run_simpy(seed):
    import simpy

    started = time.perf_counter()
    rng = random.Random(seed)
    env = simpy.Environment()
    ward = simpy.Resource(env, capacity=BEDS)
    tally = Tally()
    waits = []

    def patient(env):
        arrived = env.now
        with ward.request() as req:
            yield req
            tally.advance(env.now, ward.count - 1)
            if WARMUP <= arrived < WARMUP + DAYS:
                waits.append(env.now - arrived)
            yield env.timeout(rng.lognormvariate(MU, SIGMA))
            tally.advance(env.now, ward.count)

    def source(env):
        while True:
            yield env.timeout(rng.expovariate(PER_DAY))
            env.process(patient(env))

    env.process(source(env))
    env.run(until=WARMUP + DAYS)
    tally.advance(WARMUP + DAYS, ward.count)
    return summary(tally.area, tally.full, waits, started)


def run_ciw(seed):
    import ciw

    started = time.perf_counter()
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=PER_DAY)],
        service_distributions=[ciw.dists.Lognormal(mean=MU, sd=SIGMA)],
        number_of_servers=[BEDS],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(WARMUP + DAYS)
    records = sim.get_all_records()
    # Patients still in a bed at the end are not in the records: add them.
    still = [(ind.service_start_date, WARMUP + DAYS) for node in sim.transitive_nodes for ind in node.all_individuals
             if getattr(ind, "service_start_date", False) not in (False, None)]
    changes = []
    for r in records:
        changes.append((r.service_start_date, 1))
        changes.append((r.service_end_date, -1))
    for start, end in still:
        changes.append((start, 1))
        changes.append((end, -1))
    changes.sort()
    tally, occupied = Tally(), 0
    for t, d in changes:
        tally.advance(t, occupied)
        occupied += d
    tally.advance(WARMUP + DAYS, occupied)
    waits = [r.waiting_time for r in records if WARMUP <= r.arrival_date < WARMUP + DAYS]
    return summary(tally.area, tally.full, waits, started)


if __name__ == "__main__":
    which, reps, first = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    run = {"simpy": run_simpy, "ciw": run_ciw}[which]
    for r in range(reps):
        print(json.dumps(run(first + r)), flush=True)

"""Prints run.sh's figures from its output folder (target/peers): the
agreement of the four implementations, seconds per replication in-process
and whole-process, and each goal of issue 18 with its ratio.

Usage: python summary.py OUT_DIR (run.sh calls it; run it again alone to
reprint a run's figures).
"""
import csv, json, math, re, statistics as st, sys
out = sys.argv[1]
print()
print(open(f"{out}/machine.txt").read().rstrip())
metrics = [("mean_occupancy", "time_average_occupancy"), ("share_of_time_full", "share_of_time_full"),
           ("bed_wait_hours_mean", "bed_wait_hours_mean"), ("waits_over_12h", "waits_over_12h_from_dta")]
def ci(xs):
    m = st.mean(xs)
    se = st.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else float("nan")
    return m, se
bed = {}
with open(f"{out}/bedflow/replications.csv") as f:
    rows = list(csv.DictReader(f))
for _, col in metrics:
    bed[col] = ci([float(r[f"{col}:beds"]) for r in rows])
peers = {name: [json.loads(l) for l in open(f"{out}/{name}.jsonl")] for name in ("simpy", "ciw")}
print("\nAgreement (mean +/- standard error over replications):")
print(f"{'measure':24} {'bedflow':>22} {'SimPy':>22} {'Ciw':>22}")
for key, col in metrics:
    b = bed[col]
    cells = [f"{b[0]:.4g} +/- {b[1]:.2g}"]
    for name in ("simpy", "ciw"):
        m, se = ci([r[key] for r in peers[name]])
        z = abs(m - b[0]) / math.sqrt(se ** 2 + b[1] ** 2) if se == se and (se > 0 or b[1] > 0) else 0.0
        cells.append(f"{m:.4g} +/- {se:.2g}{' ok' if z < 3 else ' DIFFERS'}")
    print(f"{key:24} " + " ".join(f"{c:>22}" for c in cells))

times = {}
for line in open(f"{out}/times"):
    parts = line.split()
    if len(parts) == 3 and not line.startswith("Command"):
        times[parts[0]] = (float(parts[1]), int(parts[2]))
unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
bench = open(f"{out}/bedflow_bench.txt").read()
def criterion_median(text, name):
    m = re.search(re.escape(name) + r"\s+time:\s+\[\S+ \S+ (\S+) (\S+)", text)
    return float(m.group(1)) * unit[m.group(2)]
def criterion_rate(text, name):
    m = re.search(re.escape(name) + r"\s+time:.*?\n\s+thrpt:\s+\[\S+ \S+ (\S+) (\S+)", text, re.S)
    scale = {"elem/s": 1.0, "Kelem/s": 1e3, "Melem/s": 1e6, "Gelem/s": 1e9}[m.group(2)]
    return float(m.group(1)) * scale
def verdict(ok):
    return "met" if ok else "MISSED"
bedflow_s = criterion_median(bench, "reference/bedflow_one_replication")
bare_s = criterion_median(open(f"{out}/bare.txt").read(), "")
simpy_s = st.median(r["seconds"] for r in peers["simpy"])
ciw_s = st.median(r["seconds"] for r in peers["ciw"])
whole = {
    "bedflow": times["bedflow_200"][0] / len(rows),
    "simpy": times["simpy"][0] / len(peers["simpy"]),
    "ciw": times["ciw"][0] / len(peers["ciw"]),
}
print("\nSeconds per replication of the reference model, one thread:")
print(f"{'':10} {'in-process':>14} {'whole process':>14}")
print(f"{'bedflow':10} {bedflow_s*1e3:11.2f} ms {whole['bedflow']*1e3:11.2f} ms")
print(f"{'bare loop':10} {bare_s*1e3:11.2f} ms {'':>14}")
print(f"{'SimPy':10} {simpy_s*1e3:11.0f} ms {whole['simpy']*1e3:11.0f} ms")
print(f"{'Ciw':10} {ciw_s*1e3:11.0f} ms {whole['ciw']*1e3:11.0f} ms")
print("\nGoals (issue 18):")
r = simpy_s / bedflow_s
print(f"  SimPy / bedflow        {r:8.0f}x in-process, {whole['simpy']/whole['bedflow']:.0f}x whole process   goal >= 250x   {verdict(r >= 250)}")
r = ciw_s / bedflow_s
print(f"  Ciw / bedflow          {r:8.0f}x in-process, {whole['ciw']/whole['bedflow']:.0f}x whole process   goal >= 1200x  {verdict(r >= 1200)}")
r = bedflow_s / bare_s
print(f"  bedflow / bare loop    {r:8.2f}x in-process                     goal <= 0.6x   {verdict(r <= 0.6)}")
small, large = criterion_rate(bench, "scale/beds=600"), criterion_rate(bench, "scale/beds=60000")
print(f"  events/s at 60,000 beds {large/1e6:.1f}M / at 600 {small/1e6:.1f}M = {large/small:.2f}        goal >= 0.90   {verdict(large/small >= 0.9)}")
w1, w2 = times["winter_1_thread"][0], times["winter_2_threads"][0]
print(f"  winter, 1,000 replications on 2 threads {w2:.1f} s                 goal < 10 s    {verdict(w2 < 10)}")
print(f"  winter, 2 threads / 1 thread {w1/w2:.2f}x ({w1:.1f} s on 1)                goal >= 1.8x   {verdict(w1/w2 >= 1.8)}")
if "memory_run_1000" in times:
    base = times["memory_run_1000"][1]
    for name, what in [("memory_compare", "compare of 4 plans"), ("memory_sweep", "sweep of 20 values"), ("memory_merge", "merge of 20 parts")]:
        kb = times[name][1]
        print(f"  peak memory, {what}: {kb/1024:.0f} MB / one run of 1,000 {base/1024:.0f} MB = {kb/base:.2f}x   goal <= 1.2x  {verdict(kb/base <= 1.2)}")

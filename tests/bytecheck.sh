#!/usr/bin/env bash
# Backward compatibility by hand (not run by CI): runs every shipped scenario,
# a compare and a sweep with two bedflow binaries (e.g. one built from the
# previous commit in a git worktree) and diffs every output but `.bedflow` and
# `run.json` (which hold paths and timings). Prints ALL IDENTICAL or the diffs.
#   bash tests/bytecheck.sh OLD_BIN NEW_BIN
# SCENARIOS=DIR runs the scenarios of another folder instead (e.g. the
# previous commit's, when the shipped ones have since used a new feature):
#   git archive HEAD~1 scenarios | tar -x -C /tmp/old && SCENARIOS=/tmp/old/scenarios bash tests/bytecheck.sh ...
set -u
OLD=$1; NEW=$2; R=/tmp/bytecheck; rm -rf $R; mkdir -p $R/old $R/new
cd "$(dirname "$0")/.."
S=${SCENARIOS:-scenarios}
ok=1
for s in $S/*.toml; do
  n=$(basename $s .toml)
  for v in old new; do
    B=$OLD; [ $v = new ] && B=$NEW
    $B run $s --replications 40 --threads 2 --quiet --out $R/$v/$n >/dev/null 2>$R/$v/$n.err || echo "$v $n exit $?"
  done
  d=$(diff -r -x .bedflow -x run.json $R/old/$n $R/new/$n | head -3)
  [ -n "$d" ] && { echo "DIFF $n: $d"; ok=0; }
done
for v in old new; do
  B=$OLD; [ $v = new ] && B=$NEW
  $B compare $S/winter-2026-27.toml $S/winter-2026-27-plus-20-beds.toml --replications 30 --quiet --out $R/$v/cmp >/dev/null 2>&1 || echo "$v compare exit $?"
  $B sweep $S/winter-2026-27.toml --set pool.medicine.beds=380..400:10 --target 'share_of_time_full:medicine<=0.1' --replications 20 --quiet --out $R/$v/sw >/dev/null 2>&1 || echo "$v sweep exit $?"
done
for x in cmp sw; do d=$(diff -r -x .bedflow -x run.json $R/old/$x $R/new/$x | head -3); [ -n "$d" ] && { echo "DIFF $x: $d"; ok=0; }; done
[ $ok = 1 ] && echo "ALL IDENTICAL"

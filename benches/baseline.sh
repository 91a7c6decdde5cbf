#!/usr/bin/env bash
# The regression guard: criterion's figures for the engine benches, saved in
# the repository (benches/baseline/), and a comparison against them.
#
#   bash benches/baseline.sh compare   # run the engine benches against the saved baseline
#   bash benches/baseline.sh save      # measure and save a new baseline (commit benches/baseline/)
#
# Compare on a quiet machine: criterion reports each bench's change with
# its confidence interval ("Performance has regressed" beyond its noise
# threshold, here 5%). Not run by CI: timings on shared runners mean little.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-compare}
NAME=repo
SAVED=benches/baseline
CRIT=target/criterion
case "$mode" in
  save)
    cargo bench -q --bench engine -- --noplot --save-baseline "$NAME" --noise-threshold 0.05
    rm -rf "$SAVED" && mkdir -p "$SAVED"
    # Keep only the saved baseline's files (estimates, samples, benchmark id), by bench.
    (cd "$CRIT" && find . -path "*/$NAME/*.json" -print0) | while IFS= read -r -d '' f; do
      mkdir -p "$SAVED/$(dirname "$f")" && cp "$CRIT/$f" "$SAVED/$f"
    done
    echo "saved $(find "$SAVED" -name estimates.json | wc -l) benchmarks in $SAVED" >&2
    ;;
  compare)
    [ -d "$SAVED" ] || { echo "no saved baseline in $SAVED: run 'bash benches/baseline.sh save' first" >&2; exit 2; }
    mkdir -p "$CRIT"
    cp -r "$SAVED"/. "$CRIT"/
    cargo bench -q --bench engine -- --noplot --baseline "$NAME" --noise-threshold 0.05
    ;;
  *)
    echo "usage: bash benches/baseline.sh [compare|save]" >&2
    exit 2
    ;;
esac

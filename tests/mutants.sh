#!/usr/bin/env bash
# Mutation testing (not run by CI: it takes hours on 2 cores). Installs
# cargo-mutants if needed and mutates the listed modules, running the unit
# tests and the integration tests that target each module. Results go to
# mutants.out/ (outcomes.json, caught.txt, missed.txt); record the summary in
# tests/MUTANTS.md.
#
#   bash tests/mutants.sh src/summary.rs src/engine/queue.rs
#   bash tests/mutants.sh src/engine/pathways.rs -- --iterate --baseline skip -o /tmp/m
#   SELECTION="--lib --test pathways" bash tests/mutants.sh src/engine/pathways.rs
# Options after `--` go to cargo-mutants; SELECTION replaces the test selection.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null 2>&1 || cargo install --locked cargo-mutants
files=()
extra=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; extra=("$@"); break; fi
  files+=("$1"); shift
done
if [ ${#files[@]} -eq 0 ]; then
  files=(src/summary.rs src/engine/order.rs src/engine/queue.rs src/compare.rs src/decision.rs src/stats.rs
         src/output/tables.rs src/output/format.rs
         src/reduce/*.rs src/engine/*.rs src/dist.rs)
fi
args=()
for f in "${files[@]}"; do args+=(-f "$f"); done
# Release build (the statistical tests are slow in debug), but incremental,
# with many codegen units and no debug info, in a target folder of its own:
# a mutant then rebuilds in a few seconds instead of half a minute. One job,
# always: the target folder is shared, so two jobs would test each other's
# mutants (and the machine has 2 cores).
export CARGO_PROFILE_RELEASE_INCREMENTAL=true CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${TMPDIR:-/tmp}/bedflow-mutants-target}"
# A fixed timeout: the selection takes about 15 s on a quiet machine, and a
# multiple of a baseline measured while other work ran (minutes) makes every
# mutant that loops forever cost ten minutes.
#
# The profile and the test selection go to every cargo call (`--profile`,
# `-C`), not after `--`: arguments after `--` reach only the test phase, so
# the build phase would build every test target in the debug profile first,
# then the test phase rebuild the selection in release (measured: a minute a
# mutant instead of 10-20 s).
selection=(--lib --test hand_worked --test theory --test crn --test compare --test escalation --test electives
           --test exporters --test ed --test outlying --test capacity --test census --test pathways --test priority)
if [ -n "${SELECTION:-}" ]; then read -r -a selection <<< "$SELECTION"; fi
cargo_args=()
for a in "${selection[@]}"; do cargo_args+=("--cargo-arg=$a"); done
cargo mutants "${args[@]}" -j 1 --profile release "${cargo_args[@]}" --timeout 150 --build-timeout 600 ${extra[@]+"${extra[@]}"}

#!/usr/bin/env bash
# Issue 17, item 3: "undo each fix on its own (a mutant) and show that the explorer catches
# every mutant within the CI budget". For each mutant in explore/mutants/defect-<n>.patch
# (a `git diff` that undoes one fix in worker/ or common/): apply it, build, run the
# explorer's default CI set, note whether and how soon it failed, then revert and rebuild.
# Prints a table; logs go to reports/mutants/.
#
#   explore/mutants.sh                 every mutant, then the table
#   explore/mutants.sh 2 5             only those
#   explore/mutants.sh fixed           the fixed code itself (must stay green)
#   explore/mutants.sh 4 -- --runs 80  anything after -- goes to explore/run.ts
#
# The explorer runs with --fail-fast (stop at the first violation: a mutant is caught once)
# and --shrink-max 0 (no shrinking: the seed and index replay the scenario). Exit 0 when
# every mutant was caught and `fixed`, if asked for, stayed green.
set -uo pipefail
cd "$(dirname "$0")/.."

targets=()
while [[ $# -gt 0 && $1 != -- ]]; do
  targets+=("$1")
  shift
done
[[ ${1:-} == -- ]] && shift
extra=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for patch in explore/mutants/defect-*.patch; do
    n=${patch##*/defect-}
    targets+=("${n%.patch}")
  done
fi

# A mutant is reverted with `git checkout worker/ common/`: that would also drop work of
# yours, so refuse to start unless both are clean.
if [[ -n $(git status --porcelain -- worker/ common/) ]]; then
  echo 'worker/ or common/ has uncommitted changes: commit or stash them first' >&2
  exit 2
fi

applied=''
restore() {
  if [[ -n $applied ]]; then
    git checkout -q -- worker/ common/
    applied=''
    npm run build >/dev/null 2>&1 || echo 'rebuild after revert failed' >&2
  fi
}
trap restore EXIT
trap 'restore; exit 130' INT TERM

logs=reports/mutants
mkdir -p "$logs"
rows=()
status=0

for target in "${targets[@]}"; do
  log="$logs/$target.log"
  if [[ $target != fixed ]]; then
    patch="explore/mutants/defect-$target.patch"
    if ! git apply "$patch"; then
      rows+=("$target|does not apply|-|-|-|-")
      status=1
      continue
    fi
    applied=$target
  fi
  if ! npm run build >"$log" 2>&1; then
    rows+=("$target|build failed|-|-|-|-")
    status=1
    restore
    continue
  fi
  label="defect $target"
  [[ $target == fixed ]] && label='fixed code'
  echo "=== $label: explorer running (log: $log)"
  start=$(date +%s)
  # Each line with the seconds since the start, so the first hit has a time.
  POWERTOOLS_LOG_LEVEL=ERROR npx tsx explore/run.ts --fail-fast --shrink-max 0 "${extra[@]}" 2>&1 |
    while IFS= read -r line; do
      printf '[%4ds] %s\n' "$(($(date +%s) - start))" "$line"
    done >>"$log"
  rc=${PIPESTATUS[0]}
  seconds=$(($(date +%s) - start))
  first=$(grep -m1 -E '\] FAIL seed ' "$log" || true)
  where=$(sed -nE 's/.*FAIL seed ([0-9]+) scenario ([0-9]+).*/\1\/\2/p' <<<"$first")
  at=$(sed -nE 's/^\[ *([0-9]+)s\].*/\1/p' <<<"$first")
  after=$(sed -nE 's/.*first violation after ([0-9]+) scenarios.*/\1/p' "$log" | head -1)
  total=$(sed -nE 's/.*scenarios: ([0-9]+) in .*/\1/p' "$log" | head -1)
  violation=$(sed -nE 's/.*FAIL seed [0-9]+ scenario [0-9]+ \([0-9.]+s\): (.*)/\1/p' <<<"$first")
  if [[ $target == fixed ]]; then
    verdict=$([[ $rc -eq 0 ]] && echo 'green' || echo "RED (exit $rc)")
    [[ $rc -eq 0 ]] || status=1
  elif [[ $rc -eq 1 && -n $first ]]; then
    verdict='caught'
  else
    verdict="NOT caught (exit $rc)"
    status=1
  fi
  rows+=("$target|$verdict|${where:--}|${after:-${total:--}}|${at:-$seconds}|${violation:0:150}")
  echo "    $verdict in ${seconds}s ${where:+at seed/scenario $where}"
  restore
done

echo
printf '%-7s | %-22s | %-13s | %-9s | %-7s | %s\n' defect result seed/scenario scenarios seconds 'first violation'
for row in "${rows[@]}"; do
  IFS='|' read -r t v w a s x <<<"$row"
  printf '%-7s | %-22s | %-13s | %-9s | %-7s | %s\n' "$t" "$v" "$w" "$a" "$s" "$x"
done
exit $status

#!/usr/bin/env bash
# eval_worlds.sh — score the scanner on every recorded world (issue 15).
#
# Runs ../shared/worlds/run_dev_world.sh on ../shared/worlds/dev-1 and on every
# bench/worlds/*/ folder that is a world (profile.toml + routes.toml), one at a
# time, and prints each scorecard's summary line. Exit status: 0 when every world
# passes, 1 when any fails. Skips with a one-line message (exit 0) when
# ../shared/worlds is absent. EXPOSURE_AUDIT defaults to .venv/bin/exposure-audit.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORLDS_DIR="${WORLDS_DIR:-$ROOT/../shared/worlds}"
RUNNER="$WORLDS_DIR/run_dev_world.sh"
if [[ ! -x "$RUNNER" ]]; then
  echo "eval-worlds: skipped, $WORLDS_DIR/run_dev_world.sh not found"
  exit 0
fi
export EXPOSURE_AUDIT="${EXPOSURE_AUDIT:-$ROOT/.venv/bin/exposure-audit}"
worlds=("$WORLDS_DIR/dev-1")
for w in "$ROOT"/bench/worlds/*/; do
  [[ -f "$w/profile.toml" && -f "$w/routes.toml" ]] && worlds+=("${w%/}")
done
failed=0
summaries=()
for w in "${worlds[@]}"; do
  log="$(mktemp)"
  (cd "$ROOT" && "$RUNNER" "$w") >"$log" 2>&1
  rc=$?
  line="$(grep -E '^[A-Za-z0-9._-]+: recall ' "$log" | tail -n 1)"
  [[ -n "$line" ]] || line="$(basename "$w"): no scorecard (exit $rc), see $log"
  summaries+=("$line")
  [[ $rc -eq 0 ]] || failed=1
  [[ $rc -ne 0 && "$line" != *"see $log"* ]] || { [[ $rc -eq 0 ]] && rm -f "$log"; }
done
printf '%s\n' "${summaries[@]}"
exit "$failed"

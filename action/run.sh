#!/usr/bin/env bash
# The action's "Run devicebound" step: runs `devicebound check` or `devicebound scan` with the
# action's inputs (INPUT_*), writes SARIF, JUnit, JSON and a Markdown step summary, and sets the
# outputs `verdict`, `findings` and `sarif-file`. Its exit code is devicebound's: 0 pass,
# 1 findings at or above fail-on, 2 bad input, 3 nothing could be checked.
set -uo pipefail

mode=${INPUT_MODE:-check}
sarif=${INPUT_SARIF_FILE:-devicebound.sarif}
out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/devicebound-$$"
mkdir -p "$out" "$(dirname "$sarif")"

args=()
read -r -a extra <<<"${INPUT_ARGS:-}"
case "$mode" in
check)
  if [ -n "${INPUT_POLICY:-}" ]; then args+=(--policy "$INPUT_POLICY"); fi
  if [ -n "${INPUT_PRESET:-}" ]; then args+=(--preset "$INPUT_PRESET"); fi
  ;;
scan) ;;
*)
  echo "::error title=devicebound::the mode input must be check or scan, not '$mode'"
  echo "verdict=error" >>"$GITHUB_OUTPUT"
  exit 2
  ;;
esac

reports=(
  --format sarif --output "$sarif"
  --format json --output "$out/report.json"
  --format junit --output "$out/junit.xml"
  --format markdown --output "$out/summary.md"
)
if [ "$mode" = scan ]; then
  read -r -a paths <<<"${INPUT_PATH:-.}"
  node "$GITHUB_ACTION_PATH/bin/devicebound.js" scan "${args[@]}" "${extra[@]}" "${reports[@]}" "${paths[@]}"
else
  # In check mode the program comes after `--` in args, so the reports go before it.
  node "$GITHUB_ACTION_PATH/bin/devicebound.js" check "${args[@]}" \
    --fail-on "${INPUT_FAIL_ON:-low}" "${reports[@]}" "${extra[@]}"
fi
code=$?

case $code in
0) verdict=pass ;;
1) verdict=fail ;;
3) verdict=inconclusive ;;
*) verdict=error ;;
esac
findings=""
if [ -f "$out/report.json" ]; then
  findings=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(r.summary.findings))' "$out/report.json")
fi
{
  echo "verdict=$verdict"
  echo "findings=$findings"
  if [ -f "$sarif" ]; then echo "sarif-file=$sarif"; fi
  echo "junit-file=$out/junit.xml"
} >>"$GITHUB_OUTPUT"
if [ -f "$out/summary.md" ]; then cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"; fi
if [ "$verdict" = error ]; then
  echo "::error title=devicebound::devicebound $mode exited $code (bad input: see the message above)"
fi
exit "$code"

#!/usr/bin/env bash
# The action's "Install devicebound" step: builds devicebound from the action's own checkout
# (`npm ci` runs `prepare`, which compiles to dist/), unless it is built already.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
if [ -f dist/cli/run.js ]; then
  echo "devicebound is built ($(node bin/devicebound.js --version))"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "devicebound $(node bin/devicebound.js --version) built"

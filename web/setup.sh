#!/usr/bin/env bash
# Installs web/'s npm packages (three.js, esbuild, playwright-core: versions pinned in
# package-lock.json, from the npm registry) and builds dist/viewer.js, the page script that
# `graspqp view` inlines into every index.html. Called by scripts/install_deps.sh (so by `make test`
# and `make demo`). Idempotent and quick when nothing changed: `npm ci` runs only when node_modules
# is missing or older than package.json / package-lock.json, the build only when dist/viewer.js is
# missing or older than its sources.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "web/setup.sh: node and npm are needed (scripts/install_deps.sh installs Debian's nodejs and npm)" >&2
  exit 1
fi
stamp=node_modules/.package-lock.json  # npm's record of what node_modules holds
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "web: npm ci (three.js, esbuild, playwright-core)"
  # No install scripts needed: esbuild finds its platform binary package (@esbuild/<platform>) itself,
  # and playwright-core downloads nothing (the tests use Debian's /usr/bin/chromium).
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  touch "$stamp"
fi
if [ ! -f dist/viewer.js ] || [ -n "$(find src build.mjs package-lock.json "$stamp" -newer dist/viewer.js -print -quit)" ]; then
  node build.mjs
fi

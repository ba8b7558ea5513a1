#!/usr/bin/env bash
# Lints the release workflows with actionlint, then proves the lint can fail: a copy with a
# typo in a matrix reference and one with an unknown key must both be refused.
set -euo pipefail
ACTIONLINT=${ACTIONLINT:?set ACTIONLINT to the actionlint binary}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ACTIONLINT" -no-color
count=$(ls .github/workflows/*.yml | wc -l)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/.github/workflows"
sed 's/matrix\.settings\.target/matrix.settings.tagret/' .github/workflows/release-node.yml > "$scratch/.github/workflows/typo.yml"
sed 's/^    runs-on: ubuntu-latest$/    runs_on: ubuntu-latest/' .github/workflows/release-wasm.yml > "$scratch/.github/workflows/key.yml"
# Each mutation must be refused for the reason it introduces, not for another.
expect() { # expect <file> <text the error must contain>
  local out
  out=$(cd "$scratch" && "$ACTIONLINT" -no-color -oneline ".github/workflows/$1.yml" 2>&1) && {
    echo "check_workflows: actionlint accepted $1.yml" >&2; exit 1
  }
  grep -qF "$2" <<<"$out" || { echo "check_workflows: $1.yml refused, but not for \"$2\": $out" >&2; exit 1; }
}
expect typo 'property "tagret" is not defined'
expect key 'unexpected key "runs_on"'

echo "check_workflows: $count workflows pass actionlint; a typo and an unknown key are caught"

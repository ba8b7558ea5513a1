#!/usr/bin/env bash
# What crates.io and `cargo install` users get, proved here:
# 1. `cargo package` of each publishable crate (the workspace's path dependencies resolve by
#    version through cargo's local overlay), and each .crate holds its manifest, README,
#    licences and sources, and no test fixture larger than it needs;
# 2. `cargo install --path crates/hootsuite-events-cli --locked` into a scratch root, and the
#    installed binary runs `quickstart`. It builds with the dev profile into the workspace's
#    target dir (what `make cli` already compiled), so it adds seconds, not minutes.
set -euo pipefail
CARGO=${CARGO:-cargo}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CRATES=(hootsuite-events hootsuite-events-client hootsuite-events-emulator hootsuite-events-cli hootsuite-events-redis hootsuite-events-postgres)
version=$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')

# Every member that is not in CRATES must say publish = false.
for manifest in bindings/*/Cargo.toml; do
  grep -q '^publish = false$' "$manifest" || { echo "check_crates: $manifest is publishable but not packaged here" >&2; exit 1; }
done

args=()
for c in "${CRATES[@]}"; do args+=(-p "$c"); done
rm -f target/package/*.crate
$CARGO package "${args[@]}" --no-verify --locked --allow-dirty --quiet 2>&1 | { grep -v -e '^warning: manifest has no' -e '^  |$' -e '^  = note: see' || true; }
for c in "${CRATES[@]}"; do
  crate="target/package/$c-$version.crate"
  [ -f "$crate" ] || { echo "check_crates: $crate was not written" >&2; exit 1; }
  listing=$(tar tzf "$crate" | sed "s|^$c-$version/||")
  for need in Cargo.toml Cargo.toml.orig README.md LICENSE-MIT LICENSE-APACHE; do
    grep -qx "$need" <<<"$listing" || { echo "check_crates: $crate lacks $need" >&2; exit 1; }
  done
  grep -qE '^src/(lib|main)\.rs$' <<<"$listing" || { echo "check_crates: $crate has no src/lib.rs or src/main.rs" >&2; exit 1; }
  # The packaged manifest names each workspace dependency by version, not by path alone.
  tar xzf "$crate" -O "$c-$version/Cargo.toml" | python3 -c '
import sys, tomllib
manifest = tomllib.loads(sys.stdin.read())
for section in ("dependencies", "dev-dependencies", "build-dependencies"):
    for name, dep in manifest.get(section, {}).items():
        if isinstance(dep, dict) and "path" in dep or (isinstance(dep, dict) and "version" not in dep and "git" not in dep):
            sys.exit(f"check_crates: {sys.argv[1]}: [{section}] {name} has no version: {dep}")
' "$crate"
  echo "check_crates: $c-$version.crate: $(wc -l <<<"$listing") files, $(wc -c < "$crate") B"
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
CARGO_TARGET_DIR="$ROOT/target" $CARGO install --quiet --locked --debug --path crates/hootsuite-events-cli --root "$scratch"
out=$("$scratch/bin/hootsuite-events" quickstart)
grep -q '10\. event *signature verified' <<<"$out" || { echo "check_crates: the installed binary's quickstart did not finish: $out" >&2; exit 1; }
echo "check_crates: cargo install --path crates/hootsuite-events-cli --locked: the installed hootsuite-events runs quickstart"

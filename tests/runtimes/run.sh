#!/usr/bin/env bash
# The Node suite (bindings/node/test) under Node 22 and 26, Bun and Deno, on the native addon
# and then on the WebAssembly fallback with the platform package removed; then the Cloudflare
# Worker template in workerd (workerd.test.cjs). make test-compat and the release workflow run it.
#   tests/runtimes/run.sh <project> <runtimes>
# <project>: a folder where the packed packages and the suite's dependencies are installed;
# <runtimes>: one where this folder's package.json is installed (npm ci). The emulator is
# $HOOTSUITE_EVENTS_BIN; the Redis store's tests start redis-server.
set -euo pipefail
project=$(cd "$1" && pwd)
runtimes=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# Deno and Bun keep what they cache next to the runtimes, not in the home folder.
export HOOTSUITE_EVENTS_REPO="$repo" NO_COLOR=1 DENO_DIR="$runtimes/deno-dir" BUN_RUNTIME_TRANSPILER_CACHE_PATH="$runtimes/bun-cache"
bin="$runtimes/node_modules/.bin"

rm -rf "$project/test" "$project/examples" "$project/runtimes"
cp -r "$repo/bindings/node/test" "$repo/bindings/node/examples" "$project/"
mkdir -p "$project/runtimes" && cp -r "$here/workerd.test.cjs" "$here/workerd" "$project/runtimes/"
# Deno reads a .js file as an ES module unless the package.json next to it says CommonJS.
for d in test examples; do echo '{"type": "commonjs"}' > "$project/$d/package.json"; done
cd "$project"

# Every test file but the TypeScript compile of the declarations, which no runtime changes
# (make test-node runs it).
files=()
for f in test/*.test.js; do [ "$f" = test/types.test.js ] || files+=("./$f"); done

run() { # run <name> <command...>: bounded, named in the log
  local name=$1 start=$SECONDS; shift
  echo "test-compat: $name"
  timeout 600 "$@"
  echo "test-compat: $name took $((SECONDS - start)) s"
}

for backend in native wasm; do
  if [ "$backend" = wasm ]; then rm -rf node_modules/hootsuite-events-{linux,darwin,win32}-*; fi
  export HOOTSUITE_EVENTS_EXPECT_BACKEND=$backend
  for node in node22 node26; do
    run "$node ($backend)" "$runtimes/node_modules/$node/bin/node" --test "${files[@]}"
  done
  # bun test's default timeout per test (5 s) is shorter than the Redis store's restart test.
  run "bun ($backend)" "$bin/bun" test --timeout 60000 "${files[@]}"
  run "deno ($backend)" "$bin/deno" test -A --no-check "${files[@]}"
done
unset HOOTSUITE_EVENTS_EXPECT_BACKEND

HOOTSUITE_EVENTS_WORKERD="$bin/workerd" HOOTSUITE_EVENTS_WRANGLER="$runtimes/node_modules/wrangler/bin/wrangler.js" \
  HOOTSUITE_EVENTS_WRANGLER_NODE="$runtimes/node_modules/node22/bin/node" \
  run "workerd" node --test runtimes/workerd.test.cjs

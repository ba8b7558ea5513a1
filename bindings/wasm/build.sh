#!/usr/bin/env bash
# Builds the WebAssembly package from scratch, on a fresh machine too:
#   bindings/wasm/pkg       the npm package hootsuite-events-wasm: the form build as an ES module
#                           for browsers and bundlers, the full build under full/ (ES module) and
#                           under node/ (CommonJS, for Node, Jest and the Node package's fallback)
# It uses rustup's wasm32 target when installed; otherwise it builds the standard library from
# Debian's Rust-for-Firefox packages (see shared/reference/toolchain.md). wasm-bindgen-cli and
# that toolchain are cached in $HOOTSUITE_EVENTS_CACHE (~/.cache/hootsuite-events) and reused.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE="${HOOTSUITE_EVENTS_CACHE:-$HOME/.cache/hootsuite-events}"
TARGET=wasm32-unknown-unknown
WBG_VERSION=$(grep -A1 'name = "wasm-bindgen"' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p' | head -n1)
HERE="$ROOT/bindings/wasm"
cd "$ROOT"

# 1. wasm-bindgen-cli at exactly the version of the crate in Cargo.lock.
WBG="$CACHE/wasm-bindgen/bin/wasm-bindgen"
if ! [ -x "$WBG" ] || ! "$WBG" --version | grep -q " $WBG_VERSION\$"; then
  echo "build.sh: installing wasm-bindgen-cli $WBG_VERSION into $CACHE/wasm-bindgen (once)"
  cargo install --quiet wasm-bindgen-cli --version "$WBG_VERSION" --root "$CACHE/wasm-bindgen"
fi

# 2. Two builds of the crate: the browser package (the create-instance form only) and the full
#    one (events, signatures, OAuth: for Node and edge runtimes, and for the shared vectors).
#    Both use a standard library built for size, with panics that abort without formatting a
#    message (the profile already aborts; this drops the message and location code, ~10 %).
#    LLVM's function merging is off: it names a merged body after any of its copies (a closure
#    over serde_json's value named for the jsonv one), which would blur the serde check below;
#    wasm-opt merges duplicate functions anyway (docs/benchmarks.md has the cost).
SIZE_FLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zmerge-functions=disabled"
BUILD_STD="-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size"
SIZE_OPTIMIZED=1
OUT="$ROOT/target/$TARGET/wasm-release"
mkdir -p "$OUT"
if rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  build() { # build <output name> [cargo args...]
    local name=$1; shift
    if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
      RUSTC_BOOTSTRAP=1 RUSTFLAGS="$SIZE_FLAGS ${FEATURE_FLAGS:-}" CARGO_TARGET_DIR="$ROOT/target/wasm-build${DIR_SUFFIX:-}" \
        cargo build --locked --quiet --profile wasm-release --target "$TARGET" $BUILD_STD -p hootsuite-events-wasm "$@"
      cp "$ROOT/target/wasm-build${DIR_SUFFIX:-}/$TARGET/wasm-release/hootsuite_events_wasm.wasm" "$OUT/$name.wasm"
    else
      SIZE_OPTIMIZED=0
      RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zmerge-functions=disabled ${FEATURE_FLAGS:-}" cargo build --locked --quiet --profile wasm-release --target "$TARGET" -p hootsuite-events-wasm "$@"
      cp "$OUT/hootsuite_events_wasm.wasm" "$OUT/$name.wasm"
    fi
  }
else
  WEB="$CACHE/rust-web"
  if ! [ -x "$WEB/root/usr/bin/rustc" ]; then
    echo "build.sh: no rustup wasm32 target; unpacking Debian's rustc-web into $WEB (once)"
    version=$(apt-cache policy rustc-web 2>/dev/null | awk '/Candidate:/ {print $2}')
    case "$version" in 1.9*|1.[1-9][0-9][0-9]*) ;; *) apt-get update -qq; version=$(apt-cache policy rustc-web | awk '/Candidate:/ {print $2}') ;; esac
    mm=$(echo "$version" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
    llvm=$(apt-cache depends "libstd-rust-web-$mm" | awk '/Depends: libllvm/ {print $2; exit}')
    rm -rf "$WEB" && mkdir -p "$WEB/debs" "$WEB/root"
    (cd "$WEB/debs" && apt-get download -qq "rustc-web=$version" "libstd-rust-web-dev=$version" "libstd-rust-web-$mm=$version" "rust-web-src=$version" "$llvm")
    for deb in "$WEB"/debs/*.deb; do dpkg -x "$deb" "$WEB/root"; done
  fi
  SYSROOT=$(rustc --print sysroot)
  build() { # build <output name> [cargo args...]
    local name=$1; shift
    RUSTC="$WEB/root/usr/bin/rustc" \
    LD_LIBRARY_PATH="$WEB/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    RUSTC_BOOTSTRAP=1 RUSTFLAGS="$SIZE_FLAGS ${FEATURE_FLAGS:-}" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$SYSROOT/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld" \
    CARGO_TARGET_DIR="$ROOT/target/wasm-build${DIR_SUFFIX:-}" \
      cargo build --locked --quiet --profile wasm-release --target "$TARGET" $BUILD_STD -p hootsuite-events-wasm "$@"
    cp "$ROOT/target/wasm-build${DIR_SUFFIX:-}/$TARGET/wasm-release/hootsuite_events_wasm.wasm" "$OUT/$name.wasm"
  }
fi
# The browser module without reference types and multi-value: wasm-bindgen then keeps its table
# of JavaScript objects in the glue, not in the module, in its own target dir
# (these flags rebuild the standard library). Its dependencies, the standard library first, at
# `opt-level = "s"` rather than the profile's "z": measured faster per keystroke at the same
# size (docs/benchmarks.md); the crate and the core stay at "z" (faster there costs kilobytes).
FEATURE_FLAGS="-Ctarget-feature=-reference-types,-multivalue" DIR_SUFFIX=-form \
  build form --config 'profile.wasm-release.package."*".opt-level="s"'
build full --features full
# No serde or serde_json function in the browser module: checked on cargo's output, which keeps
# the function names (wasm-bindgen strips them below). The form's results are written by jsonv.
node "$HERE/test/no_serde.cjs" "$OUT/form.wasm"

# 3. The JS glue: the form at the package root and the full build under `full/` (ES modules),
#    the full build again under `node/` (CommonJS: it loads the .wasm synchronously from disk).
rm -rf "$HERE/pkg" "$HERE/pkg-node"
"$WBG" --remove-name-section --remove-producers-section --target web --out-dir "$HERE/pkg" --out-name hootsuite_events_wasm "$OUT/form.wasm"
"$WBG" --remove-name-section --remove-producers-section --target web --out-dir "$HERE/pkg/full" --out-name hootsuite_events_wasm "$OUT/full.wasm"
"$WBG" --remove-name-section --remove-producers-section --target nodejs --out-dir "$HERE/pkg/node" --out-name hootsuite_events_wasm "$OUT/full.wasm"
cp "$HERE/package.json" "$HERE/README.md" "$ROOT/LICENSE-MIT" "$ROOT/LICENSE-APACHE" "$HERE/pkg/"
# The package is "type": "module"; the node/ folder holds CommonJS.
echo '{"type": "commonjs"}' > "$HERE/pkg/node/package.json"
# The entry modules: the glue's functions, throwing the package's error classes.
node "$HERE/js/entries.mjs" "$HERE/pkg" "$HERE/js/errors.js" "$HERE/js/errors.d.ts"

# 4. The browser module through binaryen's wasm-opt (npm's build, pinned; Debian's binaryen is
#    too old to read rustc's output), cached in $CACHE/binaryen.
BINARYEN_VERSION=132.0.0
WASM_OPT="$CACHE/binaryen/node_modules/binaryen/bin/wasm-opt"
if ! [ -x "$WASM_OPT" ] || ! grep -q "\"version\": \"$BINARYEN_VERSION\"" "$CACHE/binaryen/node_modules/binaryen/package.json"; then
  echo "build.sh: installing binaryen $BINARYEN_VERSION (wasm-opt) into $CACHE/binaryen (once)"
  mkdir -p "$CACHE/binaryen"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/binaryen" "binaryen@$BINARYEN_VERSION"
fi
#    --low-memory-unused: rust-lld puts the stack below 1 MiB and the data above, so the low 1 KiB
#    is never addressed and binaryen may fold constant offsets into loads and stores.
"$WASM_OPT" -Oz --converge --low-memory-unused --strip-debug --strip-producers --strip-target-features \
  "$HERE/pkg/hootsuite_events_wasm_bg.wasm" -o "$HERE/pkg/hootsuite_events_wasm_bg.wasm"

# 5. The browser package's JavaScript minified with esbuild (npm's build, pinned; cached in
#    $CACHE/esbuild): comments and blanks out (the documentation is in the .d.ts files). The
#    glue's local names are shortened too; the entry module and errors.js keep theirs, since
#    the error classes' names are their `name` and the functions' names show in stack traces.
#    Syntax stays ES2020, what the glue already needs (`import.meta`): no newer operator.
#    The glue's `console.warn` calls (`init`/`initSync` given their older arguments; a .wasm
#    served without the `application/wasm` type, after which it falls back to `instantiate`
#    all the same) are dropped with their long messages: the package stays quiet in the page
#    (the README tells deployers to serve the type).
ESBUILD_VERSION=0.28.2
ESBUILD="$CACHE/esbuild/node_modules/.bin/esbuild"
if ! [ -x "$ESBUILD" ] || ! "$ESBUILD" --version | grep -qx "$ESBUILD_VERSION"; then
  echo "build.sh: installing esbuild $ESBUILD_VERSION into $CACHE/esbuild (once)"
  mkdir -p "$CACHE/esbuild"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/esbuild" "esbuild@$ESBUILD_VERSION"
fi
minify() { # minify <file> [esbuild flags...]
  local file=$1; shift
  "$ESBUILD" --log-level=warning --format=esm --target=es2020 "$@" "$file" --outfile="$file.min" && mv "$file.min" "$file"
}
minify "$HERE/pkg/hootsuite_events_wasm.js" --minify --drop:console
minify "$HERE/pkg/index.js" --minify-whitespace --minify-syntax
minify "$HERE/pkg/errors.js" --minify-whitespace --minify-syntax

# 6. Size, gzip -9, of what a browser downloads.
wasm_gz=$(gzip -9 -c "$HERE/pkg/hootsuite_events_wasm_bg.wasm" | wc -c)
js_gz=$(cat "$HERE/pkg/index.js" "$HERE/pkg/errors.js" "$HERE/pkg/hootsuite_events_wasm.js" | gzip -9 -c | wc -c)
echo "$wasm_gz $js_gz" > "$HERE/pkg/SIZE"
echo "build.sh: hootsuite-events-wasm: .wasm $(wc -c < "$HERE/pkg/hootsuite_events_wasm_bg.wasm") B ($wasm_gz B gzipped) + JS glue $js_gz B gzipped = $((wasm_gz + js_gz)) B gzipped"

# 7. The size budget of the browser package: the size reached plus 2 %, so that any growth
#    fails the build and is looked at (its history is in docs/benchmarks.md).
BUDGET=${HOOTSUITE_EVENTS_WASM_BUDGET:-29700}
total=$((wasm_gz + js_gz))
if [ "$total" -gt "$BUDGET" ]; then
  if [ "$SIZE_OPTIMIZED" = 1 ]; then
    echo "build.sh: the browser package is $total B gzipped, over its budget of $BUDGET B" >&2
    exit 1
  fi
  echo "build.sh: warning: $total B gzipped is over the $BUDGET B budget, which applies to the size-optimized build (rustup's rust-src component is not installed)" >&2
fi

#!/usr/bin/env python3
"""The sdist listing test: the Python source distribution holds what a build from source needs
(the workspace manifest and lock, the core crate, the binding, the Python package, licences)
and nothing of the other crates, bindings or build output.

Usage: check_sdist.py <hootsuite_events-X.tar.gz>
"""
import sys
import tarfile

path = sys.argv[1]
with tarfile.open(path) as tar:
    names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
files = set(names)
required = {
    "PKG-INFO", "pyproject.toml", "Cargo.toml", "Cargo.lock", "README.md",
    "LICENSE-MIT", "LICENSE-APACHE",
    "bindings/python/Cargo.toml", "bindings/python/src/lib.rs",
    "crates/hootsuite-events/Cargo.toml", "crates/hootsuite-events/src/lib.rs",
    "python/hootsuite_events/__init__.py", "python/hootsuite_events/_native.pyi",
    "python/hootsuite_events/errors.py", "python/hootsuite_events/types.py",
    "python/hootsuite_events/py.typed",
}
forbidden = ("target/", "node_modules/", "bindings/node/", "bindings/wasm/", "fuzz/", "docs/", ".github/",
             "crates/hootsuite-events-cli/", "crates/hootsuite-events-client/", "crates/hootsuite-events-emulator/")
missing = sorted(required - files)
extra = sorted(n for n in files if n.startswith(forbidden) or n.endswith((".so", ".pyd", ".whl", ".node")))
if missing or extra:
    sys.exit(f"check_sdist: {path}: missing {missing}, unexpected {extra}")
print(f"check_sdist: {path}: {len(files)} files, the build inputs present, nothing else of the repository")

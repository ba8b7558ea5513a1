#!/usr/bin/env python3
"""One version source: the workspace Cargo.toml. Every manifest must agree with it, every
package folder carries the licence texts, and CHANGELOG.md has an Unreleased section.

Usage: check_versions.py [ROOT]     checks the tree at ROOT (default: this repository)
       check_versions.py --self-test proves the check fails on a copy with one version off
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import tomllib

SKIP_DIRS = {"node_modules", "target", ".git", "pkg"}
# Our packages on npm: the main one, the wasm one, and the per-platform ones.
OWN_NPM = ("hootsuite-events",)
LICENSES = ("LICENSE-MIT", "LICENSE-APACHE")
PACKAGES_WITH_LICENSES = (
    "crates/hootsuite-events",
    "crates/hootsuite-events-client",
    "crates/hootsuite-events-emulator",
    "crates/hootsuite-events-cli",
    "bindings/python",
    "bindings/node",
)


def manifests(root, name):
    for path in sorted(root.rglob(name)):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts):
            yield path


def check(root):
    root = pathlib.Path(root)
    problems = []
    workspace = tomllib.loads((root / "Cargo.toml").read_text())
    version = workspace["workspace"]["package"]["version"]
    members = []
    for pattern in workspace["workspace"]["members"]:
        members += [p for p in root.glob(pattern) if (p / "Cargo.toml").exists()]

    for name, dep in workspace["workspace"].get("dependencies", {}).items():
        if isinstance(dep, dict) and "path" in dep and dep.get("version") not in (version, "=" + version):
            problems.append(f"Cargo.toml: [workspace.dependencies] {name} has version {dep.get('version')!r}, expected {version!r}")

    for member in members:
        rel = (member / "Cargo.toml").relative_to(root)
        package = tomllib.loads((member / "Cargo.toml").read_text())["package"]
        if package.get("version") not in ({"workspace": True}, version):
            problems.append(f"{rel}: package.version is {package.get('version')!r}, expected `version.workspace = true`")

    lock = root / "Cargo.lock"
    if lock.exists():
        names = {tomllib.loads((m / "Cargo.toml").read_text())["package"]["name"] for m in members}
        for pkg in tomllib.loads(lock.read_text()).get("package", []):
            if pkg["name"] in names and pkg["version"] != version:
                problems.append(f"Cargo.lock: {pkg['name']} is locked at {pkg['version']}, expected {version} (run cargo update -w)")

    for path in manifests(root, "package.json"):
        rel = path.relative_to(root)
        data = json.loads(path.read_text())
        if data.get("private"):
            if "version" in data:
                problems.append(f"{rel}: a private package carries a version ({data['version']!r}); remove it")
        elif data.get("version") != version:
            problems.append(f"{rel}: version is {data.get('version')!r}, expected {version!r}")
        for field in ("dependencies", "optionalDependencies", "peerDependencies"):
            for dep, wanted in data.get(field, {}).items():
                if dep.startswith(OWN_NPM) and wanted != version:
                    problems.append(f"{rel}: {field}.{dep} is {wanted!r}, expected {version!r}")

    for path in manifests(root, "pyproject.toml"):
        rel = path.relative_to(root)
        project = tomllib.loads(path.read_text()).get("project", {})
        if "version" in project:
            if project["version"] != version:
                problems.append(f"{rel}: project.version is {project['version']!r}, expected {version!r}")
        elif "version" not in project.get("dynamic", []):
            problems.append(f"{rel}: project.version is missing and not dynamic (maturin takes it from Cargo)")

    # Each published package carries the licence texts in its own folder (a symlink would
    # become a text file in a Windows checkout): every copy must equal the root's.
    for name in LICENSES:
        original = root / name
        if not original.exists():
            problems.append(f"{name}: missing")
            continue
        for package in PACKAGES_WITH_LICENSES:
            copy = root / package / name
            if not copy.exists() or copy.read_bytes() != original.read_bytes():
                problems.append(f"{package}/{name}: missing or not the same as /{name} (cp {name} {package}/)")

    changelog = root / "CHANGELOG.md"
    if not changelog.exists() or "## [Unreleased]" not in changelog.read_text():
        problems.append("CHANGELOG.md: no `## [Unreleased]` section")
    return version, problems


def self_test():
    root = pathlib.Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / "repo"
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root, capture_output=True, check=True).stdout.decode().split("\0")
        for f in filter(None, files):
            if f.endswith(("Cargo.toml", "Cargo.lock", "package.json", "pyproject.toml", "CHANGELOG.md", "LICENSE-MIT", "LICENSE-APACHE")) and (root / f).exists():
                (copy / f).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(root / f, copy / f)
        _, problems = check(copy)
        assert not problems, f"the copy should pass first: {problems}"
        node = copy / "bindings/node/package.json"
        data = json.loads(node.read_text())
        data["version"] = "9.9.9"
        node.write_text(json.dumps(data))
        _, problems = check(copy)
        assert any("bindings/node/package.json: version is '9.9.9'" in p for p in problems), problems
    print("check_versions self-test: a version off in bindings/node/package.json is caught")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    version, problems = check(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    for p in problems:
        print(f"version check: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"version check: every manifest says {version}")

#!/usr/bin/env python3
"""Fails when two modules of a crate use each other, directly or through others.

Usage: check_module_cycles.py SRC_DIR [SRC_DIR ...] | --self-test

A module is a file (`a.rs`, `a/mod.rs`, `a/b.rs`). Its uses are the `crate::`, `super::` and
`self::` paths in its code (comments and `#[cfg(test)] mod … { … }` blocks left out), resolved
to the longest known module; a name the crate root re-exports resolves to where it comes from.
The crate root only declares and re-exports, so it is not a node of the graph.
"""

import os
import re
import sys
import tempfile

USE_RE = re.compile(r"\buse\s+([A-Za-z_{][^;]*);", re.S)
PATH_RE = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_]\w*)+)")


# One left-to-right scan, so that `//` inside a string ("https://…") or a quote inside a char
# literal ('"') cannot start a comment or a string.
TOKEN_RE = re.compile(
    r"//[^\n]*|/\*.*?\*/|(?<![\w])b?r(#*)\".*?\"\1|b?\"(?:\\.|[^\"\\])*\"|b?'(?:\\.|[^'\\])'",
    re.S,
)


def strip(text):
    """The code without comments, string literals and test modules."""
    text = TOKEN_RE.sub(lambda m: "" if m.group(0).startswith("/") else '""', text)
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", text)
        if not m:
            return text
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        text = text[: m.start()] + text[i:]


def expand(tree):
    """`crate::{a, b::{c, d}}` as `crate::a`, `crate::b::c`, `crate::b::d`."""
    tree = re.sub(r"\s+", "", tree)
    m = re.match(r"^([^{]*?)(?:::)?\{(.*)\}$", tree)
    if not m:
        return [re.sub(r"as\w+$", "", tree)]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ""
    for c in inner:
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        cur += c
    parts.append(cur)
    out = []
    for p in parts:
        if p and p != "self":
            out += expand(prefix + "::" + p)
        elif p == "self":
            out.append(prefix)
    return out


def modules(src):
    mods = {}
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel in (["lib"], ["main"]):
                rel = []
            mods["::".join(["crate"] + rel)] = os.path.join(dirpath, f)
    return mods


def graph(src):
    mods = modules(src)
    code = {m: strip(open(p, encoding="utf-8").read()) for m, p in mods.items()}
    # What the root re-exports: `pub use error::{Error, …}` makes `crate::Error` mean crate::error.
    reexports = {}
    for path in re.findall(r"\bpub\s+use\s+([^;]*);", code.get("crate", ""), re.S):
        for full in expand(path):
            full = full if full.startswith("crate::") else "crate::" + full
            name = full.rsplit("::", 1)[-1]
            reexports["crate::" + name] = full.rsplit("::", 1)[0]

    def resolve(here, path):
        parts = path.split("::")
        base = here.split("::")
        if parts[0] == "super":
            while parts and parts[0] == "super":
                base = base[:-1]
                parts = parts[1:]
            parts = base + parts
        elif parts[0] == "self":
            parts = base + parts[1:]
        elif parts[0] != "crate":
            # `use child::Item` names a child module in edition 2018; anything else is a crate.
            parts = base + parts
        for n in range(len(parts), 0, -1):
            cand = "::".join(parts[:n])
            if cand in reexports and n == 2:
                return reexports[cand]
            if cand in mods and cand != "crate":
                return cand
        return None

    edges = {m: set() for m in mods if m != "crate"}
    for m in edges:
        text = code[m]
        refs = []
        for tree in USE_RE.findall(text):
            refs += [r for r in expand(tree) if r.split("::")[0] in ("crate", "super", "self")
                     or "::".join([m, r.split("::")[0]]) in mods]
        rest = USE_RE.sub("", text)
        refs += [a + b for a, b in PATH_RE.findall(rest)]
        # `child::item` in code, for a child module declared here.
        for child in re.findall(r"\bmod\s+(\w+)\s*;", text):
            if re.search(r"(?<![:\w])" + child + r"::", rest):
                refs.append("self::" + child)
        for r in refs:
            target = resolve(m, r)
            if target and target != m and target in edges:
                edges[m].add(target)
    return edges


def cycles(edges):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def check(src, quiet=False):
    edges = graph(src)
    found = cycles(edges)
    for comp in [] if quiet else found:
        print(f"{src}: modules that use each other:", file=sys.stderr)
        for m in comp:
            print(f"  {m} -> {', '.join(sorted(edges[m] & set(comp)))}", file=sys.stderr)
    return len(found), len(edges)


def self_test():
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "a"))
        files = {
            "lib.rs": "pub mod a; mod b; mod c; pub use b::Thing;\n",
            "a/mod.rs": "mod x;\nmod y;\npub use x::X;\nfn f() { y::g() }\n",
            "a/y.rs": "pub fn g() {}\n",
            "a/x.rs": "use crate::Thing;\npub struct X(Thing);\n",
            "b.rs": "pub struct Thing;\n// crate::a::X in a comment is no use\n"
            "#[cfg(test)]\nmod tests { use crate::a::X; }\n",
            "c.rs": "use crate::{a::{X}, b};\n",
        }
        for name, text in files.items():
            with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                f.write(text)
        assert check(d, quiet=True)[0] == 0, "a graph without a cycle was reported"
        with open(os.path.join(d, "a", "y.rs"), "a", encoding="utf-8") as f:
            f.write("use super::X;\n")
        assert check(d, quiet=True)[0] == 1, "a -> a::y (a bare path in code) -> a was missed"
        with open(os.path.join(d, "a", "y.rs"), "w", encoding="utf-8") as f:
            f.write("pub fn g() {}\n")
        with open(os.path.join(d, "b.rs"), "a", encoding="utf-8") as f:
            f.write("fn f(_: crate::a::X) {}\n")
        assert check(d, quiet=True)[0] == 1, "b -> a::x -> b (through the root's re-export) was missed"
        with open(os.path.join(d, "a", "x.rs"), "w", encoding="utf-8") as f:
            f.write("pub struct X;\nfn g(_: super::super::c::Y) {}\n")
        with open(os.path.join(d, "c.rs"), "w", encoding="utf-8") as f:
            f.write("pub struct Y;\nuse crate::{a::{X as Z}};\n")
        with open(os.path.join(d, "b.rs"), "w", encoding="utf-8") as f:
            f.write("pub struct Thing;\n")
        assert check(d, quiet=True)[0] == 1, "a::x -> c -> a::x through super::super and a use tree was missed"
        with open(os.path.join(d, "c.rs"), "w", encoding="utf-8") as f:
            f.write("pub struct Y;\nfn h() -> char { let _ = \"https://x\"; crate::a::X; '\"' }\n")
        assert check(d, quiet=True)[0] == 1, "a use after // in a string or a quote in a char was missed"
    print("check_module_cycles: self-test passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    total = 0
    for src in sys.argv[1:]:
        n, count = check(src)
        total += n
        print(f"check_module_cycles: {src}: {count} modules, {n} cycles")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()

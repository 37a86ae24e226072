#!/usr/bin/env python3
"""Line coverage per module, from `cargo llvm-cov report --json --summary-only`.

A module is a file or folder one level below an area of src/ (src/domain/inventory/ is
domain::inventory, src/http/auth.rs is http::auth, src/app.rs is app). Prints every module with its
covered and total lines, then the whole crate, and exits 1 when the crate is below --total or a
module below --module (per cent), naming them. Test code (tests/, benches/, and src files named tests, props, *_tests or *_props*)
is not counted: a test that runs is not coverage.
(Test modules inline in a file, `mod tests { ... }`, are counted with it.)

usage: coverage.py REPORT.json [--total 90] [--module 80] [--warn-module 80]

--module fails the run for a module below it; --warn-module only names them.
"""
import argparse
import json
import math
import os
import sys
from pathlib import PurePosixPath


def is_test_only(part):
    """Files and folders the crate declares under #[cfg(test)]: tests, *_tests, props, *_props*."""
    stem = part[:-3] if part.endswith(".rs") else part
    return stem in ("tests", "props") or stem.endswith("_tests") or "_props" in stem


def module_of(path, root):
    rel = PurePosixPath(path).relative_to(root)
    parts = rel.parts
    if not parts or parts[0] != "src":
        return None
    parts = parts[1:]
    if any(is_test_only(p) for p in parts):
        return None
    name = [p[:-3] if p.endswith(".rs") else p for p in parts[:2]]
    if name and name[-1] == "mod":
        name = name[:-1]
    return "::".join(name) or None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--root", default=".")
    parser.add_argument("--total", type=float, default=0.0)
    parser.add_argument("--module", type=float, default=0.0)
    parser.add_argument("--warn-module", type=float, default=0.0)
    args = parser.parse_args()

    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    root = os.path.abspath(args.root)

    modules = {}
    for data in report["data"]:
        for file in data["files"]:
            try:
                module = module_of(file["filename"], root)
            except ValueError:
                continue  # a dependency's source, outside the clone
            if module is None:
                continue
            lines = file["summary"]["lines"]
            covered, count = modules.get(module, (0, 0))
            modules[module] = (covered + lines["covered"], count + lines["count"])

    if not modules:
        print("no source files of the crate in the report", file=sys.stderr)
        return 1

    low = []
    warned = []
    print(f"{'module':<32} {'lines':>7} {'covered':>8} {'%':>6}")
    for module in sorted(modules):
        covered, count = modules[module]
        # Rounded down, so that 79.98 % does not print as the 80.0 it falls short of.
        pct = math.floor(1000.0 * covered / count) / 10 if count else 100.0
        mark = ""
        if pct < args.module:
            low.append(f"{module} {pct:.1f} %")
            mark = f"  < {args.module:g} %"
        elif pct < args.warn_module:
            warned.append(f"{module} {pct:.1f} %")
            mark = f"  < {args.warn_module:g} % (warning)"
        print(f"{module:<32} {count:>7} {covered:>8} {pct:>6.1f}{mark}")
    covered = sum(c for c, _ in modules.values())
    count = sum(n for _, n in modules.values())
    total = math.floor(1000.0 * covered / count) / 10
    print(f"{'crate':<32} {count:>7} {covered:>8} {total:>6.1f}")

    if warned:
        print(f"warning: {len(warned)} modules below {args.warn_module:g} %: {', '.join(warned)}")
    failed = False
    if total < args.total:
        print(f"line coverage {total:.1f} % is below {args.total:g} %", file=sys.stderr)
        failed = True
    if low:
        print(f"modules below {args.module:g} %: {', '.join(low)}", file=sys.stderr)
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

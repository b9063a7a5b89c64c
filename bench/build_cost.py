#!/usr/bin/env python3
"""Times the build cost of spec headers: the DSL alone (`g++ -fsyntax-only` on the header), and,
when kiln-gen is given, generating each network's code and compiling it (-O3 -march=native).
Each step runs alone (no parallel build), best of --runs; writes JSON for report.py."""
import argparse
import json
import os
import subprocess
import sys
import time


def timed(cmd, runs):
    best = None
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(cmd, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            sys.stderr.write(f"build_cost: failed: {' '.join(cmd)}\n{result.stderr[-2000:]}\n")
            return None
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cxx", required=True)
    ap.add_argument("--std", default="-std=c++20")
    ap.add_argument("--include", nargs="*", default=[], help="include directories")
    ap.add_argument("--specs", nargs="+", required=True, help="spec headers")
    ap.add_argument("--root", default="", help="paths are shown relative to this")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    includes = [f"-I{d}" for d in args.include]
    specs = []
    for spec in args.specs:
        shown = os.path.relpath(spec, args.root) if args.root else spec
        dsl = timed([args.cxx, args.std, *includes, "-fsyntax-only", "-x", "c++", spec], args.runs)
        print(f"build_cost: {shown}: DSL only {dsl if dsl is None else round(dsl, 2)} s",
              file=sys.stderr)
        specs.append({"spec": shown, "dsl_s": dsl if dsl is not None else float("nan")})

    result = {
        "note": f"Best of {args.runs} runs of each step, one at a time, with `{args.cxx} "
                f"{args.std}`. The DSL figure is what every file including a spec header pays.",
        "specs": specs,
        "networks": [],
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()

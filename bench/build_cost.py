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


def network_names(kiln_gen, spec, includes, std):
    """The networks kiln-gen finds in a spec (`--list`: one `ns::name: ...` line each)."""
    result = subprocess.run([kiln_gen, spec, "--list", "--", std, *includes],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(f"build_cost: kiln-gen --list failed on {spec}\n{result.stderr}\n")
        return []
    return [line.split(": ", 1)[0] for line in result.stdout.splitlines()
            if line and not line[0].isspace() and ": " in line]


SOURCE = """#include "{header}"
#include <span>
template <class E>
void use(const E& e, std::span<const float> p, std::span<const float> x,
         std::span<const float> t, std::span<float> y, std::span<float> g, int batch) {{
  e.forward(p, x, y, batch);
  if constexpr (requires {{ e.loss(p, x, t, batch); }}) (void)e.loss(p, x, t, batch);
  if constexpr (requires {{ e.loss_and_gradient(p, x, t, g, batch); }})
    (void)e.loss_and_gradient(p, x, t, g, batch);
}}
template void use(const kiln::compiled<{name}, float>&, std::span<const float>,
                  std::span<const float>, std::span<const float>, std::span<float>,
                  std::span<float>, int);
"""


def generate_and_compile(args, includes, spec):
    """Per network: kiln-gen --network=NAME, then compiling a file that calls every entry point
    of kiln::compiled<NAME, float> (forward, loss, loss_and_gradient where the network has them),
    so all of its code, batch-1 and tile kernels, is generated. (An explicit instantiation of the
    class would not do: the entry points are members of its base, kernels::engine.)"""
    rows = []
    for name in network_names(args.kiln_gen, spec, includes, args.std):
        stem = name.replace("::", "_")
        header = os.path.join(args.work, f"{stem}.kiln.hpp")
        source = os.path.join(args.work, f"{stem}.cpp")
        gen = timed([args.kiln_gen, spec, "-o", header, f"--network={name}",
                     f"--spec-include={os.path.abspath(spec)}", "--", args.std, *includes],
                    args.runs)
        with open(source, "w") as f:
            f.write(SOURCE.format(header=header, name=name))
        compile_s = None
        if gen is not None:
            compile_s = timed([args.cxx, args.std, *args.flags.split(), *includes, "-c", source,
                               "-o", os.devnull], args.runs)
        print(f"build_cost: {name}: kiln-gen {gen} s, compile {compile_s} s", file=sys.stderr)
        rows.append({"name": name, "spec": os.path.relpath(spec, args.root) if args.root else spec,
                     "generate_s": gen, "compile_s": compile_s})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cxx", required=True)
    ap.add_argument("--std", default="-std=c++20")
    ap.add_argument("--include", nargs="*", default=[], help="include directories")
    ap.add_argument("--specs", nargs="+", required=True, help="spec headers")
    ap.add_argument("--root", default="", help="paths are shown relative to this")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kiln-gen", default="", help="kiln-gen; without it only the DSL is timed")
    ap.add_argument("--flags", default="-O3 -march=native", help="to compile generated code")
    ap.add_argument("--networks-of", nargs="*", default=[],
                    help="spec headers whose networks are generated and compiled one by one")
    ap.add_argument("--work", default=".", help="scratch directory")
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

    networks = []
    if args.kiln_gen:
        os.makedirs(args.work, exist_ok=True)
        for spec in args.networks_of:
            networks += generate_and_compile(args, includes, spec)

    result = {
        "note": f"Best of {args.runs} runs of each step, one at a time, with `{args.cxx} "
                f"{args.std}`. The DSL figure is what every file including a spec header pays.",
        "specs": specs,
        "networks": networks,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()

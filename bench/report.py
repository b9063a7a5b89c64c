#!/usr/bin/env python3
"""Writes the benchmark report (Markdown) from Google Benchmark JSON files and build_cost.json,
through a results file (bench/results.json) that also renders the tables other pages include.

Figures are medians over the repetitions, per sample (CPU time / batch), GFLOP/s counted from the
dense multiply-adds the network needs, and fractions of the measured FMA peak."""
import argparse
import json
import os
import platform
import re
import subprocess
import sys
from datetime import datetime, timezone

NETWORKS = {
    "A": "2-4-1 tanh/sigmoid, MSE",
    "B": "2-10-3 relu/softmax, cross-entropy",
    "C": "64-64-64-1 tanh/identity, MSE",
    "D": "784-128-10 relu/softmax, cross-entropy",
    "E": "32-64-[res 64-64]x2-10 relu/softmax, cross-entropy",
}
WORKLOADS = ["infer_1", "infer_256", "train_32", "train_256"]
BATCHED = ["infer_256", "train_32", "train_256"]
ENGINES = ["kiln", "generic", "eigen_fixed", "eigen_dynamic", "libtorch"]
ENGINE_TITLES = {
    "kiln": "kiln (generated)",
    "generic": "generic",
    "eigen_fixed": "Eigen fixed",
    "eigen_dynamic": "Eigen dynamic",
    "libtorch": "libtorch",
}
TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load_runs(paths):
    """{(net, workload, engine): {...}} from benchmark JSON files: each file's median aggregate,
    then the median over the files that measured it (the rounds of `bench_report`), with
    "rounds", how many they were."""
    measured, errors, context = {}, [], {}
    for path in paths:
        if not path or not os.path.exists(path):
            continue
        with open(path) as f:
            data = json.load(f)
        context = context or data.get("context", {})
        runs = {}
        for b in data.get("benchmarks", []):
            name = b.get("run_name", b["name"])
            for suffix in ("/real_time", "/process_time", "/manual_time"):
                name = name.replace(suffix, "")
            if b.get("error_occurred"):
                errors.append(f"{name}: {b.get('error_message', '?')}")
                continue
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            parts = name.split("/")
            key = tuple(parts[:3]) if len(parts) >= 3 else tuple(parts)
            if b.get("run_type") == "iteration" and key in runs:
                continue  # a median aggregate (when present) wins over single runs
            runs[key] = {
                "ns": b["cpu_time"] * TO_NS[b.get("time_unit", "ns")],
                "flops": b.get("flops", 0.0),
                "batch": b.get("batch", 1.0),
                "label": b.get("label", ""),
            }
        for key, run in runs.items():
            measured.setdefault(key, []).append(run)
    # The round with the median time (the lower of the two middle ones for an even count), so
    # that its time and its FLOP rate come from one measurement.
    combined = {}
    for key, rounds in measured.items():
        middle = sorted(rounds, key=lambda r: r["ns"])[(len(rounds) - 1) // 2]
        combined[key] = dict(middle, rounds=len(rounds))
    return combined, sorted(set(errors)), context


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or "unknown"


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.3g} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.3g} µs"
    return f"{ns:.3g} ns"


def fmt_ratio(r):
    return f"{r:.3g}x" if r is not None else "–"


def collect(args):
    """Everything the report shows, from the raw outputs of a run: the results file's content."""
    runs, errors, context = load_runs(args.json)
    cost = None
    if args.build_cost and os.path.exists(args.build_cost):
        with open(args.build_cost) as f:
            cost = json.load(f)
    source = ""
    if args.source:
        try:
            source = subprocess.run(["git", "-C", args.source, "log", "-1", "--format=%h %cd",
                                     "--date=format:%Y-%m-%d %H:%M"], capture_output=True,
                                    text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            pass
    return {
        "written": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": cpu_model(),
        "cpus": context.get("num_cpus", os.cpu_count()),
        "mhz": context.get("mhz_per_cpu", "?"),
        "load_avg": context.get("load_avg", []),
        "source": source,
        "compiler": args.compiler,
        "flags": args.flags,
        "torch": args.torch,
        "runs": [dict(r, key=list(k)) for k, r in sorted(runs.items())],
        "errors": errors,
        "build_cost": cost,
    }


def render(res):
    """{"RESULTS.md": text, block name: text} for a results dict (what `collect` returns)."""
    runs = {tuple(r["key"]): r for r in res["runs"]}
    errors = res.get("errors", [])
    peak = runs.get(("peak", "fma"), {}).get("flops", 0.0)
    have = {e for (_, _, e) in (k for k in runs if len(k) == 3)}
    engines = [e for e in ENGINES if e in have]

    def ns(net, wl, eng):
        r = runs.get((net, wl, eng))
        return r["ns"] / r["batch"] if r else None

    def gflops(net, wl, eng):
        r = runs.get((net, wl, eng))
        return r["flops"] / 1e9 if r else None

    def speedup(net, wl, other):
        a, b = ns(net, wl, "kiln"), ns(net, wl, other)
        return b / a if a and b else None

    def pct(net, wl):
        g = gflops(net, wl, "kiln")
        return 100 * g * 1e9 / peak if g and peak else None

    machine = (f"{res['machine']}, {res['cpus']} cores at {res['mhz']} MHz (nominal), one thread; "
               "load average when the benchmarks started: "
               f"{', '.join(f'{x:.2f}' for x in res.get('load_avg', []))}")

    out = []
    w = out.append
    w("# Kiln benchmark results")
    w("")
    w("Written by `bench/report.py` (target `bench_report`, run by `./kiln.sh bench`) on "
      f"{res['written']}, from [`results.json`](results.json).")
    w("")
    if res.get("note"):
        w(f"- Note: {res['note']}")
    w(f"- Machine: {machine}.")
    if res.get("source"):
        w(f"- Source: commit {res['source']} of the Kiln tree (kiln-gen and the generated code as "
          "of then; uncommitted changes of the working tree included).")
    w(f"- Compiler: {res['compiler']}; benchmark targets built with `{res['flags']}` (Release).")
    if peak:
        label = runs[("peak", "fma")]["label"]
        w(f"- Peak: **{peak / 1e9:.1f} GFLOP/s** per core, measured by `peak/fma` ({label}, 12 "
          "independent FMA chains); every fraction of peak below is of this figure.")
    if res.get("torch"):
        w(f"- libtorch: {res['torch']}.")
    rounds = max((r.get("rounds", 1) for r in runs.values()), default=1)
    w(f"- Times are CPU time per sample: the median of {rounds} round(s), each the median of its "
      "repetitions. A round runs every benchmark of `kiln_bench`, then of `kiln_bench_torch`, "
      "with repetitions in random interleaved order, so that a slow spell of the shared machine "
      "falls on every engine alike and the ratios below compare like with like (CPU time is "
      "steadier than wall time under load). FLOPs count 2·in·out per dense layer and "
      "sample for inference; a training step counts what it needs: forward, d_W and d_x of "
      "every dense layer (3x), but no d_x for the layer that reads the input (2x).")
    w("- Every benchmark first checks its engine against the generic engine (same parameters "
      "and inputs, outputs or loss and gradient to ~1e-4 relative) and is reported as an error "
      "instead of timed when they disagree.")
    if "kiln" not in have:
        w("- **The generated kernels (`kiln::compiled`) are not in this run**: `kiln_add_network` "
          "was not available when it was built, so every ratio to them is `–`.")
    w("")

    w("## Time per sample")
    w("")
    for wl in WORKLOADS:
        w(f"### {wl.replace('_', ', batch ')}")
        w("")
        w("| network | " + " | ".join(ENGINE_TITLES[e] for e in engines) + " |")
        w("|---|" + "---:|" * len(engines))
        for net in NETWORKS:
            cells = []
            for e in engines:
                v = ns(net, wl, e)
                g = gflops(net, wl, e)
                if v is None:
                    cells.append("–")
                else:
                    frac = f", {100 * g * 1e9 / peak:.0f}%" if peak and g else ""
                    cells.append(f"{fmt_ns(v)} ({g:.3g} GF/s{frac})")
            w(f"| {net} | " + " | ".join(cells) + " |")
        w("")

    others = [e for e in engines if e != "kiln"]
    w("## Speed-up of the generated kernels")
    w("")
    w("Time of the other engine / time of `kiln::compiled` (above 1: the generated code is "
      "faster).")
    w("")
    w("| network | workload | " + " | ".join(f"vs {ENGINE_TITLES[e]}" for e in others) + " |")
    w("|---|---|" + "---:|" * len(others))
    for net in NETWORKS:
        for wl in WORKLOADS:
            w(f"| {net} | {wl} | " +
              " | ".join(fmt_ratio(speedup(net, wl, e)) for e in others) + " |")
    w("")

    targets = ["| target | measured | verdict |", "|---|---|---|"]

    def check(title, pairs, goal):
        """pairs: [(where, value)], goal: minimum; reports the worst."""
        vals = [(where, v) for where, v in pairs if v is not None]
        if not vals:
            targets.append(f"| {title} | not measured | – |")
            return
        where, worst = min(vals, key=lambda p: p[1])
        missing = len(pairs) - len(vals)
        note = f" ({missing} not measured)" if missing else ""
        verdict = "met" if worst >= goal and not missing else "**missed**"
        targets.append(f"| {title} | worst {worst:.3g} at {where}{note} | {verdict} |")

    check("faster than Eigen fixed-size everywhere",
          [(f"{n} {wl}", speedup(n, wl, "eigen_fixed")) for n in NETWORKS for wl in WORKLOADS], 1.0)
    for net, goal in [("B", 5.0), ("C", 1.3), ("D", 1.3)]:
        check(f"{net}: >= {goal:g}x faster than Eigen fixed-size, batched",
              [(f"{net} {wl}", speedup(net, wl, "eigen_fixed")) for wl in BATCHED], goal)
    check(">= 15x faster than generic on every batched workload",
          [(f"{n} {wl}", speedup(n, wl, "generic")) for n in NETWORKS for wl in BATCHED], 15.0)
    for net, goal in [("D", 2.0), ("C", 3.0), ("A", 50.0), ("B", 50.0)]:
        check(f"{net}: >= {goal:g}x faster than libtorch",
              [(f"{net} {wl}", speedup(net, wl, "libtorch")) for wl in WORKLOADS], goal)
    for net, goal in [("C", 60.0), ("D", 75.0)]:
        check(f"{net}: batched training at >= {goal:g}% of peak (%)",
              [(f"{net} {wl}", pct(net, wl)) for wl in ["train_32", "train_256"]], goal)
    cost = res.get("build_cost")
    if cost:
        pairs = []
        for n in cost.get("networks", []):
            total = None
            if n.get("generate_s") is not None and n.get("compile_s") is not None:
                total = n["generate_s"] + n["compile_s"]
            pairs.append((n["name"], None if total is None else 5.0 / total))
        check("each example network generates + compiles in < 5 s (5 s / measured)", pairs, 1.0)
    w("## Targets (issue 6)")
    w("")
    out.extend(targets)
    w("")

    if cost:
        w("## Build cost")
        w("")
        w(cost.get("note", ""))
        w("")
        w("| spec header | DSL only (`g++ -fsyntax-only`) |")
        w("|---|---:|")
        for s in cost.get("specs", []):
            w(f"| `{s['spec']}` | {s['dsl_s']:.2f} s |")
        w("")
        if cost.get("networks"):
            w("| network | kiln-gen | compile the generated code | total |")
            w("|---|---:|---:|---:|")
            for n in cost["networks"]:
                g, c = n.get("generate_s"), n.get("compile_s")
                tot = g + c if g is not None and c is not None else None
                f = lambda v: f"{v:.2f} s" if v is not None else "–"
                w(f"| {n['name']} | {f(g)} | {f(c)} | {f(tot)} |")
            w("")

    if errors:
        w("## Errors")
        w("")
        for e in errors:
            w(f"- {e}")
        w("")

    where = f"{res['machine']}, {res['cpus']} cores"
    if peak:
        where += f", peak {peak / 1e9:.1f} GFLOP/s per core"
    where += f"; {res['compiler']} `{res['flags']}`"
    if res.get("source"):
        where += f"; commit {res['source'].split()[0]}"

    # The summary: every workload, every engine, time per sample.
    summary = ["| network | workload | " + " | ".join(ENGINE_TITLES[e] for e in engines) +
               (" | kiln % of peak |" if "kiln" in engines and peak else " |"),
               "|---|---|" + "---:|" * (len(engines) + ("kiln" in engines and bool(peak)))]
    for net in NETWORKS:
        for wl in WORKLOADS:
            cells = [fmt_ns(ns(net, wl, e)) if ns(net, wl, e) else "–" for e in engines]
            if "kiln" in engines and peak:
                p = pct(net, wl)
                cells.append(f"{p:.0f}%" if p else "–")
            summary.append(f"| {net} | {wl} | " + " | ".join(cells) + " |")
    summary += ["", f"CPU time per sample, median of {rounds} round(s); {where}."]

    # The headline: one line per network, the batched training step and the single inference.
    headline = ["| network | training step, batch 256 | % of peak | vs generic | vs Eigen "
                "fixed-size | vs libtorch | inference, batch 1 | vs Eigen fixed-size |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for net, what in NETWORKS.items():
        t, i, p = ns(net, "train_256", "kiln"), ns(net, "infer_1", "kiln"), pct(net, "train_256")
        headline.append(
            f"| {net}: {what} | {fmt_ns(t) if t else '–'} | {f'{p:.0f}%' if p else '–'} | "
            f"{fmt_ratio(speedup(net, 'train_256', 'generic'))} | "
            f"{fmt_ratio(speedup(net, 'train_256', 'eigen_fixed'))} | "
            f"{fmt_ratio(speedup(net, 'train_256', 'libtorch'))} | {fmt_ns(i) if i else '–'} | "
            f"{fmt_ratio(speedup(net, 'infer_1', 'eigen_fixed'))} |")
    headline += ["", f"Time per sample of the generated code and its speed-up over each engine "
                 f"(\"vs\": their time / kiln's); {where}."]

    return {"RESULTS.md": "\n".join(out), "headline": "\n".join(headline),
            "summary": "\n".join(summary), "targets": "\n".join(targets)}


BLOCK = re.compile(r"(<!-- bench:(\w+) begin[^>]*-->\n)(.*?)(<!-- bench:\2 end -->)", re.S)


def blocks_of(text):
    return {m.group(2): m.group(3) for m in BLOCK.finditer(text)}


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def update(path, rendered):
    """Rewrites every bench block of a Markdown file with what `render` made of it."""
    with open(path) as f:
        text = f.read()

    def repl(m):
        if m.group(2) not in rendered or m.group(2) == "RESULTS.md":
            sys.exit(f"{path}: unknown block bench:{m.group(2)}")
        return m.group(1) + rendered[m.group(2)] + "\n" + m.group(4)

    new = BLOCK.sub(repl, text)
    if new != text:
        write_atomically(path, new)


def check(results_md, pages, rendered):
    """The problems: RESULTS.md or a page's block differs from the rendering, or a block is
    nowhere."""
    problems = []
    with open(results_md) as f:
        if f.read() != rendered["RESULTS.md"]:
            problems.append(f"{results_md} is not what report.py renders from the results file")
    found = set()
    for page in pages:
        with open(page) as f:
            text = f.read()
        for name, body in blocks_of(text).items():
            found.add(name)
            if name not in rendered or name == "RESULTS.md":
                problems.append(f"{page}: unknown block bench:{name}")
            elif body != rendered[name] + "\n":
                problems.append(f"{page}: block bench:{name} is not what report.py renders from "
                                "the results file")
    for name in sorted(set(rendered) - {"RESULTS.md"} - found):
        problems.append(f"no page has the block bench:{name} (between `<!-- bench:{name} begin "
                        f"-->` and `<!-- bench:{name} end -->`)")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", nargs="+", help="Google Benchmark JSON outputs (a new run)")
    ap.add_argument("--build-cost", help="build_cost.json")
    ap.add_argument("--compiler", default="")
    ap.add_argument("--flags", default="-O3 -march=native")
    ap.add_argument("--torch", default="", help="how libtorch was built and run")
    ap.add_argument("--source", default="", help="the Kiln source tree, to name its commit")
    ap.add_argument("--results", required=True,
                    help="the results file: written from --json, else read")
    ap.add_argument("--out", help="write RESULTS.md here")
    ap.add_argument("--update", nargs="*", default=[],
                    help="Markdown pages whose bench blocks to rewrite")
    ap.add_argument("--check", nargs="*",
                    help="RESULTS.md, then the pages: exit 1 unless all equal the rendering")
    args = ap.parse_args()

    if args.json:
        res = collect(args)
        write_atomically(args.results, json.dumps(res, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {args.results}", file=sys.stderr)
    else:
        with open(args.results) as f:
            res = json.load(f)
    rendered = render(res)
    if args.out:
        write_atomically(args.out, rendered["RESULTS.md"])
        print(f"wrote {args.out}", file=sys.stderr)
    for page in args.update:
        update(page, rendered)
    if args.check is not None:
        if not args.check:
            sys.exit("--check needs RESULTS.md and the pages")
        problems = check(args.check[0], args.check[1:], rendered)
        for p in problems:
            print(f"error: {p}", file=sys.stderr)
        if problems:
            print("run `python3 bench/report.py --results bench/results.json --out bench/RESULTS.md"
                  " --update README.md docs/*.md` to rewrite them", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()

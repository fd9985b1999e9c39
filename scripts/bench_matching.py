#!/usr/bin/env python3
"""Side-by-side matching benchmark: the reference solvers (shared/bench/anchors.py) and
`flipside solve` on the same instance files, in one run. Prints a Markdown table row per instance.

    python3 -m venv .venv-bench && .venv-bench/bin/pip install numpy scipy lap lapjv ortools matching
    swift build -c release --product flipside          # or FLIPSIDE_BIN=path/to/flipside
    .venv-bench/bin/python scripts/bench_matching.py dense_1000 dense_2000 rect_2000x6000 cap_2000x1000:2

Instances are made with shared/bench/gen.py into bench-data/ if missing (dense_N: --n N --seed 1;
rect_RxC / cap_RxC: --n R --m C --seed 1). A name may end in :K for capacity K, and :stable to run
the stable algorithm against the Python Gale-Shapley reference.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "bench")
PY = sys.executable
FLIPSIDE = os.environ.get("FLIPSIDE_BIN", os.path.join(ROOT, ".build", "release", "flipside"))


def instance(name):
    path = os.path.join(ROOT, "bench-data", name + ".bin")
    if not os.path.exists(path):
        kind, _, size = name.partition("_")
        if "x" in size:
            n, m = size.split("x")
        else:
            n = m = size
        subprocess.run([PY, os.path.join(SHARED, "gen.py"), "--n", n, "--m", m, "--seed", "1", "--out", path],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def references(path, cap, stable, skip):
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as f:
        out = f.name
    args = [PY, os.path.join(SHARED, "anchors.py"), path, "--cap", str(cap), "--jsonl", out, "--budget-s", "60"]
    if stable:
        args += ["--solvers", "scipy_lsa,gs_python"]
    elif skip:
        args += ["--skip", skip]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    recs = [json.loads(l) for l in open(out)]
    os.unlink(out)
    return [r for r in recs if r.get("status") == "ok"]


def ours(path, cap, algorithm, reps=3):
    best = None
    for _ in range(reps):
        out = subprocess.run([FLIPSIDE, "solve", "--matrix", path, "--capacity", str(cap), "--algorithm", algorithm],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        if best is None or r["solve_seconds"] < best["solve_seconds"]:
            best = r
    return best


def main(names):
    print("| instance | algorithm | reference solve seconds | fastest reference | flipside solve s | ratio | flipside total | reference total | pairs |")
    print("|---|---|---|---|---|---|---|---|---|")
    for spec in names:
        parts = spec.split(":")
        name = parts[0]
        cap = int(next((p for p in parts[1:] if p.isdigit()), "1"))
        stable = "stable" in parts
        skip = next((p[5:] for p in parts[1:] if p.startswith("skip=")), "")
        path = instance(name)
        refs = references(path, cap, stable, skip)
        kind = "stable" if stable else "optimal"
        pool = [r for r in refs if (r["kind"] == "stable") == stable or (not stable and r["kind"] == "approx")]
        fastest = min(pool, key=lambda r: r["solve_s"])
        exact = [r for r in refs if r["kind"] == ("stable" if stable else "optimal")]
        ref_total = max(r["total"] for r in exact) if not stable else exact[0]["total"]
        me = ours(path, cap, "stable" if stable else "optimal")
        cells = ", ".join(f"{r['solver']} {r['solve_s']:.3f}" for r in refs if r in pool)
        print(f"| {name}{' cap ' + str(cap) if cap > 1 else ''} | {kind} | {cells} | {fastest['solver']} | "
              f"{me['solve_seconds']:.3f} | {me['solve_seconds'] / fastest['solve_s']:.2f} | {me['total']:.6f} | "
              f"{ref_total:.6f} | {me['pairs']} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Benchmark of course.data: building the datasets, the 160k scenario, and loading each dataset.

Run: ``.venv/bin/python benchmarks/bench_data.py [--skip-scenario]``

Every measure runs in a fresh subprocess, so its peak memory (``ru_maxrss``) is its own; times are
measured inside the subprocess, after imports. Each figure is printed with a baseline measured in
the same run on the same data:

- build (all default datasets)  vs  pandas ``to_csv`` of the same frames;
- build (edf-160k scenario)     vs  pandas ``to_csv`` (gzip, same level) of the same frames;
- ``course.data.load(name)``     vs  a plain ``pandas.read_csv`` of the same file.

Targets (issue #3): default build < 60 s, 160k scenario < 120 s, any load < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"build": 60.0, "scenario": 120.0, "load": 1.0}


# --------------------------------------------------------------------------- workers


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def worker(task: str, arg: str, out: str) -> dict:
    """Run one measured task in this process and return its figures."""
    import pandas as pd

    from course import data
    from course.data import _core

    if task == "build":
        started = time.perf_counter()
        data.build(out=out, progress=False)
        seconds = time.perf_counter() - started
    elif task == "scenario":
        started = time.perf_counter()
        data.build(scenario="edf-160k", out=out, progress=False)
        seconds = time.perf_counter() - started
    elif task in ("to_csv", "to_csv_scenario"):
        # Baseline: pandas' own writer on the frames the build wrote (read before timing).
        scenario = "edf-160k" if task == "to_csv_scenario" else _core.DEFAULT_SCENARIO
        names = _core.scenario_names(scenario)
        frames = {n: data.load(n, scenario=scenario, data_dir=arg) for n in names}
        started = time.perf_counter()
        for name, frame in frames.items():
            gz = _core.read_manifest(Path(arg))[name]["file"].endswith(".gz")
            level = 1 if scenario != _core.DEFAULT_SCENARIO else 6
            compression = {"method": "gzip", "compresslevel": level, "mtime": 0} if gz else None
            frame.to_csv(Path(out) / f"{name}.csv", index=False, compression=compression)
        seconds = time.perf_counter() - started
    elif task == "load":
        name, _, scenario = arg.partition(":")
        started = time.perf_counter()
        data.load(name, scenario=scenario or _core.DEFAULT_SCENARIO, data_dir=out or None)
        seconds = time.perf_counter() - started
    elif task == "read_csv":
        name, _, scenario = arg.partition(":")
        path, _record = _core.locate(
            name, scenario or _core.DEFAULT_SCENARIO, Path(out) if out else None
        )
        started = time.perf_counter()
        pd.read_csv(path)
        seconds = time.perf_counter() - started
    else:
        raise ValueError(task)
    return {"seconds": seconds, "peak_mb": _peak_mb()}


def measure(task: str, arg: str = "", out: str = "") -> dict:
    """Run ``worker(task)`` in a subprocess and return its figures."""
    result = subprocess.run(
        [sys.executable, __file__, "--worker", task, "--arg", arg, "--out", out],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{task} {arg} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def line(label: str, figures: dict, baseline: dict, target: float | None = None) -> str:
    ratio = figures["seconds"] / baseline["seconds"] if baseline["seconds"] else float("inf")
    verdict = ""
    if target is not None:
        verdict = "  ok" if figures["seconds"] < target else f"  OVER target {target:.0f} s"
    return (
        f"{label:<28} {figures['seconds']:8.3f} s  peak {figures['peak_mb']:7.0f} MB   "
        f"baseline {baseline['seconds']:8.3f} s  peak {baseline['peak_mb']:7.0f} MB   "
        f"ratio {ratio:5.2f}x{verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--arg", default="", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    parser.add_argument("--skip-scenario", action="store_true", help="skip the 160k scenario")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.arg, args.out)))
        return 0

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from course import data

    print(__doc__.split("\n\n")[0])
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    print(
        "ratio = measure / baseline (lower is better); peak = max resident memory of the process\n"
    )
    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
        root = Path(tmp)
        built, baseline_dir = root / "built", root / "baseline"
        baseline_dir.mkdir()
        build = measure("build", out=str(built))
        to_csv = measure("to_csv", arg=str(built), out=str(baseline_dir))
        print(line("build all default datasets", build, to_csv, TARGETS["build"]))
        print("  (baseline: pandas to_csv of the same 13 frames)")

        if not args.skip_scenario:
            scenario_dir, scenario_base = root / "edf", root / "edf-baseline"
            scenario_base.mkdir()
            scenario = measure("scenario", out=str(scenario_dir))
            base = measure("to_csv_scenario", arg=str(scenario_dir), out=str(scenario_base))
            print(line("build edf-160k scenario", scenario, base, TARGETS["scenario"]))
            print("  (baseline: pandas to_csv, gzip level 1, of the same 2 frames)")

        print("\nload(name) vs pandas.read_csv(same file):")
        worst = 0.0
        for name in data.names():
            loaded = measure("load", arg=name)
            plain = measure("read_csv", arg=name)
            worst = max(worst, loaded["seconds"])
            print(line(f"  {name}", loaded, plain, TARGETS["load"]))
        if not args.skip_scenario:
            for name in ("employees", "rse_usage"):
                loaded = measure("load", arg=f"{name}:edf-160k", out=str(scenario_dir))
                plain = measure("read_csv", arg=f"{name}:edf-160k", out=str(scenario_dir))
                print(line(f"  {name} (edf-160k)", loaded, plain))
        print(f"\nslowest default load: {worst:.3f} s (target < {TARGETS['load']:.0f} s)")
        print(f"load average {os.getloadavg()[0]:.1f} at the end (times stretch on a busy machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

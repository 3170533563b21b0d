"""``course data``: list, describe, build and verify the course datasets."""

from __future__ import annotations

import argparse
import sys
import time

from course import data
from course.data import _core


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the ``course data`` sub-commands on ``parser``.

    Args:
        parser: the ``data`` sub-parser created by ``course/cli.py``.
    """
    sub = parser.add_subparsers(dest="data_command", metavar="{list,card,build,verify}")
    sub.required = True
    sub.add_parser("list", help="list the datasets with their rows and one line each")
    card = sub.add_parser("card", help="print the data card of a dataset")
    card.add_argument("name", help="dataset name (see `course data list`)")
    build = sub.add_parser("build", help="regenerate dataset files (byte-identical)")
    build.add_argument(
        "--scenario",
        default=_core.DEFAULT_SCENARIO,
        help="'default' (the shipped files) or e.g. 'edf-160k'",
    )
    build.add_argument("--only", nargs="+", metavar="NAME", help="build only these datasets")
    build.add_argument(
        "--out",
        metavar="DIR",
        help="output folder (default: datasets/, or the user cache for a scenario)",
    )
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    verify = sub.add_parser("verify", help="check files against their SHA-256 and schema")
    verify.add_argument("--scenario", default=_core.DEFAULT_SCENARIO)
    verify.add_argument("--data-dir", metavar="DIR", help="folder to check instead of the default")


def run(args: argparse.Namespace) -> int:
    """Run one ``course data`` sub-command.

    Args:
        args: parsed arguments.

    Returns:
        The exit status: 0 on success, 1 when a check fails, 2 on bad input.
    """
    try:
        if args.data_command == "list":
            return _list()
        if args.data_command == "card":
            print(data.card(args.name))
            return 0
        if args.data_command == "build":
            return _build(args)
        return _verify(args)
    except KeyError as exc:
        print(f"course data: {exc.args[0]}", file=sys.stderr)
        return 2
    except data.DatasetError as exc:
        print(f"course data: {exc}", file=sys.stderr)
        return 1


def _list() -> int:
    manifest = _core.read_manifest(_core.REPO_DATASETS)
    for name in data.names():
        rows = manifest.get(name, {}).get("rows")
        shown = f"{rows:>8,}" if rows is not None else "   (none)"
        print(f"{name:<18} {shown}  {_core.get_spec(name).summary}")
    return 0


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    written = data.build(
        only=args.only, scenario=args.scenario, out=args.out, progress=not args.quiet
    )
    folder = args.out or _core.scenario_dir(args.scenario)
    for record in written.values():
        print(
            f"wrote {folder}/{record['file']}  {record['rows']:,} rows  {record['bytes']:,} bytes"
        )
    print(f"built {len(written)} dataset(s) in {time.perf_counter() - started:.1f} s")
    return 0


def _verify(args: argparse.Namespace) -> int:
    problems = data.verify(args.scenario, args.data_dir)
    checked = _core.scenario_names(args.scenario)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} of {len(checked)} dataset(s) failed verification", file=sys.stderr)
        return 1
    print(f"all {len(checked)} dataset(s) match their SHA-256 and schema")
    return 0

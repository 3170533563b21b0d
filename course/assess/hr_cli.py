"""``course hr``: publish HR releases, export them, and issue invitation codes.

Examples::

    course hr invite --count 200 > codes.txt   # one code per person, shown once
    course hr publish                          # exit 2 (and the groups that wait) if held back
    course hr export --out hr-release/         # one CSV per view of the latest release
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the subcommands of ``course hr`` to ``parser``."""
    sub = parser.add_subparsers(dest="hr_command", metavar="SUBCOMMAND")
    sub.required = True
    invite = sub.add_parser("invite", help="issue one-time contribution codes (stdout)")
    invite.add_argument("--count", type=int, required=True, help="how many codes (1–100000)")
    publish = sub.add_parser(
        "publish", help="publish a release if every changed number reflects k changes"
    )
    publish.add_argument(
        "--no-reduce", action="store_true", help="skip showing again what the audit allows"
    )
    export = sub.add_parser("export", help="write the latest release as CSV files")
    export.add_argument("--out", required=True, help="folder to write into")


def run(args: argparse.Namespace) -> int:
    """Run one ``course hr`` subcommand.

    Returns:
        0 on success; 2 when a release is held back, nothing is published yet, or the input is
        refused; 1 when the database is unavailable.
    """
    from course.assess.store import StoreUnavailable, get_store

    store = get_store()
    try:
        if args.hr_command == "invite":
            return _invite(store, args.count)
        if args.hr_command == "publish":
            return _publish(store, reduce=not args.no_reduce)
        return _export(store, args.out)
    except StoreUnavailable as exc:
        print(f"course hr: {exc}", file=sys.stderr)
        return 1


def _invite(store, count: int) -> int:
    try:
        codes = store.invite(count)
    except ValueError as exc:
        print(f"course hr invite: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write("".join(code + "\n" for code in codes))
    print(
        f"course hr invite: {len(codes)} code(s) issued; only their hashes are kept",
        file=sys.stderr,
    )
    return 0


def _publish(store, reduce: bool) -> int:
    from course.assess.privacy import K
    from course.assess.releases import publish

    result = publish(store, reduce=reduce)
    if result.status == "unchanged":
        print(f"course hr publish: nothing changed since release {result.release['number']}")
        return 0
    if result.status == "waiting":
        print(
            "course hr publish: held back; these groups have fewer than "
            f"{K} changes "
            "(people added, withdrawn or changed) since the last release:",
            file=sys.stderr,
        )
        for table, group, changes in result.waiting:
            labels = ", ".join(f"{key}={value}" for key, value in group.items())
            print(f"  {table}: {labels}: {changes} change(s)", file=sys.stderr)
        return 2
    release = result.release
    hidden = sum(loss["cells"] for loss in result.loss.values())
    people = sum(loss["people"] for loss in result.loss.values())
    print(
        f"course hr publish: release {release['number']} published "
        f"({release['published_at']:%Y-%m-%d %H:%M} UTC); information loss: {hidden} cell(s) "
        f"hidden, {people} person-count(s) in hidden groups of at least k"
    )
    return 0


def _export(store, out: str) -> int:
    from course.assess.releases import export

    release = store.latest_release()
    if release is None:
        print("course hr export: nothing published yet (run `course hr publish`)", file=sys.stderr)
        return 2
    files = export(release, out)
    print(f"course hr export: release {release['number']}: {len(files)} file(s) in {out}")
    return 0

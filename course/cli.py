"""The ``course`` command.

Each command group lives in its own module, imported only when used, which exposes
``add_arguments(parser)`` and ``run(args) -> int``. Add a group by adding one line to ``GROUPS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module path, one-line help)
GROUPS: dict[str, tuple[str, str]] = {
    "data": ("course.data.cli", "list, describe, build and verify the course datasets"),
    "grade": ("course.grading.cli", "release, collect, autograde and report nbgrader assignments"),
    "apps": ("course.apps", "serve the Voilà dashboards"),
    "progress": ("course.tracking", "show your practice progress per module"),
    "lessons": ("course.workspace", "your own copies of the lessons in my_lessons/; reset one"),
    "sources": ("course.sources", "render and check the source register (docs/sources.md)"),
    "bundle": ("course.bundle", "write the student edition (no solutions, no grading material)"),
    "hr": ("course.assess.hr_cli", "HR releases: invite codes, publish, export"),
}


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser, importing each command group's module."""
    parser = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="group", metavar="COMMAND")
    sub.required = True
    for name, (module_path, help_text) in GROUPS.items():
        group_parser = sub.add_parser(name, help=help_text, description=help_text)
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as exc:  # a group not built yet must not break the others
            if exc.name != module_path:
                raise
            group_parser.set_defaults(_run=_missing(name))
            continue
        module.add_arguments(group_parser)
        group_parser.set_defaults(_run=module.run)
    return parser


def _missing(name: str):
    def run(_args: argparse.Namespace) -> int:
        print(f"course {name}: not available in this version", file=sys.stderr)
        return 2

    return run


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``course`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

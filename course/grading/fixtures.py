"""Fixture submissions: turn ``exercises/fixtures/<assignment>/cases.toml`` into student folders.

A case is a submission built from the release (student) version of the assignment. By default
every solution cell is filled from the source solution; then the case's changes apply::

    [[case]]
    name = "wrong_m1_q1"            # also the student id of the submission
    expect = "lose:m1_q1"           # "full", "zero", "lose:<prefix>[,<prefix>…]", "error"
    fill = true                     # false: keep the release's placeholders
    delete = ["m1_q1_share_tests"]  # grade ids of cells removed from the notebook
    raw = "{not json"               # write this text instead of a notebook
    missing = true                  # submit the folder without the notebook
    notebook = "m1_roles.ipynb"     # which notebook raw/missing apply to (the first by default)
    [[case.edit]]
    cell = "m1_q1_share_women"      # grade id of the cell whose source is replaced
    source = "share_women = 0.9"

Expectations, checked against the gradebook's autograded scores (manually graded cells aside):
``full`` every autograded cell earns its points; ``zero`` none does; ``lose:P`` exactly the cells
whose grade id starts with ``P_`` earn nothing and all others earn everything; ``error`` the
submission is reported as not gradable. When a cases file has no case named ``solution`` or
``release``, those two are added (full marks, and zero for the untouched release).

Attack files (``exercises/fixtures/attacks/*.toml``, format in their ``README.md``) are generic:
they name cells by role (``first_answer``, ``middle_answer``…), so every attack applies to every
assignment. :func:`load_attacks` reads them and :func:`attack_case` turns one into a :class:`Case`
for a given assignment. The *autograded answer cells* of a notebook are its code cells with
``solution: true`` and ``grade: false``, in notebook order; the *question* of an answer cell is
that cell plus the autograded test cells (``grade: true``, ``solution: false``) that follow it up
to the next answer cell; the *middle* answer cell is the one at index ``n // 2`` (0-based) of the
``n`` answer cells of the notebook's first notebook with answers (m1_roles: 7 answers, the 4th).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

CASES_FILE = "cases.toml"
KNOWN_KEYS = {"name", "expect", "edit", "fill", "delete", "raw", "missing", "notebook", "note"}
ATTACKS_FOLDER = "attacks"
ATTACK_KEYS = {"name", "expect", "fill", "edit", "note", "requires"}
ATTACK_EXPECT_RE = re.compile(r"^(blank|full|lose:(first|middle|last))$")
ROLES = ("first_answer", "every_answer", "middle_answer", "last_answer")
POSITIONS = ("prepend", "append", "replace")
# what an attack may need from the sandbox to be safe to run (see course.grading.sandbox)
REQUIREMENTS = ("isolation", "private-files")
EXPECT_RE = re.compile(r"^(full|zero|error|lose:[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*)$")
STUDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION")


@dataclass
class Case:
    """One fixture submission and the score it must get.

    Attributes:
        name: the case's name, also the student id of its submission.
        expect: ``"full"``, ``"zero"``, ``"error"`` or ``"lose:<prefix>,…"``.
        edits: grade id -> new source.
        fill: whether solution cells are filled from the source solution first.
        delete: grade ids of cells removed.
        raw: text written instead of the notebook, or ``None``.
        missing: whether the notebook is left out.
        notebook: the notebook file ``raw``/``missing`` apply to (``None``: the first one).
    """

    name: str
    expect: str
    edits: dict[str, str] = field(default_factory=dict)
    fill: bool = True
    delete: list[str] = field(default_factory=list)
    raw: str | None = None
    missing: bool = False
    notebook: str | None = None
    patches: list[tuple[str, str, str]] = field(default_factory=list)
    lost_cells: list[str] | None = None
    attack: str | None = None

    @property
    def lost_prefixes(self) -> list[str]:
        """The grade-id prefixes a ``lose:`` case loses (empty otherwise)."""
        if not self.expect.startswith("lose:"):
            return []
        return [p.strip() for p in self.expect.split(":", 1)[1].split(",") if p.strip()]

    def expected_score(
        self, grade_id: str, max_score: float, blank: dict[str, float] | None = None
    ) -> float | None:
        """The autograded score this case must get on one cell (``None``: not checked).

        Args:
            grade_id: the autograded cell.
            max_score: its points.
            blank: grade id -> the score of the untouched release in the same batch (needed by
                ``blank`` expectations).

        Returns:
            The expected score.
        """
        if self.expect == "blank":
            return None if blank is None else blank.get(grade_id)
        if self.lost_cells is not None:
            return 0.0 if grade_id in self.lost_cells else max_score
        if self.expect == "full":
            return max_score
        if self.expect == "zero":
            return 0.0
        if self.expect.startswith("lose:"):
            lost = any(grade_id.startswith(p + "_") for p in self.lost_prefixes)
            return 0.0 if lost else max_score
        return None


def load_cases(path: Path, *, add_defaults: bool = True) -> list[Case]:
    """Read a ``cases.toml`` file.

    Args:
        path: the file (it may be absent: then only the default cases are returned).
        add_defaults: add ``solution`` (full) and ``release`` (zero) when not defined.

    Returns:
        The cases, in file order, the defaults first.

    Raises:
        ValueError: an unknown key, a bad expectation or a repeated or unusable name.
    """
    cases: list[Case] = []
    if path.is_file():
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        for index, entry in enumerate(document.get("case", []), start=1):
            cases.append(_parse_case(entry, f"{path} case {index}"))
    names = [c.name for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{path}: repeated case names {duplicates}")
    defaults = []
    if add_defaults and "solution" not in names:
        defaults.append(Case(name="solution", expect="full"))
    if add_defaults and "release" not in names:
        defaults.append(Case(name="release", expect="zero", fill=False))
    return defaults + cases


def _parse_case(entry: dict, where: str) -> Case:
    unknown = set(entry) - KNOWN_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(KNOWN_KEYS)})")
    name = entry.get("name", "")
    if not STUDENT_RE.match(name):
        raise ValueError(f"{where}: name {name!r} must be a usable student id ([A-Za-z0-9_.@-])")
    expect = entry.get("expect", "")
    if not EXPECT_RE.match(expect):
        raise ValueError(f"{where} ({name}): expect {expect!r} is not full/zero/error/lose:<id>")
    edits = {}
    for edit in entry.get("edit", []):
        if set(edit) != {"cell", "source"}:
            raise ValueError(f"{where} ({name}): an edit needs exactly `cell` and `source`")
        edits[edit["cell"]] = edit["source"]
    return Case(
        name=name,
        expect=expect,
        edits=edits,
        fill=bool(entry.get("fill", True)),
        delete=list(entry.get("delete", [])),
        raw=entry.get("raw"),
        missing=bool(entry.get("missing", False)),
        notebook=entry.get("notebook"),
    )


@dataclass
class Attack:
    """A generic attack: edits named by cell role, applied to any assignment.

    Attributes:
        name: the attack's name (its student id is ``attack_<name>``).
        expect: ``"blank"``, ``"full"`` or ``"lose:first|middle|last"``.
        fill: start from the solution (``True``) or the blank release.
        edits: (role, position, source) in file order.
        requires: what the sandbox must provide for the attack to be harmless, or ``None``:
            ``"isolation"`` (the kernel cannot signal the grader nor write its files) or
            ``"private-files"`` (the kernel cannot even read them).
        origin: the file it comes from.
    """

    name: str
    expect: str
    fill: bool
    edits: list[tuple[str, str, str]]
    requires: str | None = None
    origin: str = ""

    @property
    def student(self) -> str:
        """The student id of the attack's submission."""
        return f"attack_{self.name}"


def load_attacks(folder: Path) -> list[Attack]:
    """Read every ``*.toml`` attack file of a folder.

    Args:
        folder: ``exercises/fixtures/attacks`` (it may be absent: no attacks).

    Returns:
        The attacks, file by file (sorted by name), in file order.

    Raises:
        ValueError: an unknown key, role, position or expectation, or a repeated name.
    """
    attacks: list[Attack] = []
    for path in sorted(Path(folder).glob("*.toml")) if Path(folder).is_dir() else []:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        unknown_top = set(document) - {"attack"}
        if unknown_top:
            raise ValueError(f"{path}: unknown tables {sorted(unknown_top)} (only [[attack]])")
        for index, entry in enumerate(document.get("attack", []), start=1):
            attacks.append(_parse_attack(entry, f"{path.name} attack {index}"))
    names = [a.name for a in attacks]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{folder}: repeated attack names {duplicates}")
    return attacks


def _parse_attack(entry: dict, where: str) -> Attack:
    unknown = set(entry) - ATTACK_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)} (known: {sorted(ATTACK_KEYS)})")
    name = entry.get("name", "")
    if not STUDENT_RE.match(name):
        raise ValueError(f"{where}: name {name!r} must be a usable student id ([A-Za-z0-9_.@-])")
    expect = entry.get("expect", "")
    if not ATTACK_EXPECT_RE.match(expect):
        raise ValueError(f"{where} ({name}): expect {expect!r} is not blank/full/lose:middle…")
    if not isinstance(entry.get("fill"), bool):
        raise ValueError(f"{where} ({name}): `fill` must be true or false")
    requires = entry.get("requires")
    if requires is not None and requires not in REQUIREMENTS:
        raise ValueError(f"{where} ({name}): requires {requires!r} is not one of {REQUIREMENTS}")
    edits = []
    for edit in entry.get("edit", []):
        if set(edit) != {"cell", "position", "source"}:
            raise ValueError(f"{where} ({name}): an edit needs exactly cell, position, source")
        if edit["cell"] not in ROLES:
            raise ValueError(f"{where} ({name}): cell {edit['cell']!r} is not one of {ROLES}")
        if edit["position"] not in POSITIONS:
            raise ValueError(f"{where} ({name}): position must be one of {POSITIONS}")
        edits.append((edit["cell"], edit["position"], edit["source"]))
    if not edits:
        raise ValueError(f"{where} ({name}): an attack needs at least one [[attack.edit]]")
    return Attack(name, expect, entry["fill"], edits, requires, where)


def questions(notebook) -> list[tuple[str, list[str]]]:
    """The autograded questions of a notebook, in order (rule: the module docstring).

    Args:
        notebook: a notebook (release or source version).

    Returns:
        (grade id of the answer cell, grade ids of its autograded test cells) per question.
    """
    out: list[tuple[str, list[str]]] = []
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade_id"):
            continue
        if meta.get("solution") and not meta.get("grade"):
            out.append((meta["grade_id"], []))
        elif meta.get("grade") and not meta.get("solution") and out:
            out[-1][1].append(meta["grade_id"])
    return out


def attack_case(attack: Attack, release: Path) -> Case:
    """The submission an attack makes on one assignment.

    Args:
        attack: the attack.
        release: the released assignment folder.

    Returns:
        A case named ``attack_<name>`` whose edits target the assignment's cells.

    Raises:
        ValueError: the assignment has no autograded answer cell.
    """
    found = None
    for path in sorted(release.glob("*.ipynb")):
        qs = questions(nbformat.read(path, as_version=4))
        if qs:
            found = (path.name, qs)
            break
    if found is None:
        raise ValueError(f"{release}: no autograded answer cell to attack")
    notebook, qs = found
    index = {"first": 0, "middle": len(qs) // 2, "last": len(qs) - 1}
    patches = []
    for role, position, text in attack.edits:
        if role == "every_answer":
            patches += [(answer, position, text) for answer, _ in qs]
        else:
            patches.append((qs[index[role.removesuffix("_answer")]][0], position, text))
    lost = None
    if attack.expect.startswith("lose:"):
        lost = list(qs[index[attack.expect.split(":", 1)[1]]][1])
    return Case(
        name=attack.student,
        expect=attack.expect if attack.expect == "blank" else "full",
        fill=attack.fill,
        notebook=notebook,
        patches=patches,
        lost_cells=lost,
        attack=attack.name,
    )


def _patched(source: str, position: str, text: str) -> str:
    text = text.strip("\n")
    if position == "replace":
        return text
    if position == "prepend":
        return f"{text}\n{source}"
    return f"{source}\n{text}"


def student_answer(source: str) -> str:
    """The trainee-visible solution of a source cell: its text without the solution markers.

    Args:
        source: the cell source in the instructor's version.

    Returns:
        The source with the ``### BEGIN SOLUTION`` / ``### END SOLUTION`` lines removed.
    """
    lines = [ln for ln in source.splitlines() if not any(m in ln for m in SOLUTION_MARKERS)]
    return "\n".join(lines).strip("\n")


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_solution(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution"))


def build_case(case: Case, release: Path, source: Path, dest: Path) -> Path:
    """Write one case's submission folder.

    Args:
        case: the case.
        release: the released assignment folder (student version).
        source: the source assignment folder (with solutions).
        dest: the folder receiving ``<case.name>/<assignment>/``.

    Returns:
        The submission folder ``dest/<student>/<assignment>``.

    Raises:
        ValueError: a case names a cell or notebook that does not exist.
    """
    assignment = release.name
    notebooks = sorted(release.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"no notebook in {release}: release the assignment first")
    target = case.notebook or notebooks[0].name
    if target not in {nb.name for nb in notebooks}:
        raise ValueError(f"case {case.name}: no notebook {target} in {release}")
    folder = dest / case.name / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for extra in release.iterdir():  # data or helper files released with the notebooks
        if extra.is_file() and extra.suffix != ".ipynb":
            (folder / extra.name).write_bytes(extra.read_bytes())

    pending_edits = dict(case.edits)
    pending_deletes = set(case.delete)
    pending_patches = {target for target, _, _ in case.patches}
    for path in notebooks:
        if path.name == target and case.missing:
            continue
        if path.name == target and case.raw is not None:
            (folder / path.name).write_text(case.raw, encoding="utf-8")
            continue
        nb = nbformat.read(path, as_version=4)
        solutions = {}
        if case.fill and (source / path.name).is_file():
            for cell in nbformat.read(source / path.name, as_version=4).cells:
                if _is_solution(cell):
                    solutions[_grade_id(cell)] = student_answer(cell.source)
        kept = []
        for cell in nb.cells:
            grade_id = _grade_id(cell)
            if grade_id in pending_deletes:
                pending_deletes.discard(grade_id)
                continue
            if grade_id in solutions and _is_solution(cell):
                cell.source = solutions[grade_id]
            if grade_id in pending_edits:
                cell.source = pending_edits.pop(grade_id).strip("\n")
            for target_id, position, text in case.patches:
                if target_id == grade_id:
                    cell.source = _patched(cell.source, position, text)
                    pending_patches.discard(target_id)
            kept.append(cell)
        nb.cells = kept
        nbformat.write(nb, folder / path.name)
    if pending_edits or pending_deletes or pending_patches:
        unknown = sorted(set(pending_edits) | pending_deletes | pending_patches)
        raise ValueError(f"case {case.name}: no cell with grade id {unknown} in {release}")
    return folder


def build_submissions(
    assignment: str,
    dest: Path,
    *,
    course=None,
    release: Path | None = None,
    source: Path | None = None,
    cases_file: Path | None = None,
    attacks: list[Attack] | None = None,
) -> list[Case]:
    """Materialise every case of an assignment as ``dest/<case>/<assignment>/``.

    ``dest`` is laid out like nbgrader's ``submitted/`` folder, so it can be passed to
    ``course grade collect`` or copied there by hand.

    Args:
        assignment: the assignment name.
        dest: where to write the submissions (created if needed).
        course: a :class:`course.grading.settings.Course`; found from the current directory
            when ``None`` and a path below is not given.
        release: the released assignment folder; ``<course>/release/<assignment>`` by default.
        source: the source assignment folder; ``<course source>/<assignment>`` by default.
        cases_file: the cases file; ``exercises/fixtures/<assignment>/cases.toml`` by default.
        attacks: generic attacks to add (see :func:`load_attacks`); none by default.

    Returns:
        The cases built, with their expectations.

    Raises:
        FileNotFoundError: the assignment has not been released.
        ValueError: a cases file that does not fit the assignment.
    """
    if course is None and (release is None or source is None or cases_file is None):
        from course.grading.settings import Course

        course = Course.from_repo()
    release = Path(release) if release else course.folder("release", ".", assignment)
    source = Path(source) if source else course.source / assignment
    cases_file = Path(cases_file) if cases_file else course.fixtures / assignment / CASES_FILE
    if not release.is_dir():
        raise FileNotFoundError(
            f"{release} does not exist: run `course grade release {assignment}`"
        )
    dest = Path(dest)
    cases = load_cases(cases_file)
    cases += [attack_case(attack, release) for attack in attacks or []]
    for case in cases:
        build_case(case, release, source, dest)
    return cases

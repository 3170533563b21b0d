"""Small-group protection: ``course.assess.privacy.safe_table`` and ``safe_free_text``.

The property tests play an attacker who sees every visible row of a table and uses every linear
relation between them (exact rational arithmetic, independent of the implementation's SVD),
plus the knowledge that every listed group has at least one person.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from course.assess.privacy import ALL, hidden_mask, safe_free_text, safe_table

DIMS = ["department", "site", "quarter"]


# ---------------------------------------------------------------- data sets


def responses_from_counts(counts: dict[tuple, int], dims: list[str], seed: int) -> pd.DataFrame:
    """One row per person, a score 1–5 each, from a count per leaf group."""
    rng = np.random.default_rng(seed)
    rows = [(*key, int(rng.integers(1, 6))) for key, n in counts.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=[*dims, "score"])


@st.composite
def datasets(draw, max_dims: int = 3):
    """Random leaf counts, skewed towards small groups, over 1–3 dimensions."""
    n_dims = draw(st.integers(1, max_dims))
    sizes = [draw(st.integers(1, 4 if n_dims < 3 else 3)) for _ in range(n_dims)]
    dims = DIMS[:n_dims]
    labels = [[f"{dim[0]}{i}" for i in range(size)] for dim, size in zip(dims, sizes, strict=True)]
    small = st.integers(0, 6)
    mixed = st.one_of(small, st.integers(0, 30))
    counts = {key: draw(mixed) for key in itertools.product(*labels)}
    if not any(counts.values()):
        counts[next(iter(counts))] = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**16))
    k = draw(st.sampled_from([3, 5, 5, 5]))
    return responses_from_counts(counts, dims, seed), dims, k


# ---------------------------------------------------------------- the attacker


def row_leaves(table: pd.DataFrame, dims: list[str]) -> tuple[list[tuple], list[list[int]]]:
    """Leaf groups of a table (rows without ALL) and, for every row, the leaves it covers."""
    labels = table[dims].astype(str).to_numpy()
    leaves = [tuple(row) for row in labels if ALL not in row]
    covers = [
        [
            i
            for i, leaf in enumerate(leaves)
            if all(r in (ALL, lf) for r, lf in zip(row, leaf, strict=True))
        ]
        for row in labels
    ]
    return leaves, covers


def rref(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced row echelon form over the rationals: a list of (pivot column, row)."""
    pivots: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = list(row)
        for col, pivot_row in pivots:
            if row[col]:
                factor = row[col]
                row = [a - factor * b for a, b in zip(row, pivot_row, strict=True)]
        lead = next((j for j, a in enumerate(row) if a), None)
        if lead is None:
            continue
        row = [a / row[lead] for a in row]
        reduced = []
        for col, pivot_row in pivots:
            if pivot_row[lead]:
                factor = pivot_row[lead]
                pivot_row = [a - factor * b for a, b in zip(pivot_row, row, strict=True)]
            reduced.append((col, pivot_row))
        pivots = [*reduced, (lead, row)]
    return pivots


def derive(system: list[tuple[int, list[Fraction]]], target: list[Fraction]) -> Fraction | None:
    """The value of ``target · x`` if the equations fix it, else None (last entry: right side)."""
    row = [*target, Fraction(0)]
    for col, pivot_row in system:
        if row[col]:
            factor = row[col]
            row = [a - factor * b for a, b in zip(row, pivot_row, strict=True)]
    if any(row[:-1]):
        return None
    return -row[-1]


def linear_attack(table: pd.DataFrame, truth: pd.DataFrame, dims: list[str]) -> dict[int, tuple]:
    """Every hidden row whose count or sum the visible rows fix: row → (count, sum) derived."""
    leaves, covers = row_leaves(table, dims)
    visible = ~hidden_mask(table).to_numpy()
    n_visible = table["n"].to_numpy()
    sums_visible = (table["n"].astype("Float64") * table["mean"]).to_numpy()
    width = len(leaves)

    def indicator(cover):
        vec = [Fraction(0)] * width
        for i in cover:
            vec[i] = Fraction(1)
        return vec

    count_rows, sum_rows = [], []
    for r in np.flatnonzero(visible):
        vec = indicator(covers[r])
        count_rows.append([*vec, Fraction(int(n_visible[r]))])
        sum_rows.append([*vec, Fraction(round(float(sums_visible[r]) * 1000), 1000)])
    count_system, sum_system = rref(count_rows), rref(sum_rows)
    found = {}
    for r in np.flatnonzero(~visible):
        target = indicator(covers[r])
        count, total = derive(count_system, target), derive(sum_system, target)
        if count is not None or total is not None:
            found[r] = (count, total)
    return found


def truth_of(responses: pd.DataFrame, table: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """The true n and sum of every row of the table, computed directly."""
    out = []
    for _, row in table[dims].iterrows():
        mask = np.ones(len(responses), dtype=bool)
        for dim in dims:
            if row[dim] != ALL:
                mask &= (responses[dim] == row[dim]).to_numpy()
        out.append((int(mask.sum()), float(responses.loc[mask, "score"].sum())))
    return pd.DataFrame(out, columns=["n", "sum"])


# ---------------------------------------------------------------- properties


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_no_small_group_is_recovered_by_linear_relations(data):
    """Can an attacker using every linear relation between visible rows recover a hidden small group?"""
    responses, dims, k = data
    table = safe_table(responses, dims, "score", k=k)
    truth = truth_of(responses, table, dims)
    for row, (count, total) in linear_attack(table, truth, dims).items():
        true_n = truth.loc[row, "n"]
        # a derived count or sum is only allowed for groups that were never small
        assert true_n >= k, (
            f"hidden row {table.loc[row, dims].tolist()} (n={true_n}) recovered: {count}, {total}"
        )
        if count is not None:
            assert count == true_n  # the attacker's arithmetic is right, so the test can bite


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_visible_rows_are_true_and_large_and_subtraction_reveals_nothing(data):
    """Are shown rows exact and ≥ k, and does parent minus shown children leave 0 or ≥ k people?"""
    responses, dims, k = data
    table = safe_table(responses, dims, "score", k=k)
    truth = truth_of(responses, table, dims)
    visible = ~hidden_mask(table)
    assert (truth.loc[visible, "n"] >= k).all()
    assert (table.loc[visible, "n"].astype(int) == truth.loc[visible, "n"]).all()
    means = truth.loc[visible, "sum"] / truth.loc[visible, "n"]
    assert np.allclose(table.loc[visible, "mean"].astype(float), means)
    assert hidden_mask(table).equals(table["mean"].isna())
    # every listed group exists, and every existing group is listed
    assert (truth["n"] >= 1).all()
    labels = table[dims].astype(str)
    for i in np.flatnonzero(visible.to_numpy()):
        parent = labels.iloc[i]
        for dim in dims:
            if parent[dim] != ALL:
                continue
            others = [d for d in dims if d != dim]
            kids = (labels[dim] != ALL) & (labels[others] == parent[others]).all(axis=1)
            hidden_people = truth.loc[kids & ~visible, "n"].sum()
            assert hidden_people == 0 or hidden_people >= k
            hidden_groups = int((kids & ~visible).sum())
            assert hidden_people == 0 or hidden_people > hidden_groups


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets(max_dims=1))
def test_positivity_bounds_never_pin_a_small_group_in_one_dimension(data):
    """In a one-way table, can linear programming with "every group ≥ 1" pin a small group?

    (In two or more dimensions the guarantee is the linear one above; bounds from positivity
    are a documented limit of the greedy method, see course.assess.privacy.)
    """
    responses, dims, k = data
    table = safe_table(responses, dims, "score", k=k)
    truth = truth_of(responses, table, dims)
    leaves, covers = row_leaves(table, dims)
    visible = ~hidden_mask(table).to_numpy()
    a_eq = np.zeros((visible.sum(), len(leaves)))
    for j, r in enumerate(np.flatnonzero(visible)):
        a_eq[j, covers[r]] = 1
    b_eq = table.loc[visible, "n"].astype(float).to_numpy()
    for r in np.flatnonzero(~visible):
        if truth.loc[r, "n"] >= k:
            continue
        c = np.zeros(len(leaves))
        c[covers[r]] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
        assert low.status == 0 and high.status in (0, 3)  # 3: unbounded above
        if high.status == 0:
            assert -high.fun - low.fun > 0.5, f"row {table.loc[r, dims].tolist()} pinned"


def test_the_attacker_breaks_primary_suppression_alone():
    """Does the attacker recover a small group when only the small groups themselves are blanked?"""
    responses = small_example()
    naive = safe_table(responses, ["department", "site"], "score", k=1)
    small = naive["n"] < 5
    naive.loc[small, ["n", "mean"]] = pd.NA
    truth = truth_of(responses, naive, ["department", "site"])
    found = linear_attack(naive, truth, ["department", "site"])
    recovered = {tuple(naive.loc[r, ["department", "site"]]): c for r, (c, _) in found.items()}
    assert recovered[("A", "x")] == 2 and recovered[("C", "x")] == 3


# ---------------------------------------------------------------- examples


def small_example() -> pd.DataFrame:
    counts = {
        ("A", "x"): 2,
        ("A", "y"): 6,
        ("A", "z"): 7,
        ("B", "x"): 8,
        ("B", "y"): 9,
        ("C", "x"): 3,
        ("C", "z"): 12,
    }
    return responses_from_counts(counts, ["department", "site"], seed=3)


def test_table_has_a_row_per_group_at_every_level():
    """Are there rows for leaves, department and site margins and the grand total, All last?"""
    table = safe_table(small_example(), ["department", "site"], "score")
    assert list(table.columns) == ["department", "site", "n", "mean"]
    assert len(table) == 7 + 3 + 3 + 1
    assert table.iloc[-1][["department", "site"]].tolist() == [ALL, ALL]
    assert table.iloc[-1]["n"] == 47
    assert str(table["n"].dtype) == "Int64" and str(table["mean"].dtype) == "Float64"


def test_one_small_site_hides_a_sibling_too():
    """Is the smallest sibling of a lone hidden group hidden as well (complementary suppression)?"""
    counts = {
        ("A", "x"): 2,
        ("A", "y"): 6,
        ("A", "z"): 40,
        ("B", "x"): 30,
        ("B", "y"): 30,
        ("B", "z"): 30,
    }
    table = safe_table(responses_from_counts(counts, ["d", "s"], 1), ["d", "s"], "score")
    shown = table.set_index(["d", "s"])["n"]
    assert pd.isna(shown[("A", "x")]) and pd.isna(shown[("A", "y")])
    assert shown[("A", "z")] == 40 and shown[("A", ALL)] == 48


def test_k_one_hides_nothing_and_matches_groupby():
    """With k=1, does safe_table equal a plain pandas groupby?"""
    responses = small_example()
    table = safe_table(responses, "department", "score", k=1)
    plain = responses.groupby("department")["score"].agg(["size", "mean"])
    leaves = table[table["department"] != ALL].set_index("department")
    assert leaves["n"].astype(int).tolist() == plain["size"].tolist()
    assert np.allclose(leaves["mean"].astype(float), plain["mean"])


def test_only_small_groups_hide_everything_below_the_total():
    """With only small departments, are all of them hidden while a large total stays?"""
    counts = {("A",): 3, ("B",): 4, ("C",): 2}
    table = safe_table(responses_from_counts(counts, ["department"], 0), "department", "score")
    assert hidden_mask(table).tolist() == [True, True, True, False]
    counts = {("A",): 3}
    table = safe_table(responses_from_counts(counts, ["department"], 0), "department", "score")
    assert hidden_mask(table).all()


def test_several_values_share_one_pattern_and_respect_missing_values():
    """With several value columns, is one pattern used, and a mean hidden if its count is small?"""
    responses = small_example()
    responses["other"] = responses["score"].astype(float)
    responses.loc[responses["department"] == "B", "other"] = np.nan
    responses.loc[responses.index[responses["department"] == "B"][:3], "other"] = 2.0
    table = safe_table(responses, ["department", "site"], ["score", "other"])
    assert list(table.columns) == ["department", "site", "n", "score", "other"]
    b_rows = table[(table["department"] == "B")].set_index("site")
    # the 3 people of B who gave "other" are all in site x: x and B's total show nothing at all
    assert b_rows.loc[["x", ALL], "n"].isna().all()
    # a shown row where nobody gave "other" (only possible in B) has that mean missing
    shown = ~hidden_mask(table)
    assert table.loc[shown & table["other"].isna(), "department"].eq("B").all()
    assert table.loc[shown, "score"].notna().all()
    assert hidden_mask(table).equals(table["score"].isna())


def test_counts_only():
    """Does value=None give counts with the same protection?"""
    table = safe_table(small_example(), ["department", "site"])
    assert list(table.columns) == ["department", "site", "n"]
    assert pd.isna(table.set_index(["department", "site"]).loc[("A", "x"), "n"])


def test_empty_responses_give_an_empty_table():
    """Does an empty store give an empty table with the right columns, not an error?"""
    table = safe_table(small_example().iloc[:0], ["department", "site"], "score")
    assert table.empty and list(table.columns) == ["department", "site", "n", "mean"]


def test_missing_labels_and_html_labels_are_kept_as_text():
    """Are missing department names grouped as "(not given)" and HTML names kept verbatim?"""
    responses = responses_from_counts(
        {("<b>R&D</b>",): 6, (None,): 7, ("Sales",): 8}, ["department"], 2
    )
    table = safe_table(responses, "department", "score")
    assert set(table["department"]) == {"<b>R&D</b>", "(not given)", "Sales", ALL}
    assert table.iloc[-1]["n"] == 21


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "nope"}, "not in the responses"),
        ({"value": "department"}, "distinct"),
        ({"value": "text"}, "numeric"),
        ({"k": 0}, "k must"),
        ({"k": 2.5}, "k must"),
        ({"by": []}, "at least one"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(kwargs, message):
    """Do a missing column, a text value, a bad k or no grouping raise a clear ValueError?"""
    responses = small_example()
    responses["text"] = "hello"
    arguments = {"by": "department", "value": "score"} | kwargs
    with pytest.raises(ValueError, match=message):
        safe_table(responses, **arguments)


def test_a_group_named_all_is_refused():
    """Is a group labelled like the margin refused rather than silently merged?"""
    responses = responses_from_counts({("All",): 6, ("B",): 6}, ["department"], 0)
    with pytest.raises(ValueError, match="margin label"):
        safe_table(responses, "department", "score")
    table = safe_table(responses, "department", "score", all_label="Total")
    assert table.iloc[-1]["department"] == "Total"


def test_not_a_dataframe_is_refused():
    """Is a list of dicts refused with a clear message?"""
    with pytest.raises(ValueError, match="DataFrame"):
        safe_table([{"department": "A", "score": 1}], "department", "score")


# ---------------------------------------------------------------- free text


def test_free_text_only_for_groups_of_ten():
    """Are texts shown for a group of 10 but not 9, sorted, empty answers left out?"""
    rows = [("A", f"answer {i}") for i in range(10)] + [("B", f"b {i}") for i in range(9)]
    rows += [("A", "  "), ("A", None)]
    responses = pd.DataFrame(rows, columns=["department", "comment"])
    shown = safe_free_text(responses, "department", "comment")
    assert set(shown["department"]) == {"A"}
    assert len(shown) == 10
    assert shown["text"].tolist() == sorted(shown["text"])
    assert safe_free_text(responses, "department", "comment", k=9)["department"].nunique() == 2


def test_free_text_rejects_a_missing_column():
    """Does a missing text column raise ValueError?"""
    with pytest.raises(ValueError, match="comment"):
        safe_free_text(pd.DataFrame({"department": ["A"]}), "department", "comment")

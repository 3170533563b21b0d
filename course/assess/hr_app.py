"""The HR view (``dashboards/hr.ipynb``): aggregates of the self-assessments, small groups hidden.

Where the data comes from:

- ``store``: the contributions people chose to share (:meth:`course.assess.store.Store.contributions_frame`,
  SQLite by default, ``COURSE_DB_URL`` otherwise), competency and maturity;
- ``demo``: the course datasets ``assessments_demo`` (scored here with
  :func:`course.assess.competency.score`) and ``maturity_ratings``;
- ``import``: a CSV file uploaded in the page (see :func:`parse_import`).

Every number shown or exported comes from :func:`course.assess.privacy.safe_table`: one table per
instrument, with every margin, so that all the views of an instrument share one suppression
pattern (two tables suppressed separately could be set against each other). The views are
built by :func:`build_views` as display-ready tables of text, and the page and its CSV exports
(data-URI links) are both written from those same tables, so the export is what is on screen.

The app shows nothing unless its server authenticates the HR view (:mod:`course.assess.hr_auth`).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import parse_qs

import numpy as np
import pandas as pd

from course.assess import competency, maturity
from course.assess.hr_auth import guard_mode
from course.assess.privacy import ALL, K, safe_table

__all__ = [
    "COMPETENCY_VALUES",
    "MATURITY_VALUES",
    "HRApp",
    "HRData",
    "View",
    "build_views",
    "demo_data",
    "launch",
    "parse_import",
    "protected_tables",
    "view_csv",
    "view_html",
    "views_from_tables",
]

log = logging.getLogger(__name__)
COMPETENCY_VALUES: tuple[str, ...] = competency.DIMENSIONS
MATURITY_VALUES: tuple[str, ...] = (*maturity.DIMENSIONS, "overall")
MAX_IMPORT_BYTES = 5_000_000
LANGUAGES = ("fr", "en")

TEXT = {
    "fr": {
        "title": "Vue RH : auto-évaluations agrégées",
        "intro": "Seuls des agrégats sont affichés, et seulement ceux d'une publication figée (« course hr publish »), jamais les données en direct. Tout groupe de moins de {k} personnes est masqué, ainsi que les groupes voisins nécessaires pour qu'aucun groupe masqué ne puisse être retrouvé par soustraction ou par comparaison avec la publication précédente.",
        "source": "Source des données",
        "sources": {
            "store": "Dernière publication",
            "demo": "Démonstration",
            "import": "Fichier importé",
        },
        "language": "Langue",
        "hidden": "masqué",
        "all": "Tous",
        "empty": "Aucune réponse pour l'instant : rien à afficher.",
        "release": "Publication n° {number} du {date} (UTC). {waiting} contribution(s) en attente de la prochaine publication : elle n'a lieu que si chaque nombre modifié reflète au moins {k} personnes ajoutées, retirées ou modifiées.",
        "no_release": "Rien n'est encore publié : {waiting} contribution(s) attendent la première publication (« course hr publish »).",
        "only_small": "Tous les groupes comptent moins de {k} personnes : rien ne peut être affiché.",
        "refused": "Cette vue RH n'est pas servie derrière une authentification : aucune donnée n'est affichée. Lancez-la avec « course apps --server hr » (jeton) ou derrière JupyterHub.",
        "store_failed": "Base de données indisponible ({reason}).",
        "upload": "Importer un CSV",
        "import_failed": "Import refusé : {reason}",
        "imported": "{n} réponse(s) importée(s).",
        "export": "Exporter ce tableau (CSV)",
        "n": "Effectif",
        "department": "Service",
        "site": "Site",
        "quarter": "Trimestre",
        "band": "Niveau",
        "dimension": "Dimension",
        "overall": "Étape globale",
        "views": {
            "counts": "Nombre de réponses par service et par site",
            "by_department": "Scores moyens (0–100) par service",
            "by_site": "Scores moyens (0–100) par site",
            "distribution": "Répartition par niveau (nombre de personnes)",
            "trend": "Scores moyens par trimestre",
            "maturity": "Maturité moyenne (étapes 1–4) par service",
            "maturity_trend": "Maturité moyenne par trimestre",
        },
        "heatmap_alt": "Carte de chaleur {title} : {shown} groupe(s) affiché(s), {hidden} masqué(s). {extremes}",
        "extremes": "Plus haut : {high} ; plus bas : {low}.",
        "trend_alt": "Courbes {title} : {points}.",
        "no_chart": "Pas assez de groupes visibles pour un graphique.",
    },
    "en": {
        "title": "HR view: aggregated self-assessments",
        "intro": "Only aggregates are shown, and only those of a frozen release (`course hr publish`), never live data. Every group of fewer than {k} people is hidden, and so are the neighbouring groups needed so that no hidden group can be recovered by subtraction or by comparison with the previous release.",
        "source": "Data source",
        "sources": {"store": "Latest release", "demo": "Demo data", "import": "Imported file"},
        "language": "Language",
        "hidden": "hidden",
        "all": "All",
        "empty": "No responses yet: nothing to show.",
        "release": "Release {number} of {date} (UTC). {waiting} contribution(s) wait for the next release, which is published only when every changed number reflects at least {k} people added, withdrawn or changed.",
        "no_release": "Nothing published yet: {waiting} contribution(s) wait for the first release (`course hr publish`).",
        "only_small": "Every group has fewer than {k} people: nothing can be shown.",
        "refused": "This HR view is not served behind authentication: no data is shown. Start it with `course apps --server hr` (token) or behind JupyterHub.",
        "store_failed": "Database unavailable ({reason}).",
        "upload": "Import a CSV",
        "import_failed": "Import refused: {reason}",
        "imported": "{n} response(s) imported.",
        "export": "Export this table (CSV)",
        "n": "Count",
        "department": "Department",
        "site": "Site",
        "quarter": "Quarter",
        "band": "Band",
        "dimension": "Dimension",
        "overall": "Overall stage",
        "views": {
            "counts": "Responses by department and site",
            "by_department": "Mean scores (0–100) by department",
            "by_site": "Mean scores (0–100) by site",
            "distribution": "Spread over bands (number of people)",
            "trend": "Mean scores by quarter",
            "maturity": "Mean maturity (stages 1–4) by department",
            "maturity_trend": "Mean maturity by quarter",
        },
        "heatmap_alt": "Heatmap of {title}: {shown} group(s) shown, {hidden} hidden. {extremes}",
        "extremes": "Highest: {high}; lowest: {low}.",
        "trend_alt": "Line chart of {title}: {points}.",
        "no_chart": "Too few visible groups for a chart.",
    },
}


# ---------------------------------------------------------------------------------- data


@dataclass
class HRData:
    """The responses behind the HR view, one row per person and instrument.

    Attributes:
        competency: ``department``, ``site``, ``quarter`` and the scores ``D1`` … ``D5`` (0–100,
            NaN when missing).
        maturity: ``department``, ``quarter``, the eight stages and ``overall``.
        source: ``"store"``, ``"demo"`` or ``"import"``.
    """

    competency: pd.DataFrame
    maturity: pd.DataFrame
    source: str = "store"
    notes: list[str] = field(default_factory=list)


def _quarter(dates: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(dates, errors="coerce")
    return parsed.dt.to_period("Q").astype(str).where(parsed.notna(), None)


def _empty_competency() -> pd.DataFrame:
    return pd.DataFrame(columns=["department", "site", "quarter", *COMPETENCY_VALUES])


def _empty_maturity() -> pd.DataFrame:
    return pd.DataFrame(columns=["department", "quarter", *MATURITY_VALUES])


def score_items(frame: pd.DataFrame) -> pd.DataFrame:
    """Dimension scores (0–100, NaN when missing) of raw competency answers, one row per person.

    The rule of :func:`course.assess.competency.score`, vectorised for thousands of rows: the
    mean of the answered items (N/A is not an answer) rescaled ``(mean − 1) / 4 × 100``, missing
    with fewer than three answered items. A test checks it against ``competency.score``.

    Args:
        frame: item columns ``D1.1`` … ``D5.4`` (1–5, missing = N/A); other columns are ignored.

    Returns:
        A frame with columns ``D1`` … ``D5`` and ``frame``'s index.
    """
    scores = pd.DataFrame(index=frame.index)
    for dim in COMPETENCY_VALUES:
        items = [item for item in competency.ITEMS if item.split(".")[0] == dim and item in frame]
        answers = (
            frame[items].astype("Float64").astype(float)
            if items
            else pd.DataFrame(index=frame.index)
        )
        answered = answers.notna().sum(axis=1)
        mean = answers.mean(axis=1)
        scores[dim] = ((mean - 1) / 4 * 100).where(answered >= competency.MIN_ANSWERED_ITEMS)
    return scores.astype(float)


def _maturity_frame(frame: pd.DataFrame, date_column: str) -> pd.DataFrame:
    out = pd.DataFrame({"department": frame["department"], "quarter": _quarter(frame[date_column])})
    for dim in maturity.DIMENSIONS:
        out[dim] = pd.to_numeric(frame[dim], errors="coerce")
    if "overall" in frame.columns:
        out["overall"] = pd.to_numeric(frame["overall"], errors="coerce")
    else:
        out["overall"] = [
            maturity.overall_stage({d: int(row[d]) for d in maturity.DIMENSIONS})
            if row[list(maturity.DIMENSIONS)].notna().all()
            else np.nan
            for _, row in out.iterrows()
        ]
    return out


def demo_data() -> HRData:
    """The demo data: ``assessments_demo`` scored, and ``maturity_ratings``.

    Returns:
        :class:`HRData` with source ``"demo"``.
    """
    from course import data

    answers = data.load("assessments_demo")
    comp = answers[["department", "site"]].copy()
    comp["quarter"] = _quarter(answers["submitted_on"])
    comp[list(COMPETENCY_VALUES)] = score_items(answers)
    ratings = data.load("maturity_ratings")
    return HRData(comp, _maturity_frame(ratings, "submitted_on"), "demo")


def parse_import(content: bytes) -> HRData:
    """Read an uploaded CSV of responses.

    Accepted: one row per person with ``department``, a date (``submitted_on`` or
    ``contributed_on``, optional) and either competency answers (``D1.1`` … ``D5.4``), or
    scores (``D1`` … ``D5``, 0–100, with ``site``), or maturity stages (``strategy`` …
    ``measurement``), or several of these. UTF-8, comma or semicolon separated.

    Args:
        content: the file's bytes.

    Returns:
        The responses as :class:`HRData` (source ``"import"``).

    Raises:
        ValueError: a message fit to show: not UTF-8 text, not a table, too large, missing
            columns, or values out of range.
    """
    if not content:
        raise ValueError("the file is empty")
    if len(content) > MAX_IMPORT_BYTES:
        raise ValueError(f"the file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    try:
        frame = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise ValueError(f"the file is not a readable CSV table ({str(exc)[:80]})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise ValueError("the file has no rows")
    if "department" not in frame.columns:
        raise ValueError("a 'department' column is needed")
    date_column = next(
        (c for c in ("submitted_on", "contributed_on", "date") if c in frame.columns), None
    )
    if date_column is None:
        frame["date"], date_column = None, "date"
    frame["department"] = frame["department"].str.strip()

    def numbers(columns, low, high):
        values = frame[list(columns)].apply(lambda s: pd.to_numeric(s.str.strip(), errors="coerce"))
        bad = (
            values.isna()
            & frame[list(columns)].notna()
            & (frame[list(columns)].apply(lambda s: s.str.strip()) != "")
        )
        out_of_range = values.notna() & ((values < low) | (values > high))
        problems = bad | out_of_range
        if problems.to_numpy().any():
            row, column = np.argwhere(problems.to_numpy())[0]
            raise ValueError(
                f"row {row + 1}, column {columns[column]}: expected a number from {low} to {high}"
            )
        return values

    comp, mat = _empty_competency(), _empty_maturity()
    has_items = any(item in frame.columns for item in competency.ITEMS)
    has_scores = all(dim in frame.columns for dim in COMPETENCY_VALUES)
    has_stages = all(dim in frame.columns for dim in maturity.DIMENSIONS)
    if (has_items or has_scores) and "site" not in frame.columns:
        raise ValueError("competency answers need a 'site' column")
    if has_items:
        items = [item for item in competency.ITEMS if item in frame.columns]
        values = numbers(items, 1, 5)
        comp = frame[["department", "site"]].copy()
        comp["quarter"] = _quarter(frame[date_column])
        comp[list(COMPETENCY_VALUES)] = score_items(values)
    elif has_scores:
        comp = frame[["department", "site"]].copy()
        comp["quarter"] = _quarter(frame[date_column])
        comp[list(COMPETENCY_VALUES)] = numbers(list(COMPETENCY_VALUES), 0, 100)
    if has_stages:
        stages = numbers(list(maturity.DIMENSIONS), 1, 4)
        if ((stages % 1) != 0).to_numpy().any():
            raise ValueError("maturity stages must be whole numbers from 1 to 4")
        mat = _maturity_frame(
            pd.concat([frame[["department", date_column]], stages], axis=1), date_column
        )
    if comp.empty and mat.empty:
        raise ValueError(
            "no known answer columns (competency D1.1…D5.4 or D1…D5, or maturity strategy…measurement)"
        )
    return HRData(comp, mat, "import")


# ---------------------------------------------------------------------------------- views


@dataclass
class View:
    """One table of the page: its text cells are both what is shown and what is exported.

    Attributes:
        name: the view's id (``"counts"``, ``"by_department"``, …).
        title: its caption.
        header: column titles.
        rows: rows of text cells; the first cell is the row's label.
        values: the numbers behind the cells (NaN when hidden), for charts.
        hidden: how many cells are hidden.
    """

    name: str
    title: str
    header: list[str]
    rows: list[list[str]]
    values: pd.DataFrame
    hidden: int = 0


def _fmt(value, digits: int, hidden: str) -> str:
    if value is None or pd.isna(value):
        return hidden
    return f"{value:.{digits}f}" if digits else f"{int(value)}"


def _label(value: str, text: dict) -> str:
    return text["all"] if value == ALL else str(value)


def _table_view(
    name: str,
    table: pd.DataFrame,
    key: str,
    columns: list[tuple[str, str, int]],
    text: dict,
) -> View:
    """A view with one row per group of ``key`` (the "All" row last) and the given columns."""
    header = [text[key]] + [title for _, title, _ in columns]
    rows, hidden = [], 0
    for _, row in table.iterrows():
        cells = [_label(row[key], text)]
        for column, _, digits in columns:
            cell = _fmt(row[column], digits, text["hidden"])
            hidden += cell == text["hidden"]
            cells.append(cell)
        rows.append(cells)
    values = table.set_index(key)[[c for c, _, _ in columns]].astype("Float64").astype(float)
    return View(name, text["views"][name], header, rows, values, hidden)


def protected_tables(data: HRData, k: int = K) -> dict:
    """Live protected tables of demo or imported data (the store's data is shown by release only).

    Args:
        data: the responses.
        k: the minimum group size.

    Returns:
        ``{"competency": frame or None, "bands": {dim: frame}, "maturity": frame or None}``, the
        shape of :func:`course.assess.releases.release_tables`.
    """
    comp, mat = data.competency, data.maturity
    tables: dict = {"competency": None, "bands": {}, "maturity": None}
    if not comp.empty:
        tables["competency"] = safe_table(
            comp, ["department", "site", "quarter"], list(COMPETENCY_VALUES), k
        )
        for dim in COMPETENCY_VALUES:
            scored = comp[comp[dim].notna()]
            if not scored.empty:
                tables["bands"][dim] = safe_table(
                    pd.DataFrame({"band": scored[dim].map(competency.band)}), "band", None, k
                )
    if not mat.empty:
        tables["maturity"] = safe_table(mat, ["department", "quarter"], list(MATURITY_VALUES), k)
    return tables


def build_views(data: HRData, lang: str = "en", k: int = K) -> list[View]:
    """Every view of demo or imported data, protected, as display-ready text tables.

    Args:
        data: the responses.
        lang: ``"fr"`` or ``"en"``.
        k: the minimum group size.

    Returns:
        See :func:`views_from_tables`.
    """
    return views_from_tables(protected_tables(data, k), lang)


def views_from_tables(tables: dict, lang: str = "en") -> list[View]:
    """Every view of the page from protected tables (a release, or :func:`protected_tables`).

    Args:
        tables: ``{"competency": …, "bands": {…}, "maturity": …}``.
        lang: ``"fr"`` or ``"en"``.

    Returns:
        The views that have data, in page order: counts, by department, by site, distribution,
        trend (competency); maturity by department, maturity trend.
    """
    text = TEXT[lang]
    views: list[View] = []
    dims = list(COMPETENCY_VALUES)
    names = competency.instrument(lang)["dimensions"]
    score_columns = [(d, f"{d} {names[d]['name']}", 1) for d in dims]
    cube = tables.get("competency")
    if cube is not None and len(cube):
        overall = cube[cube["quarter"] == ALL]
        # counts: department × site, from the same table
        pivot_rows = []
        sites = [*sorted(set(overall["site"]) - {ALL}), ALL]
        for department in [*sorted(set(overall["department"]) - {ALL}), ALL]:
            part = overall[overall["department"] == department].set_index("site")["n"]
            pivot_rows.append({"department": department, **{s: part.get(s, 0) for s in sites}})
        pivot = pd.DataFrame(pivot_rows)
        view = _table_view(
            "counts",
            pivot,
            "department",
            [(s, _label(s, text), 0) for s in sites],
            text,
        )
        views.append(view)
        views.append(
            _table_view(
                "by_department",
                overall[overall["site"] == ALL],
                "department",
                [("n", text["n"], 0), *score_columns],
                text,
            )
        )
        views.append(
            _table_view(
                "by_site",
                overall[overall["department"] == ALL],
                "site",
                [("n", text["n"], 0), *score_columns],
                text,
            )
        )
        views.append(_distribution_view(tables.get("bands", {}), lang))
        trend = cube[(cube["department"] == ALL) & (cube["site"] == ALL)]
        views.append(
            _table_view("trend", trend, "quarter", [("n", text["n"], 0), *score_columns], text)
        )
    mat = tables.get("maturity")
    if mat is not None and len(mat):
        labels = maturity.instrument(lang)["dimensions"]
        stage_columns = [(d, labels[d]["name"], 2) for d in maturity.DIMENSIONS]
        stage_columns.append(("overall", text["overall"], 2))
        views.append(
            _table_view(
                "maturity",
                mat[mat["quarter"] == ALL],
                "department",
                [("n", text["n"], 0), *stage_columns],
                text,
            )
        )
        views.append(
            _table_view(
                "maturity_trend",
                mat[mat["department"] == ALL],
                "quarter",
                [("n", text["n"], 0), ("overall", text["overall"], 2)],
                text,
            )
        )
    return views


def _distribution_view(bands_tables: dict, lang: str) -> View:
    """Counts of people per band and dimension (each dimension its own protected table)."""
    text = TEXT[lang]
    bands = list(competency.BANDS)
    band_names = competency.instrument(lang)["bands"]
    names = competency.instrument(lang)["dimensions"]
    rows = []
    for dim in COMPETENCY_VALUES:
        counts = {band: 0 for band in [*bands, ALL]}
        table = bands_tables.get(dim)
        if table is not None and len(table):
            column = table.set_index("band")["n"]
            counts = {band: column.get(band, 0) for band in [*bands, ALL]}
        rows.append({"dimension": f"{dim} {names[dim]['name']}", **counts})
    frame = pd.DataFrame(rows)
    columns = [(band, band_names.get(band, band), 0) for band in bands] + [(ALL, text["all"], 0)]
    return _table_view("distribution", frame, "dimension", columns, text)


def view_csv(view: View) -> str:
    """The view as CSV: the same header and cells as on screen.

    Args:
        view: a view from :func:`build_views`.

    Returns:
        The CSV text (hidden cells carry the same word as on screen).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(view.header)
    writer.writerows(view.rows)
    return buffer.getvalue()


def view_html(view: View, text: dict) -> str:
    """The view as an accessible HTML table (escaped), with its CSV export link.

    Args:
        view: a view from :func:`build_views`.
        text: the page's strings (``TEXT[lang]``).

    Returns:
        A ``<section>`` with a captioned table and a data-URI link to :func:`view_csv`.
    """
    head = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in view.header)
    body = []
    for cells in view.rows:
        label, *rest = cells
        tds = "".join(
            f"<td class='cm-hidden'>{html.escape(c)}</td>"
            if c == text["hidden"]
            else f"<td>{html.escape(c)}</td>"
            for c in rest
        )
        body.append(f"<tr><th scope='row'>{html.escape(label)}</th>{tds}</tr>")
    payload = base64.b64encode(view_csv(view).encode("utf-8")).decode("ascii")
    link = (
        f"<a class='cm-export' download='{html.escape(view.name)}.csv' "
        f"href='data:text/csv;charset=utf-8;base64,{payload}'>{html.escape(text['export'])} — "
        f"{html.escape(view.title)}</a>"
    )
    return (
        f"<section class='cm-view' data-view='{html.escape(view.name)}'>"
        f"<table class='cm-results cm-hr-table'><caption>{html.escape(view.title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table><p>{link}</p></section>"
    )


def _mpl_text(value: str) -> str:
    """Text for matplotlib, where ``$`` would start mathematics."""
    return str(value).replace("$", r"\$")


def heatmap_html(view: View, text: dict) -> str:
    """A heatmap of a view's means (rows = groups, columns = measures) with alt text.

    Args:
        view: a view of means (its ``n`` column is left out).
        text: the page's strings.

    Returns:
        A ``<figure>`` with an inline PNG (hidden cells grey and labelled), or a short note
        when no group is visible.
    """
    from matplotlib.figure import Figure

    values = view.values.drop(columns=["n"], errors="ignore")
    values = values[[c for c in values.columns if c != ALL]]
    shown = int(values.notna().any(axis=1).sum())
    if values.empty or shown == 0:
        return f"<p>{html.escape(text['no_chart'])}</p>"
    figure = Figure(figsize=(7.5, 0.35 * len(values) + 1.8), layout="constrained")
    axes = figure.subplots()
    masked = np.ma.masked_invalid(values.to_numpy(dtype=float))
    image = axes.imshow(masked, aspect="auto", cmap="cividis")
    axes.set_facecolor("#DDDDDD")
    axes.set_xticks(
        range(values.shape[1]),
        [_mpl_text(h) for h in view.header[-values.shape[1] :]],
        rotation=30,
        ha="right",
    )
    axes.set_yticks(range(values.shape[0]), [_mpl_text(_label(i, text)) for i in values.index])
    for (i, j), value in np.ndenumerate(values.to_numpy(dtype=float)):
        label = text["hidden"] if np.isnan(value) else f"{value:.1f}"
        axes.text(
            j,
            i,
            label,
            ha="center",
            va="center",
            fontsize=7,
            color="black" if np.isnan(value) or value > np.nanmean(masked) else "white",
        )
    axes.set_title(_mpl_text(view.title))
    figure.colorbar(image, ax=axes, shrink=0.8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    stacked = values.stack().dropna()
    extremes = ""
    if not stacked.empty:
        high, low = stacked.idxmax(), stacked.idxmin()
        extremes = text["extremes"].format(
            high=f"{_label(high[0], text)} / {high[1]} {stacked.max():.1f}",
            low=f"{_label(low[0], text)} / {low[1]} {stacked.min():.1f}",
        )
    alt = text["heatmap_alt"].format(
        title=view.title, shown=shown, hidden=len(values) - shown, extremes=extremes
    )
    payload = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<figure class='cm-chart'><img src='data:image/png;base64,{payload}' alt='{html.escape(alt)}' style='max-width:100%'></figure>"


def trend_html(view: View, text: dict) -> str:
    """A line chart of a trend view (course palette) with alt text listing the points.

    Args:
        view: a view with one row per quarter.
        text: the page's strings.

    Returns:
        A ``<figure>`` with an inline PNG, or a short note when nothing is visible.
    """
    from matplotlib.figure import Figure

    from course.plots import PALETTE

    values = view.values.drop(columns=["n"], errors="ignore")
    values = values[[i != ALL for i in values.index]]
    if values.notna().sum().sum() == 0:
        return f"<p>{html.escape(text['no_chart'])}</p>"
    figure = Figure(figsize=(7.0, 3.6), layout="constrained")
    axes = figure.subplots()
    titles = view.header[-values.shape[1] :]
    points = []
    for position, column in enumerate(values.columns):
        series = values[column]
        axes.plot(
            range(len(series)),
            series.to_numpy(dtype=float),
            marker="o",
            color=PALETTE[position % len(PALETTE)],
            label=_mpl_text(titles[position]),
        )
        points.append(
            f"{titles[position]} "
            + ", ".join(f"{q} {'—' if pd.isna(v) else f'{v:.1f}'}" for q, v in series.items())
        )
    axes.set_xticks(range(len(values)), [_mpl_text(q) for q in values.index])
    axes.set_title(_mpl_text(view.title))
    axes.set_xlabel(text["quarter"])
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=7, loc="best")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    alt = text["trend_alt"].format(title=view.title, points="; ".join(points))
    payload = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<figure class='cm-chart'><img src='data:image/png;base64,{payload}' alt='{html.escape(alt)}' style='max-width:100%'></figure>"


CHARTS: dict[str, Callable[[View, dict], str]] = {
    "by_department": heatmap_html,
    "by_site": heatmap_html,
    "maturity": heatmap_html,
    "trend": trend_html,
    "maturity_trend": trend_html,
}


def page_html(views: list[View], lang: str) -> str:
    """Every view: its chart (when it has one), its table and its export link.

    Args:
        views: from :func:`build_views`.
        lang: ``"fr"`` or ``"en"``.

    Returns:
        The HTML of the page's content widget.
    """
    text = TEXT[lang]
    parts = []
    for view in views:
        chart = CHARTS.get(view.name)
        parts.append(f"<h2>{html.escape(view.title)}</h2>")
        if chart is not None:
            parts.append(chart(view, text))
        parts.append(view_html(view, text))
    return "".join(parts)


# ---------------------------------------------------------------------------------- the app


def _guarded(method: Callable) -> Callable:
    @wraps(method)
    def wrapper(self: HRApp, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:  # the page must never show a traceback
            log.exception("HR view failed")
            self.status.value = _status("Erreur inattendue / unexpected error", "error")
            self.content.value = ""
            return None

    return wrapper


def _status(message: str, kind: str = "info") -> str:
    from course.widgets.a11y import status_html

    return status_html(message, kind)


class HRApp:
    """The HR page: source and language choice, import, and every protected view.

    Args:
        lang: ``"fr"`` or ``"en"`` (default).
        source: ``"store"`` (default) or ``"demo"``.
        store: the store to read (default: :func:`course.assess.store.get_store`).
        authenticated: whether the server authenticates this view (default:
            :func:`course.assess.hr_auth.guard_mode` is set); without it nothing is shown.
        k: the minimum group size.
    """

    def __init__(
        self,
        lang: str = "en",
        source: str = "store",
        *,
        store=None,
        authenticated: bool | None = None,
        k: int = K,
    ):
        import ipywidgets as widgets

        from course.widgets.a11y import uncut_descriptions

        self.lang = lang if lang in LANGUAGES else "en"
        self.k = k
        self._store = store
        self.authenticated = guard_mode() is not None if authenticated is None else authenticated
        self.imported: HRData | None = None
        self.release: dict | None = None
        self.views: list[View] = []
        self.title = widgets.HTML()
        self.intro = widgets.HTML()
        self.language = widgets.ToggleButtons(
            options=[("Français", "fr"), ("English", "en")], value=self.lang
        )
        self.source = widgets.ToggleButtons(
            options=self._source_options(), value=source if source in ("store", "demo") else "store"
        )
        self.upload = widgets.FileUpload(accept=".csv,text/csv", multiple=False)
        self.status = widgets.HTML()
        self.content = widgets.HTML()
        for widget, name in (
            (self.language, "cm-language"),
            (self.source, "cm-hr-source"),
            (self.upload, "cm-hr-upload"),
            (self.status, "cm-hr-status"),
            (self.content, "cm-hr-content"),
        ):
            widget.add_class(name)
        self.widget = widgets.VBox(
            [
                self.title,
                self.language,
                self.intro,
                self.source,
                self.upload,
                self.status,
                self.content,
            ]
        )
        self.widget.add_class("cm-app")
        uncut_descriptions(self.widget)  # labels never cut ("Code de r…")
        self.language.observe(lambda change: self.set_language(change["new"]), names="value")
        self.source.observe(lambda _change: self.refresh(), names="value")
        self.upload.observe(lambda _change: self.import_upload(), names="value")
        self._texts()
        self.refresh()

    def _source_options(self) -> list[tuple[str, str]]:
        names = TEXT[self.lang]["sources"]
        options = [(names["store"], "store"), (names["demo"], "demo")]
        if getattr(self, "imported", None) is not None:
            options.append((names["import"], "import"))
        return options

    def _texts(self) -> None:
        text = TEXT[self.lang]
        self.title.value = f"<h1>{html.escape(text['title'])}</h1>"
        self.intro.value = f"<p>{html.escape(text['intro'].format(k=self.k))}</p>"
        self.language.description = text["language"]
        self.source.description = text["source"]
        self.upload.description = text["upload"]

    @_guarded
    def set_language(self, lang: str) -> None:
        """Switch the page to ``"fr"`` or ``"en"``."""
        if lang not in LANGUAGES:
            return
        self.lang = lang
        if self.language.value != lang:
            self.language.value = lang
        value = self.source.value
        self.source.options = self._source_options()
        self.source.value = value
        self._texts()
        self.refresh()

    def load(self) -> HRData:
        """The data of the demo or import source (the store is shown by release only)."""
        if self.source.value == "import" and self.imported is not None:
            return self.imported
        return demo_data()

    @property
    def store(self):
        """The store holding the releases."""
        if self._store is None:
            from course.assess.store import get_store

            self._store = get_store()
        return self._store

    def _show_release(self) -> None:
        """The latest release, its date and how many contributions wait for the next one."""
        from course.assess.releases import pending, release_tables
        from course.assess.store import StoreUnavailable

        text = TEXT[self.lang]
        try:
            release = self.store.latest_release()
            waiting = pending(self.store, release)
        except StoreUnavailable as exc:
            self.status.value = _status(text["store_failed"].format(reason=exc), "error")
            self.content.value = ""
            return
        self.release = release
        if release is None:
            message = text["no_release"].format(waiting=waiting)
            self.status.value = _status(message)
            self.content.value = ""
            return
        self.views = views_from_tables(release_tables(release), self.lang)
        date = f"{release['published_at']:%Y-%m-%d %H:%M}"
        self.status.value = _status(
            text["release"].format(number=release["number"], date=date, waiting=waiting, k=self.k)
        )
        self.content.value = page_html(self.views, self.lang)

    @_guarded
    def refresh(self) -> None:
        """Read the selected source and redraw every view (or say why there is nothing)."""
        from course.assess.store import StoreUnavailable

        text = TEXT[self.lang]
        self.views = []
        if not self.authenticated:
            self.status.value = _status(text["refused"], "error")
            self.content.value = ""
            return
        if self.source.value == "store":
            self._show_release()
            return
        try:
            data = self.load()
        except StoreUnavailable as exc:
            self.status.value = _status(text["store_failed"].format(reason=exc), "error")
            self.content.value = ""
            return
        if data.competency.empty and data.maturity.empty:
            self.status.value = _status(text["empty"])
            self.content.value = ""
            return
        self.views = build_views(data, self.lang, self.k)
        if all(
            all(cell == text["hidden"] for row in v.rows for cell in row[1:]) for v in self.views
        ):
            self.status.value = _status(text["only_small"].format(k=self.k))
        else:
            self.status.value = ""
        self.content.value = page_html(self.views, self.lang)

    @_guarded
    def import_upload(self) -> None:
        """Read the uploaded CSV and show it (or say clearly why it was refused)."""
        files = self.upload.value
        if not files:
            return
        upload = files[0] if isinstance(files, list | tuple) else next(iter(files.values()))
        content = bytes(upload["content"]) if isinstance(upload, dict) else bytes(upload.content)
        self.import_bytes(content)

    def import_bytes(self, content: bytes) -> bool:
        """Import a CSV's bytes: on success switch to it; on failure say why (no traceback)."""
        text = TEXT[self.lang]
        try:
            data = parse_import(content)
        except ValueError as exc:
            self.status.value = _status(text["import_failed"].format(reason=exc), "error")
            return False
        self.imported = data
        self.source.options = self._source_options()
        if self.source.value == "import":
            self.refresh()
        else:
            self.source.value = "import"  # refreshes
        n = max(len(data.competency), len(data.maturity))
        message = text["imported"].format(n=n)
        if self.status.value:
            message += " "
        self.status.value = _status(message, "ok") + self.status.value
        return True

    def apply_query(self, query_string: str | None) -> None:
        """Apply ``?lang=fr|en`` and ``?source=demo|store`` from the URL."""
        params = parse_qs(query_string or "")
        lang = (params.get("lang") or [""])[0]
        source = (params.get("source") or [""])[0]
        if source in ("store", "demo") and source != self.source.value:
            self.source.value = source
        if lang in LANGUAGES and lang != self.lang:
            self.set_language(lang)


def launch(environ: dict[str, str] | None = None) -> HRApp:
    """Build and display the HR page: what ``dashboards/hr.ipynb`` calls.

    Args:
        environ: where to read ``QUERY_STRING`` (default ``os.environ``, which Voilà fills).

    Returns:
        The displayed :class:`HRApp`.
    """
    from IPython.display import HTML, display

    from course.widgets.a11y import a11y_head, guard_comm_handlers

    try:
        from voila.utils import wait_for_request
    except ImportError:  # outside Voilà
        pass
    else:
        wait_for_request()
    environ = os.environ if environ is None else environ
    params = parse_qs(environ.get("QUERY_STRING", ""))
    lang = (params.get("lang") or ["en"])[0]
    source = (params.get("source") or ["store"])[0]
    app = HRApp(lang, source)
    display(HTML(a11y_head() + _HR_STYLE))
    display(app.widget)
    guard_comm_handlers()  # a malformed comm message never answers a traceback
    return app


_HR_STYLE = """
<style>
.cm-app td.cm-hidden { background: #EEEEEE; font-style: italic; color: #333333; }
.cm-app table.cm-hr-table td { text-align: right; }
.cm-app table.cm-hr-table caption { font-weight: 600; text-align: left; }
</style>
"""

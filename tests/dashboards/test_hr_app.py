"""The HR view's logic and widgets, in Python (no browser): protection, bad input, exports."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from course import data
from course.assess import competency, hr_app
from course.assess.hr_app import HRApp, HRData, build_views, parse_import, view_csv, view_html
from course.assess.maturity import DIMENSIONS as MATURITY_DIMENSIONS
from course.assess.privacy import ALL, safe_table
from course.assess.releases import publish
from course.assess.store import Store


@pytest.fixture(scope="module")
def demo() -> HRData:
    return hr_app.demo_data()


@pytest.fixture(scope="module")
def demo_views(demo):
    return {view.name: view for view in build_views(demo, "en")}


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'assess.sqlite3'}")
    yield store
    store.dispose()


class TableParser(HTMLParser):
    """Cells of the tables of an HTML fragment, as text."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, text):
        if self._cell is not None:
            self._cell.append(text)


def tables_of(fragment: str) -> list[list[list[str]]]:
    parser = TableParser()
    parser.feed(fragment)
    return [[row for row in table if row] for table in parser.tables]


def exports_of(fragment: str) -> list[list[list[str]]]:
    payloads = re.findall(r"href='data:text/csv;charset=utf-8;base64,([^']+)'", fragment)
    return [list(csv.reader(io.StringIO(base64.b64decode(p).decode("utf-8")))) for p in payloads]


def test_score_items_follows_competency_score(demo):
    """Do the vectorised scores equal competency.score on every demo row?"""
    answers = data.load("assessments_demo")
    scores = hr_app.score_items(answers)
    for i in range(len(answers)):
        given = {
            k: None if pd.isna(answers.loc[i, k]) else int(answers.loc[i, k])
            for k in competency.ITEMS
        }
        expected = competency.score(given).scores
        for dim, value in expected.items():
            assert (value is None and np.isnan(scores.loc[i, dim])) or scores.loc[
                i, dim
            ] == pytest.approx(value)


def test_small_departments_and_sites_are_hidden_in_the_demo(demo_views):
    """Are Legal (3), General management (4) and the sites under 5 hidden, and large ones shown?"""
    by_department = {row[0]: row for row in demo_views["by_department"].rows}
    assert set(by_department["Legal"][1:]) == {"hidden"}
    assert set(by_department["General management"][1:]) == {"hidden"}
    assert by_department["Operations"][1] == "62" and by_department["All"][1] == "400"
    by_site = {row[0]: row for row in demo_views["by_site"].rows}
    for site in ("Bruxelles", "Clermont-Ferrand", "Madrid", "Montréal"):
        assert set(by_site[site][1:]) == {"hidden"}


def test_every_number_shown_comes_from_one_protected_table(demo, demo_views):
    """Is every shown count a visible row of the one safe_table of the competency data?"""
    cube = safe_table(
        demo.competency, ["department", "site", "quarter"], list(competency.DIMENSIONS)
    )
    overall = cube[cube["quarter"] == ALL].set_index(["department", "site"])["n"]
    view = demo_views["counts"]
    sites = view.header[1:]
    for row in view.rows:
        department = ALL if row[0] == "All" else row[0]
        for site_label, cell in zip(sites, row[1:], strict=True):
            site = ALL if site_label == "All" else site_label
            if cell == "hidden":
                assert pd.isna(overall[(department, site)])
            elif cell != "0":
                assert int(cell) == overall[(department, site)] >= 5
            else:
                assert (department, site) not in overall.index


def test_shown_counts_leave_no_small_remainder(demo_views):
    """In the counts table, does a total minus the shown cells of its row leave 0 or at least 5?"""
    view = demo_views["counts"]
    for row in view.rows:
        total = row[-1]
        if total == "hidden":
            continue
        shown = sum(int(c) for c in row[1:-1] if c != "hidden")
        assert int(total) - shown == 0 or int(total) - shown >= 5
    columns = list(zip(*[r[1:] for r in view.rows], strict=True))
    for column in columns:
        total = column[-1]
        if total == "hidden":
            continue
        shown = sum(int(c) for c in column[:-1] if c != "hidden")
        assert int(total) - shown == 0 or int(total) - shown >= 5


def test_export_is_exactly_the_table_on_screen(demo_views):
    """Does each view's CSV export hold the same header and cells as its HTML table?"""
    text = hr_app.TEXT["en"]
    for view in demo_views.values():
        fragment = view_html(view, text)
        (table,) = tables_of(fragment)
        (export,) = exports_of(fragment)
        assert table == export == [view.header, *view.rows]
        assert view_csv(view).splitlines()[0] == ",".join(view.header)


def test_maturity_views_use_the_stages(demo_views):
    """Does the maturity view show the eight dimensions and the overall stage, means in 1–4?"""
    view = demo_views["maturity"]
    assert len(view.header) == 1 + 1 + len(MATURITY_DIMENSIONS) + 1
    values = view.values.drop(columns=["n"]).to_numpy(dtype=float)
    assert np.nanmin(values) >= 1 and np.nanmax(values) <= 4
    assert [row[0] for row in demo_views["maturity_trend"].rows][-1] == "All"


def test_page_is_refused_without_authentication(store):
    """Without an authenticating server, does the page show a refusal and no number at all?"""
    app = HRApp("en", "demo", store=store, authenticated=False)
    assert "not served behind authentication" in app.status.value
    assert app.content.value == "" and app.views == []


def test_guard_comes_from_the_server_environment(store, monkeypatch):
    """Is the page refused unless the server marked the environment (token provider or hub)?"""
    monkeypatch.delenv("COURSE_HR_GUARD", raising=False)
    assert not HRApp("en", "store", store=store).authenticated
    monkeypatch.setenv("COURSE_HR_GUARD", "anything")
    assert not HRApp("en", "store", store=store).authenticated
    monkeypatch.setenv("COURSE_HR_GUARD", "jupyterhub")
    app = HRApp("en", "store", store=store)
    assert app.authenticated and "Nothing published yet" in app.status.value


@pytest.mark.slow
def test_demo_page_has_charts_tables_and_exports(store):
    """Does the demo page show heatmaps with alt text, tables and one export per table?"""
    app = HRApp("en", "demo", store=store, authenticated=True)
    content = app.content.value
    assert content.count("<table") == len(app.views) == 7
    assert content.count("class='cm-export'") == 7
    assert "alt='Heatmap of Mean scores (0–100) by department" in content
    assert "cm-hidden" in content


def test_empty_store_says_so(store):
    """Does an empty store give a clear message and no table?"""
    app = HRApp("fr", "store", store=store, authenticated=True)
    assert "Rien n&#x27;est encore publié" in app.status.value and app.content.value == ""


def contribute(store, department, site, n, value=50.0, instrument="competency"):
    for _ in range(n):
        values = {d: value for d in competency.DIMENSIONS}
        if instrument == "maturity":
            values = {d: 2 for d in MATURITY_DIMENSIONS} | {"overall": 2}
        code = store.invite(1)[0]
        store.contribute(instrument, code, department=department, site=site, values=values)


def test_store_with_only_small_groups_shows_no_small_group(store):
    """With only groups under 5, is every department and site hidden (and said so if all are)?"""
    contribute(store, "Sales", "Lyon", 2)
    contribute(store, "IT", "Paris", 3)
    assert publish(store).status == "published"
    app = HRApp("en", "store", store=store, authenticated=True)
    views = {v.name: v for v in app.views}
    rows = {row[0]: row for row in views["by_department"].rows}
    assert set(rows["Sales"][1:]) == {"hidden"} and set(rows["IT"][1:]) == {"hidden"}
    assert rows["All"][1] == "5"
    contribute(store, "Legal", "Lyon", 1, instrument="maturity")
    app.refresh()
    assert "1 contribution(s) wait" in app.status.value  # live data is never shown
    contribute(store, "Legal", "Lyon", 3, instrument="maturity")
    assert publish(store).status == "published"
    app.refresh()
    views = {v.name: v for v in app.views}
    assert set(views["maturity"].rows[0][1:]) == {"hidden"}


def test_html_in_a_department_name_is_shown_as_text(store):
    """Is a department called <script>… escaped in the page and its $ harmless in charts?"""
    name = "<script>alert('x')</script> R&D $1"
    contribute(store, name, "Lyon", 6, 40.0)
    contribute(store, "Sales", "Lyon", 6, 60.0)
    assert publish(store).status == "published"
    app = HRApp("en", "store", store=store, authenticated=True)
    assert "<script>alert" not in app.content.value
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; R&amp;D $1" in app.content.value


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00garbage\x00", "not UTF-8"),
        (b"site,D1.1\nLyon,3\n", "'department' column"),
        (b"department,site,D1.1,D1.2,D1.3\nSales,Lyon,3,9,2\n", "row 1, column D1.2"),
        (b"department,site,D1.1,D1.2,D1.3\nSales,Lyon,3,abc,2\n", "expected a number"),
        (b"department,colour\nSales,blue\n", "no known answer columns"),
        (b"department,strategy\nSales,2\n", "no known answer columns"),
        (b'department,site\n"Sales,Lyon\n', "not a readable CSV"),
    ],
)
def test_malformed_imports_are_refused_with_a_reason(store, content, reason):
    """Is a malformed import refused with a clear reason, without a traceback or a change of view?"""
    with pytest.raises(ValueError, match=re.escape(reason)):
        parse_import(content)
    app = HRApp("en", "demo", store=store, authenticated=True)
    before = app.content.value
    assert not app.import_bytes(content)
    assert "Import refused" in app.status.value and "Traceback" not in app.status.value
    assert app.content.value == before


def test_a_valid_import_is_shown_protected(store):
    """Is an imported file of competency answers and maturity stages shown, small groups hidden?"""
    answers = data.load("assessments_demo").head(60)
    buffer = io.StringIO()
    answers.to_csv(buffer, index=False)
    app = HRApp("en", "store", store=store, authenticated=True)
    assert app.import_bytes(buffer.getvalue().encode("utf-8"))
    assert app.source.value == "import" and "60 response(s) imported" in app.status.value
    rows = {row[0]: row for row in {v.name: v for v in app.views}["by_department"].rows}
    assert rows["All"][1] == "60"
    for row in rows.values():
        assert row[1] == "hidden" or int(row[1]) >= 5
    stages = pd.DataFrame({d: [2, 3, 4, 1, 2, 3] for d in MATURITY_DIMENSIONS})
    stages.insert(0, "department", ["A"] * 6)
    stages["submitted_on"] = dt.date(2025, 11, 3).isoformat()
    imported = parse_import(stages.to_csv(index=False, sep=";").encode())
    assert len(imported.maturity) == 6 and imported.competency.empty


@pytest.mark.slow
def test_language_and_source_from_the_query(store):
    """Do ?lang=fr&source=demo switch the page to French demo data?"""
    app = HRApp("en", "store", store=store, authenticated=True)
    app.apply_query("lang=fr&source=demo")
    assert (
        app.source.value == "demo"
        and "Service" in app.content.value
        and "masqué" in app.content.value
    )

"""The competency self-assessment app (``dashboards/self_assessment.ipynb``), built from ipywidgets.

:class:`CompetencyApp` holds the whole widget tree and its callbacks, so that tests can build it
in Python and drive it without a browser. :func:`launch` is what the notebook calls: it builds
the app, displays it, then (with Voilà's preheated kernels) waits for the request before reading
``?lang=fr|en`` and ``?code=...`` from the URL.

Every answer is saved at once, as a draft under the person's resume code (created with their
first answer), through :mod:`course.assess.store`; opening the app with ``?code=...`` or typing
the code restores the answers.
"""

from __future__ import annotations

import contextlib
import html
import logging
import os
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as widgets

from course.assess import report
from course.assess.competency import (
    DIMENSIONS,
    ITEMS,
    LANGUAGES,
    ORIENTATION_ITEMS,
    CompetencyResult,
    instrument,
    score,
)
from course.assess.org import OrgConfig, load_org_config
from course.assess.store import (
    DraftConflict,
    InvalidCode,
    NotInvited,
    Store,
    StoreUnavailable,
    get_store,
    is_valid_code,
    new_code,
)
from course.widgets.a11y import (
    a11y_head,
    data_uri_link,
    described_radio,
    guard_comm_handlers,
    status_html,
    uncut_descriptions,
)

__all__ = ["INSTRUMENT", "CompetencyApp", "launch"]

INSTRUMENT = "competency"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
log = logging.getLogger(__name__)


def _guarded(method: Callable) -> Callable:
    """Turn an unexpected error in a callback into a message instead of a silent widget log."""

    @wraps(method)
    def wrapper(self: CompetencyApp, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:  # a callback must never leave the person without feedback
            log.exception("self-assessment callback failed")
            self._set_status(self.status, self.text["ui"]["unexpected"], "error")
            return None

    return wrapper


class CompetencyApp:
    """The self-assessment: questions, progress, results, exports and contribution.

    Args:
        lang: ``"fr"`` (default) or ``"en"``.
        store: where drafts and contributions go (default: :func:`course.assess.store.get_store`).
        org: departments and sites offered (default: :func:`course.assess.org.load_org_config`).
        lesson_base_url: prefix of lesson links (see :func:`course.assess.report.lesson_links`).
        identity: an authenticated user (JupyterHub) that replaces the issued code when
            contributing and withdrawing; ``None`` (default) needs an issued code.

    Attributes:
        widget: the root widget to display.
        code: the resume code (``None`` until the first answer or a resume).
        item_radios, importance_radios, orientation_radios: id → ``RadioButtons``.
    """

    def __init__(
        self,
        lang: str = "fr",
        *,
        store: Store | None = None,
        org: OrgConfig | None = None,
        lesson_base_url: str | None = None,
        identity: str | None = None,
    ):
        self.lang = lang if lang in LANGUAGES else "fr"
        self.text = instrument(self.lang)
        self._store = store
        self.org = org or load_org_config()
        self.lesson_base_url = lesson_base_url
        # behind JupyterHub, the hub user replaces the issued code for contributing
        self.identity = identity
        self.code: str | None = None
        self.version = 0  # of the stored draft this page last loaded or saved
        self._dirty: set[tuple[str, str]] = set()  # answers changed since the last save
        self.unsaved = False
        self.results_shown = False
        self._quiet = False
        self._build()

    # -- construction -------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The store, created on first use (so a broken database never stops the page)."""
        if self._store is None:
            self._store = get_store()
        return self._store

    def _scale(self, name: str) -> list[tuple[str, Any]]:
        return [
            (label, int(key) if key != "na" else "na") for key, label in self.text[name].items()
        ]

    def _build(self) -> None:
        ui = self.text["ui"]
        self.title = widgets.HTML()
        self.intro = widgets.HTML()
        self.language = widgets.ToggleButtons(
            options=[(LANGUAGE_NAMES[code], code) for code in LANGUAGES],
            value=self.lang,
            description=ui["language"],
        )
        self.language.observe(self._on_language, names="value")

        self.code_display = widgets.HTML()
        self.code_input = widgets.Text(description=ui["code_input"], placeholder="…")
        self.code_button = widgets.Button(description=ui["code_button"])
        self.code_button.on_click(lambda _button: self.resume(self.code_input.value))
        self.code_status = widgets.HTML()

        self.progress_bar = widgets.IntProgress(min=0, max=self.total_questions, value=0)
        self.progress_bar.add_class("cm-progress")
        self.progress_text = widgets.HTML()

        self.item_radios: dict[str, widgets.RadioButtons] = {}
        self.importance_radios: dict[str, widgets.RadioButtons] = {}
        self.orientation_radios: dict[str, widgets.RadioButtons] = {}
        # One layout and one style for all 28 radio groups: fewer widget models to send and
        # render, so the page is interactive sooner.
        layout = widgets.Layout(width="auto")
        style = widgets.widget_description.DescriptionStyle(description_width="initial")

        def radio(identifier: str, scale: str) -> widgets.RadioButtons:
            return described_radio(identifier, "", self._scale(scale), layout=layout, style=style)

        self.dimension_headers: dict[str, widgets.HTML] = {}

        sections: list[widgets.Widget] = []
        self.items_header = widgets.HTML()
        sections.append(self.items_header)
        for dim in DIMENSIONS:
            header = widgets.HTML()
            self.dimension_headers[dim] = header
            sections.append(header)
            for item in ITEMS:
                if item.split(".")[0] != dim:
                    continue
                self.item_radios[item] = radio(item, "scale")
                self.item_radios[item].observe(self._answer_handler("item", item), names="value")
                sections.append(self.item_radios[item])
            self.importance_radios[dim] = radio(f"I{dim}", "importance_scale")
            self.importance_radios[dim].observe(
                self._answer_handler("importance", dim), names="value"
            )
            sections.append(self.importance_radios[dim])
        self.orientation_header = widgets.HTML()
        sections.append(self.orientation_header)
        for item in ORIENTATION_ITEMS:
            self.orientation_radios[item] = radio(item, "agreement_scale")
            self.orientation_radios[item].observe(
                self._answer_handler("orientation", item), names="value"
            )
            sections.append(self.orientation_radios[item])

        self.results_button = widgets.Button(description=ui["show_results"], button_style="primary")
        self.results_button.on_click(lambda _button: self.show_results())
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        self.downloads = widgets.HTML()

        self.contribute_header = widgets.HTML()
        self.consent = widgets.Checkbox(value=False, description=ui["consent"], indent=False)
        self.department = widgets.Dropdown(description=ui["department"])
        self.site = widgets.Dropdown(description=ui["site"])
        self.contribute_button = widgets.Button(description=ui["contribute"])
        self.contribute_button.on_click(lambda _button: self.contribute())
        self.withdraw_button = widgets.Button(description=ui["withdraw"])
        self.withdraw_button.on_click(lambda _button: self.withdraw())
        self.contribute_status = widgets.HTML()

        self.widget = widgets.VBox(
            [
                self.title,
                self.language,
                self.intro,
                self.code_display,
                widgets.HBox([self.code_input, self.code_button]),
                self.code_status,
                widgets.HBox([self.progress_bar, self.progress_text]),
                *sections,
                self.results_button,
                self.status,
                self.results,
                self.downloads,
                self.contribute_header,
                self.consent,
                self.department,
                self.site,
                widgets.HBox([self.contribute_button, self.withdraw_button]),
                self.contribute_status,
            ]
        )
        self.widget.add_class("cm-app")
        uncut_descriptions(self.widget)  # labels never cut ("Code de r…")
        # Stable hooks for browser tests and the benchmark (CSS classes, never visible).
        for widget, name in (
            (self.language, "cm-language"),
            (self.code_display, "cm-code-display"),
            (self.code_input, "cm-code-input"),
            (self.code_button, "cm-code-button"),
            (self.code_status, "cm-code-status"),
            (self.results_button, "cm-results-button"),
            (self.status, "cm-status"),
            (self.results, "cm-results"),
            (self.downloads, "cm-downloads"),
            (self.consent, "cm-consent"),
            (self.department, "cm-department"),
            (self.site, "cm-site"),
            (self.contribute_button, "cm-contribute"),
            (self.withdraw_button, "cm-withdraw"),
            (self.contribute_status, "cm-contribute-status"),
        ):
            widget.add_class(name)
        self._apply_texts()

    def _apply_texts(self) -> None:
        """Write every visible text in the current language (values are kept)."""
        text, ui = self.text, self.text["ui"]
        self.title.value = f"<h1>{html.escape(text['title'])}</h1>"
        self.intro.value = f"<p>{html.escape(text['intro'])}</p>"
        self.language.description = ui["language"]
        self.code_input.description = ui["code_input"]
        self.code_button.description = ui["code_button"]
        self.items_header.value = f"<h2>{html.escape(ui['part_items'])}</h2>"
        self.orientation_header.value = f"<h2>{html.escape(ui['part_orientation'])}</h2>"
        for dim in DIMENSIONS:
            name = text["dimensions"][dim]["name"]
            self.dimension_headers[dim].value = f"<h3>{html.escape(dim)} · {html.escape(name)}</h3>"
            for item, wording in text["dimensions"][dim]["items"].items():
                self.item_radios[item].description = f"{item} · {wording}"
                self._relabel(self.item_radios[item], self._scale("scale"))
            prompt = text["importance_prompt"].format(name=name)
            self.importance_radios[dim].description = prompt
            self._relabel(self.importance_radios[dim], self._scale("importance_scale"))
        for item, wording in text["orientation"].items():
            self.orientation_radios[item].description = f"{item} · {wording}"
            self._relabel(self.orientation_radios[item], self._scale("agreement_scale"))
        self.results_button.description = ui["show_results"]
        self.contribute_header.value = f"<h2>{html.escape(ui['contribute_title'])}</h2><p>{html.escape(ui['contribute_text'])}</p>"
        self.consent.description = ui["consent"]
        self.department.description = ui["department"]
        self.site.description = ui["site"]
        # "" is the "choose" placeholder: a Dropdown cannot show an option whose value is None.
        self._relabel(
            self.department, [(ui["choose"], ""), *[(d, d) for d in self.org.departments]], ""
        )
        self._relabel(self.site, [(ui["choose"], ""), *[(s, s) for s in self.org.sites]], "")
        self.contribute_button.description = ui["contribute"]
        self.withdraw_button.description = ui["withdraw"]
        self._show_code()
        self._update_progress()
        if self.results_shown:
            self.show_results()

    def _relabel(self, widget: widgets.Widget, options: list, default: Any = None) -> None:
        """Replace a selection's option labels without losing (or saving) its value."""
        value = widget.value if widget.value is not None else default
        self._quiet = True
        try:
            widget.options = options
            widget.value = value
        finally:
            self._quiet = False

    # -- answers ------------------------------------------------------------------------------

    @property
    def total_questions(self) -> int:
        """Items + importance + orientation questions."""
        return len(ITEMS) + len(DIMENSIONS) + len(ORIENTATION_ITEMS)

    def _answer_handler(self, kind: str, key: str) -> Callable:
        def handler(_change: dict) -> None:
            if not self._quiet:
                self._answered(kind, key)

        return handler

    @_guarded
    def _answered(self, kind: str, key: str) -> None:
        part = {"item": "answers", "importance": "importance", "orientation": "orientation"}[kind]
        self._dirty.add((part, key))
        self._update_progress()
        self.save()
        if self.results_shown:
            self.show_results()

    def answers(self) -> dict[str, Any]:
        """The current answers: ``{"answers": {item: 1–5 or "na"}, "importance": {…}, "orientation": {…}}``."""
        return {
            "answers": {k: r.value for k, r in self.item_radios.items() if r.value is not None},
            "importance": {
                k: r.value for k, r in self.importance_radios.items() if r.value is not None
            },
            "orientation": {
                k: r.value for k, r in self.orientation_radios.items() if r.value is not None
            },
        }

    def answered_count(self) -> int:
        """How many questions have a choice (N/A counts as a choice)."""
        state = self.answers()
        return sum(len(part) for part in state.values())

    def result(self) -> CompetencyResult:
        """Score the current answers."""
        state = self.answers()
        orientation = {k: None if v == "na" else v for k, v in state["orientation"].items()}
        return score(state["answers"], state["importance"], orientation)

    def _update_progress(self) -> None:
        count = self.answered_count()
        self.progress_bar.value = count
        self.progress_bar.description = self.text["ui"]["progress_label"]
        message = self.text["ui"]["progress"].format(answered=count, total=self.total_questions)
        self.progress_text.value = (
            f'<span role="status" class="cm-progress-text">{html.escape(message)}</span>'
        )

    # -- saving and resuming ------------------------------------------------------------------

    def save(self) -> bool:
        """Save the draft now (creating the resume code on the first answer).

        Returns:
            ``True`` when saved; ``False`` when the database is unavailable (the answers stay in
            the page and the next answer tries again), and the person is told so.
        """
        if self.code is None:
            if self.answered_count() == 0:
                return True
            self.code = new_code()
            self._show_code()
        try:
            self._save_merged()
        except StoreUnavailable as exc:
            self.unsaved = True
            reason = str(exc)
            self._set_status(
                self.code_status, self.text["ui"]["save_failed"].format(reason=reason), "error"
            )
            return False
        if self.unsaved:
            self._set_status(self.code_status, self.text["ui"]["saved"], "ok")
        self.unsaved = False
        return True

    def _save_merged(self) -> None:
        """Save with a version check; if the same code was saved elsewhere, merge per answer.

        The answers changed in this page since its last save win; every other answer comes from
        the stored draft, so neither page loses an answer. The person is warned.
        """
        for _attempt in range(5):
            payload = {**self.answers(), "lang": self.lang}
            try:
                self.version = self.store.save_draft(
                    INSTRUMENT, self.code, payload, expected_version=self.version
                )
            except DraftConflict as conflict:
                self._restore(self._merge(conflict.current))
                self.version = conflict.version
                self._update_progress()
                self._set_status(self.code_status, self.text["ui"]["conflict"], "error")
                continue
            self._dirty.clear()
            return
        raise StoreUnavailable("too many concurrent saves")

    def _merge(self, stored: dict) -> dict:
        """The stored draft with this page's unsaved answers on top."""
        mine = self.answers()
        merged = {}
        for part in ("answers", "importance", "orientation"):
            saved = stored.get(part) if isinstance(stored, dict) else None
            merged[part] = dict(saved) if isinstance(saved, dict) else {}
            for dirty_part, key in self._dirty:
                if dirty_part != part:
                    continue
                if key in mine[part]:
                    merged[part][key] = mine[part][key]
                else:
                    merged[part].pop(key, None)
        return merged

    def _show_code(self) -> None:
        ui = self.text["ui"]
        if self.code is None:
            self.code_display.value = f"<p>{html.escape(ui['no_code_yet'])}</p>"
            return
        code = html.escape(self.code)
        link = f"?code={code}&amp;lang={self.lang}"
        self.code_display.value = (
            f"<p><strong>{html.escape(ui['resume_code'])}</strong> : "
            f'<span class="cm-code" data-testid="resume-code">{code}</span></p>'
            f"<p>{html.escape(ui['resume_hint'])} "
            f'<a href="{link}">{html.escape(ui["resume_link"])}</a></p>'
        )

    @_guarded
    def resume(self, code: str) -> bool:
        """Restore the answers saved under ``code``.

        Args:
            code: a resume code (typed or from the URL); anything malformed is refused without
                touching the database.

        Returns:
            Whether answers were restored. The person sees why not otherwise.
        """
        ui = self.text["ui"]
        code = (code or "").strip()
        if not is_valid_code(code):
            self._set_status(self.code_status, ui["code_invalid"], "error")
            return False
        try:
            draft, version = self.store.load_draft(INSTRUMENT, code, with_version=True)
            invited = draft is None and self.store.is_invited(code)
        except (StoreUnavailable, InvalidCode) as exc:
            self._set_status(self.code_status, ui["store_failed"].format(reason=exc), "error")
            return False
        if invited:
            # an issued code with no draft yet: the answers so far are saved under it
            self.code, self.version = code, 0
            self._dirty = {(p, k) for p, part in self.answers().items() for k in part}
            self.code_input.value = ""
            self._show_code()
            self.save()
            self._set_status(self.code_status, ui["code_accepted"], "ok")
            return True
        if draft is None:
            self._set_status(self.code_status, ui["code_unknown"], "error")
            return False
        try:
            self._restore(draft)
        except (TypeError, ValueError, AttributeError):
            self._set_status(self.code_status, ui["code_unknown"], "error")
            return False
        self.version = version
        self._dirty = set()
        self.code = code
        self.code_input.value = ""
        self._show_code()
        self._update_progress()
        self._set_status(self.code_status, ui["code_restored"], "ok")
        with contextlib.suppress(StoreUnavailable):  # the consent box is only a reminder
            self.consent.value = self.store.has_contribution(INSTRUMENT, code)
        return True

    def _restore(self, draft: dict) -> None:
        """Put saved answers back into the radios, ignoring anything that is not a valid choice."""
        groups = (
            ("answers", self.item_radios),
            ("importance", self.importance_radios),
            ("orientation", self.orientation_radios),
        )
        self._quiet = True
        try:
            for part, radios in groups:
                saved = draft.get(part) if isinstance(draft, dict) else None
                saved = saved if isinstance(saved, dict) else {}
                for key, radio in radios.items():
                    value = saved.get(key)
                    allowed = [v for _label, v in radio.options]
                    # type check too: True == 1 in Python, but a bool is not an answer
                    valid = type(value) in (int, str) and value in allowed
                    radio.value = value if valid else None
        finally:
            self._quiet = False

    # -- language -----------------------------------------------------------------------------

    def _on_language(self, change: dict) -> None:
        self.set_language(change["new"])

    @_guarded
    def set_language(self, lang: str) -> None:
        """Switch every text to ``lang`` (``"fr"`` or ``"en"``), keeping the answers."""
        if lang not in LANGUAGES:
            return
        self.lang = lang
        self.text = instrument(lang)
        if self.language.value != lang:
            self.language.value = lang
        self._apply_texts()

    def apply_query(self, query_string: str | None) -> None:
        """Apply the URL's ``?lang=fr|en`` and ``?code=...`` (unknown values are ignored or refused).

        Args:
            query_string: the raw query string (Voilà's ``QUERY_STRING``), may be empty.
        """
        params = parse_qs(query_string or "", keep_blank_values=True)
        lang = (params.get("lang") or [""])[0]
        if lang in LANGUAGES and lang != self.lang:
            self.set_language(lang)
        codes = params.get("code")
        if codes:
            self.resume(codes[0])

    # -- results ------------------------------------------------------------------------------

    @_guarded
    def show_results(self) -> CompetencyResult:
        """Score, then show the chart, the table, the modules, the profile and the downloads.

        Dimensions that still lack answers are named in the status message.
        """
        ui = self.text["ui"]
        result = self.result()
        self.results_shown = True
        missing = result.missing_dimensions
        if missing:
            names = ", ".join(
                ui["missing_one"].format(
                    name=f"{dim} {self.text['dimensions'][dim]['name']}",
                    count=result.missing_answers(dim),
                )
                for dim in missing
            )
            self._set_status(self.status, ui["missing"].format(dims=names), "error")
        else:
            self._set_status(self.status, "", "info")
        if len(missing) == len(DIMENSIONS):
            self.results.value = f"<p>{html.escape(ui['none_scored'])}</p>"
            self.downloads.value = ""
            return result
        links = report.lesson_links(self.lesson_base_url)
        self.results.value = (
            f'<section class="cm-results-section" aria-label="{html.escape(ui["results"])}">'
            f"<h2>{html.escape(ui['results'])}</h2>"
            f"{report.chart_html(result, self.text)}"
            f"{report.results_table_html(result, self.text)}"
            f"{report.modules_html(result, self.text, links)}</section>"
        )
        csv_text = report.result_csv(result, self.text)
        summary = report.summary_html(result, self.text, self.lang, links=links)
        self.downloads.value = (
            f"<h3>{html.escape(ui['downloads'])}</h3><ul>"
            f"<li>{data_uri_link(csv_text, 'competency-result.csv', 'text/csv', ui['download_csv'])}</li>"
            f"<li>{data_uri_link(summary, 'competency-summary.html', 'text/html', ui['download_html'])}</li>"
            "</ul>"
        )
        return result

    # -- contribution -------------------------------------------------------------------------

    @_guarded
    def contribute(self) -> bool:
        """Share the scores with the organisation, if the person consented and chose from the lists.

        Returns:
            Whether the contribution was saved (the person is told either way).
        """
        ui = self.text["ui"]
        if not self.consent.value:
            self._set_status(self.contribute_status, ui["need_consent"], "error")
            return False
        department, site = self.department.value, self.site.value
        if department not in self.org.departments or site not in self.org.sites:
            self._set_status(self.contribute_status, ui["need_org"], "error")
            return False
        result = self.result()
        if all(value is None for value in result.scores.values()):
            self._set_status(self.contribute_status, ui["need_results"], "error")
            return False
        # the draft is saved again first: the code must always bring these answers back
        if not self.save():
            self._set_status(
                self.contribute_status, ui["store_failed"].format(reason="save"), "error"
            )
            return False
        values: dict[str, Any] = {dim: result.scores[dim] for dim in DIMENSIONS}
        values.update({f"importance_{dim}": result.importance[dim] for dim in DIMENSIONS})
        values["profile"] = result.profile
        try:
            self.store.contribute(
                INSTRUMENT,
                self.code,
                department=department,
                site=site,
                values=values,
                allowed_departments=list(self.org.departments),
                allowed_sites=list(self.org.sites),
                identity=self.identity,
            )
        except NotInvited:
            self._set_status(self.contribute_status, ui["need_invite"], "error")
            return False
        except StoreUnavailable as exc:
            self._set_status(self.contribute_status, ui["store_failed"].format(reason=exc), "error")
            return False
        self._set_status(self.contribute_status, ui["contributed"], "ok")
        return True

    @_guarded
    def withdraw(self) -> bool:
        """Delete this code's contribution; returns whether there was one (the person is told)."""
        ui = self.text["ui"]
        if self.code is None:
            self._set_status(self.contribute_status, ui["nothing_to_withdraw"], "error")
            return False
        try:
            removed = self.store.withdraw(INSTRUMENT, self.code, identity=self.identity)
        except StoreUnavailable as exc:
            self._set_status(self.contribute_status, ui["store_failed"].format(reason=exc), "error")
            return False
        if removed:
            self.consent.value = False
            self._set_status(self.contribute_status, ui["withdrawn"], "ok")
        else:
            self._set_status(self.contribute_status, ui["nothing_to_withdraw"], "error")
        return removed

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _set_status(target: widgets.HTML, message: str, kind: str) -> None:
        target.value = status_html(message, kind)

    def head_html(self) -> str:
        """Inline style and script of the page (accessibility of radio groups); no network."""
        return a11y_head()


def launch(environ: dict[str, str] | None = None) -> CompetencyApp:
    """Build, display and wire the app: what ``dashboards/self_assessment.ipynb`` calls.

    The widgets are built before waiting for the request, so a preheated kernel has done the slow
    part; URL parameters are read only after :func:`voila.utils.wait_for_request`.

    Args:
        environ: where to read ``QUERY_STRING`` (default ``os.environ``, which Voilà fills).

    Returns:
        The displayed :class:`CompetencyApp`.
    """
    from IPython.display import HTML, display

    app = CompetencyApp()
    display(HTML(app.head_html()))
    display(app.widget)
    guard_comm_handlers()  # a malformed comm message never answers a traceback
    try:
        from voila.utils import wait_for_request
    except ImportError:  # outside Voilà (JupyterLab): no request to wait for
        pass
    else:
        wait_for_request()
    environ = os.environ if environ is None else environ
    app.apply_query(environ.get("QUERY_STRING", ""))
    return app

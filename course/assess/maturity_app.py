"""The organisation maturity app (``dashboards/maturity.ipynb``), built from ipywidgets.

Same conventions as the competency app (:mod:`course.assess.app`): every answer is saved at once
as a draft under a resume code (:mod:`course.assess.store`, instrument ``"maturity"``), ``?code=``
and ``?lang=`` are read after :func:`voila.utils.wait_for_request`, exports are data-URI links,
and a result can be shared anonymously with the HR view (department and site from the
organisation's lists, see :mod:`course.assess.org`).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import html
import io
import logging
import os
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as widgets

from course.assess.maturity import DIMENSIONS, LANGUAGES, STAGES, MaturityResult, instrument, score
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
    guard_comm_handlers,
    labelled_radio,
    question_html,
    status_html,
    uncut_descriptions,
)

__all__ = ["INSTRUMENT", "MaturityApp", "chart_alt", "chart_html", "launch", "result_csv"]

INSTRUMENT = "maturity"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
log = logging.getLogger(__name__)

#: Interface strings not in the instrument file (kept here, both languages in step).
UI = {
    "fr": {
        "no_code_yet": "Votre code de reprise apparaîtra après la première réponse.",
        "resume_hint": "Notez ce code, ou gardez ce lien pour reprendre plus tard :",
        "resume_link": "lien de reprise",
        "code_invalid": "Ce code n'a pas le bon format.",
        "code_unknown": "Aucune réponse enregistrée sous ce code.",
        "code_restored": "Réponses restaurées.",
        "save_failed": "Réponse non enregistrée ({reason}) : elle reste dans la page, réessai à la prochaine réponse.",
        "saved": "Réponses enregistrées.",
        "store_failed": "Base de données indisponible ({reason}).",
        "progress": "{answered} dimension(s) sur 8 renseignée(s)",
        "results_title": "Résultat",
        "chart_title": "Étape par dimension",
        "chart_alt": "Diagramme en barres des étapes (1 à 4) par dimension : {values}.",
        "stage_axis": "Étape (1 à 4)",
        "dimension": "Dimension",
        "stage": "Étape",
        "next_stage": "Étape suivante",
        "action": "Action",
        "consent": "J'accepte de partager ce résultat, sans mon nom, avec mon organisation.",
        "site": "Site",
        "choose": "— choisir —",
        "contribute_title": "Contribuer à la vue d'ensemble",
        "contribute_text": "Facultatif. Seuls le service, le site, le jour et les étapes sont transmis. Les RH ne voient jamais vos réponses ni les données en direct : seulement des publications numérotées et datées (« course hr publish »), où chaque groupe affiché compte au moins 5 personnes et où un nombre ne change d'une publication à l'autre que si au moins 5 personnes de ce groupe ont été ajoutées, retirées ou modifiées. Votre contribution, un retrait ou une modification apparaissent au plus tôt dans la prochaine publication qui respecte cette règle. Contribuer demande le code personnel remis par votre organisation (une contribution par personne), qui sert aussi de code de reprise.",
        "need_invite": "Pour contribuer, saisissez d'abord le code personnel remis par votre organisation dans le champ du code de reprise et appuyez sur « Reprendre ».",
        "code_accepted": "Code accepté : vos réponses seront enregistrées sous ce code.",
        "conflict": "Ce code est aussi ouvert dans une autre page : les réponses des deux pages ont été réunies (aucune n'est perdue). Vérifiez-les avant de contribuer.",
        "need_consent": "Cochez d'abord la case d'accord.",
        "need_org": "Choisissez un service et un site dans les listes.",
        "need_results": "Répondez d'abord aux huit dimensions.",
        "contributed": "Merci : votre résultat est partagé. Vous pouvez le retirer avec votre code.",
        "withdraw": "Retirer ma contribution",
        "withdrawn": "Contribution retirée.",
        "nothing_to_withdraw": "Aucune contribution à retirer pour ce code.",
        "code_button": "Reprendre",
        "error": "Erreur inattendue : réessayez.",
        "colon": " :",
    },
    "en": {
        "no_code_yet": "Your resume code will appear after your first answer.",
        "resume_hint": "Write this code down, or keep this link to come back later:",
        "resume_link": "resume link",
        "code_invalid": "This code does not have the right form.",
        "code_unknown": "No answers are saved under this code.",
        "code_restored": "Answers restored.",
        "save_failed": "Answer not saved ({reason}): it stays in the page and is retried with the next answer.",
        "saved": "Answers saved.",
        "store_failed": "Database unavailable ({reason}).",
        "progress": "{answered} of 8 dimensions answered",
        "results_title": "Result",
        "chart_title": "Stage per dimension",
        "chart_alt": "Bar chart of the stage (1 to 4) of each dimension: {values}.",
        "stage_axis": "Stage (1 to 4)",
        "dimension": "Dimension",
        "stage": "Stage",
        "next_stage": "Next stage",
        "action": "Action",
        "consent": "I agree to share this result, without my name, with my organisation.",
        "site": "Site",
        "choose": "— choose —",
        "contribute_title": "Contribute to the overall picture",
        "contribute_text": "Optional. Only the department, site, day and stages are sent. HR never sees your answers or live data: only numbered, dated releases (`course hr publish`) in which every group shown has at least 5 people and a number changes from one release to the next only when at least 5 people of that group were added, withdrawn or changed. Your contribution, a withdrawal or a change appear at the earliest in the next release that meets this rule. Contributing needs the personal code your organisation gave you (one contribution per person), which is also your resume code.",
        "need_invite": "To contribute, first type the personal code your organisation gave you into the resume code field and press Resume.",
        "code_accepted": "Code accepted: your answers will be saved under this code.",
        "conflict": "This code is also open in another page: the answers of both pages were merged (none is lost). Check them before contributing.",
        "need_consent": "Tick the consent box first.",
        "need_org": "Choose a department and a site from the lists.",
        "need_results": "Answer all eight dimensions first.",
        "contributed": "Thank you: your result is shared. You can withdraw it with your code.",
        "withdraw": "Withdraw my contribution",
        "withdrawn": "Contribution withdrawn.",
        "nothing_to_withdraw": "No contribution to withdraw for this code.",
        "code_button": "Resume",
        "error": "Unexpected error: please try again.",
        "colon": ":",
    },
}


def _texts(lang: str) -> dict:
    text = instrument(lang)
    text["ui"] = {**text["ui"], **UI[lang]}
    return text


def chart_alt(result: MaturityResult, text: dict) -> str:
    """The chart's alt text: every dimension with its stage, in words.

    Args:
        result: a scored result.
        text: the instrument's wording in the page's language (with ``ui``).

    Returns:
        One sentence naming the eight dimensions and their stages.
    """
    parts = [f"{text['dimensions'][d]['name']} {result.stages[d]}" for d in DIMENSIONS]
    return text["ui"]["chart_alt"].format(values="; ".join(parts))


def chart_png(result: MaturityResult, text: dict) -> bytes:
    """A horizontal bar chart of the eight stages (course palette) as PNG bytes.

    Args:
        result: a scored result (its weakest dimensions are drawn in another colour).
        text: the instrument's wording in the page's language.

    Returns:
        The PNG file's bytes; the dashed line marks the overall stage.
    """
    from matplotlib.figure import Figure

    from course.plots import PALETTE

    figure = Figure(figsize=(7.0, 4.2), layout="constrained")
    axes = figure.subplots()
    names = [text["dimensions"][d]["name"].replace("$", r"\$") for d in DIMENSIONS]
    stages = [result.stages[d] for d in DIMENSIONS]
    colours = [PALETTE[5] if d in result.weakest else PALETTE[0] for d in DIMENSIONS]
    axes.barh(names, stages, color=colours, hatch=None)
    axes.axvline(result.overall_stage, color=PALETTE[7], linestyle="--", linewidth=1.5)
    axes.set_xlim(0, 4.2)
    axes.set_xticks(list(STAGES))
    axes.invert_yaxis()
    axes.set_title(text["ui"]["chart_title"])
    axes.set_xlabel(text["ui"]["stage_axis"])
    axes.set_ylabel(text["ui"]["dimension"])
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    return buffer.getvalue()


def chart_html(result: MaturityResult, text: dict) -> str:
    """The chart as an inline ``<img>`` with alt text, in a ``<figure>``.

    Args:
        result: a scored result.
        text: the instrument's wording in the page's language.

    Returns:
        Escaped HTML (the image travels inside the page).
    """
    payload = base64.b64encode(chart_png(result, text)).decode("ascii")
    alt = html.escape(chart_alt(result, text))
    return (
        f'<figure class="cm-chart"><img src="data:image/png;base64,{payload}" alt="{alt}" '
        f'style="max-width:100%"><figcaption>{html.escape(text["ui"]["rule"])}</figcaption></figure>'
    )


def result_csv(result: MaturityResult, text: dict) -> str:
    """The result as CSV: one row per dimension (stage, next stage, action), then the overall stage.

    Args:
        result: a scored result.
        text: the instrument's wording in the page's language.

    Returns:
        The CSV text, header ``dimension,name,stage,next_stage,next_action``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["dimension", "name", "stage", "next_stage", "next_action"])
    for dim in DIMENSIONS:
        writer.writerow(
            [
                dim,
                text["dimensions"][dim]["name"],
                result.stages[dim],
                result.next_stages.get(dim, ""),
                result.next_actions.get(dim, ""),
            ]
        )
    writer.writerow(["overall", text["ui"]["overall"], result.overall_stage, "", ""])
    return buffer.getvalue()


def results_html(result: MaturityResult, text: dict) -> str:
    """Overall stage, weakest dimensions, the chart and the next actions, as escaped HTML.

    Args:
        result: a scored result.
        text: the instrument's wording in the page's language.

    Returns:
        An HTML fragment for the results widget.
    """
    ui = text["ui"]
    # the stage labels start with their number ("1 · Hierarchy"): show the number once
    stage_label = text["stages"][str(result.overall_stage)].split(" · ", 1)[-1]
    weakest = ", ".join(text["dimensions"][d]["name"] for d in result.weakest)
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(text['dimensions'][d]['name'])}</th>"
        f"<td>{result.stages[d]}</td><td>{result.next_stages[d]}</td>"
        f"<td>{html.escape(action)}</td></tr>"
        for d, action in result.next_actions.items()
    )
    actions = (
        f"<table class='cm-results cm-next-actions'><caption>{html.escape(ui['next_actions'])}</caption>"
        f"<thead><tr><th scope='col'>{html.escape(ui['dimension'])}</th>"
        f"<th scope='col'>{html.escape(ui['stage'])}</th><th scope='col'>{html.escape(ui['next_stage'])}</th>"
        f"<th scope='col'>{html.escape(ui['action'])}</th></tr></thead><tbody>{rows}</tbody></table>"
        if result.next_actions
        else f"<p>{html.escape(ui['all_done'])}</p>"
    )
    return (
        f"<h2>{html.escape(ui['results_title'])}</h2>"
        f"<p class='cm-overall'><strong>{html.escape(ui['overall'] + ui['colon'])}</strong> "
        f"<span data-testid='overall-stage'>{result.overall_stage}</span> · {html.escape(stage_label)}</p>"
        f"<p><strong>{html.escape(ui['weakest'] + ui['colon'])}</strong> {html.escape(weakest)} "
        f"({result.weakest_stage})</p>"
        f"{chart_html(result, text)}{actions}"
    )


def _guarded(method: Callable) -> Callable:
    """Turn an unexpected error in a callback into a message instead of a silent widget log."""

    @wraps(method)
    def wrapper(self: MaturityApp, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:  # a callback must never leave the person without feedback
            log.exception("maturity app callback failed")
            self.status.value = status_html(self.text["ui"]["error"], "error")
            return None

    return wrapper


class MaturityApp:
    """The maturity self-assessment: eight questions, result, export and contribution.

    Args:
        lang: ``"fr"`` (default) or ``"en"``.
        store: where drafts and contributions go (default: :func:`course.assess.store.get_store`).
        org: departments and sites offered (default: :func:`course.assess.org.load_org_config`).

    Attributes:
        widget: the root widget to display.
        code: the resume code (``None`` until the first answer or a resume).
        radios: dimension key → ``RadioButtons`` (values 1–4).
    """

    def __init__(
        self,
        lang: str = "fr",
        *,
        store: Store | None = None,
        org: OrgConfig | None = None,
        identity: str | None = None,
    ):
        self.lang = lang if lang in LANGUAGES else "fr"
        # behind JupyterHub, the hub user replaces the issued code for contributing
        self.identity = identity
        self.text = _texts(self.lang)
        self._store = store
        self.org = org or load_org_config()
        self.code: str | None = None
        self.unsaved = False
        self.version = 0  # of the stored draft this page last loaded or saved
        self._dirty: set[str] = set()  # dimensions changed since the last save
        self._quiet = False
        self._build()

    @property
    def store(self) -> Store:
        """The store, created on first use (so a broken database never stops the page)."""
        if self._store is None:
            self._store = get_store()
        return self._store

    # -- construction -------------------------------------------------------------------------

    def _options(self, dim: str) -> list[tuple[str, int]]:
        descriptors = self.text["dimensions"][dim]["descriptors"]
        return [(f"{self.text['stages'][str(s)]} — {descriptors[str(s)]}", s) for s in STAGES]

    def _build(self) -> None:
        self.title = widgets.HTML()
        self.intro = widgets.HTML()
        self.language = widgets.ToggleButtons(
            options=[(LANGUAGE_NAMES[c], c) for c in LANGUAGES], value=self.lang
        )
        self.language.observe(lambda change: self.set_language(change["new"]), names="value")
        self.code_display = widgets.HTML()
        self.code_input = widgets.Text(placeholder="…")
        self.code_button = widgets.Button()
        self.code_button.on_click(lambda _b: self.resume(self.code_input.value))
        self.code_status = widgets.HTML()
        self.progress = widgets.HTML()
        self.labels: dict[str, widgets.HTML] = {}
        self.radios: dict[str, widgets.RadioButtons] = {}
        questions: list[widgets.Widget] = []
        for dim in DIMENSIONS:
            label, radio = labelled_radio(f"mat-{dim}", "", self._options(dim))
            radio.layout = widgets.Layout(width="auto")
            radio.orientation = "vertical"
            radio.add_class(f"cm-mat-{dim}")
            radio.observe(self._handler(dim), names="value")
            self.labels[dim], self.radios[dim] = label, radio
            questions += [label, radio]
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        self.downloads = widgets.HTML()
        self.contribute_header = widgets.HTML()
        self.consent = widgets.Checkbox(value=False, indent=False)
        self.department = widgets.Dropdown()
        self.site = widgets.Dropdown()
        self.contribute_button = widgets.Button()
        self.contribute_button.on_click(lambda _b: self.contribute())
        self.withdraw_button = widgets.Button()
        self.withdraw_button.on_click(lambda _b: self.withdraw())
        self.contribute_status = widgets.HTML()
        self.widget = widgets.VBox(
            [
                self.title,
                self.language,
                self.intro,
                self.code_display,
                widgets.HBox([self.code_input, self.code_button]),
                self.code_status,
                self.progress,
                *questions,
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
        for widget, name in (
            (self.language, "cm-language"),
            (self.code_display, "cm-code-display"),
            (self.code_input, "cm-code-input"),
            (self.code_button, "cm-code-button"),
            (self.code_status, "cm-code-status"),
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
        text, ui = self.text, self.text["ui"]
        self.title.value = f"<h1>{html.escape(text['title'])}</h1>"
        self.intro.value = f"<p>{html.escape(text['intro'])}</p><p><small>{html.escape(text['source'])}</small></p>"
        self.language.description = ui["language"]
        self.code_input.description = ui["resume_code"]
        self.code_button.description = ui["code_button"]
        for number, dim in enumerate(DIMENSIONS, start=1):
            entry = text["dimensions"][dim]
            self.labels[dim].value = question_html(
                f"{entry['name']} — {entry['prompt']}", str(number)
            )
            self._relabel(self.radios[dim], self._options(dim))
        self.contribute_header.value = f"<h2>{html.escape(ui['contribute_title'])}</h2><p>{html.escape(ui['contribute_text'])}</p>"
        self.consent.description = ui["consent"]
        self.department.description = ui["department"]
        self.site.description = ui["site"]
        self._relabel(
            self.department, [(ui["choose"], ""), *[(d, d) for d in self.org.departments]], ""
        )
        self._relabel(self.site, [(ui["choose"], ""), *[(s, s) for s in self.org.sites]], "")
        self.contribute_button.description = ui["contribute"]
        self.withdraw_button.description = ui["withdraw"]
        self._show_code()
        self.refresh()

    def _relabel(self, widget: widgets.Widget, options: list, default: Any = None) -> None:
        value = widget.value if widget.value is not None else default
        self._quiet = True
        try:
            widget.options = options
            widget.value = value
        finally:
            self._quiet = False

    # -- answers and result -------------------------------------------------------------------

    def _handler(self, dim: str) -> Callable:
        def handler(_change: dict) -> None:
            if not self._quiet:
                self._dirty.add(dim)
                self._answered()

        return handler

    @_guarded
    def _answered(self) -> None:
        self.save()
        self.refresh()

    def answers(self) -> dict[str, int]:
        """The stages chosen so far: dimension key → 1–4."""
        return {dim: radio.value for dim, radio in self.radios.items() if radio.value is not None}

    def result(self) -> MaturityResult | None:
        """The scored result, or ``None`` while a dimension is unanswered."""
        stages = self.answers()
        return score(stages, lang=self.lang) if len(stages) == len(DIMENSIONS) else None

    def refresh(self) -> None:
        """Update the progress line, the result, the chart and the export link."""
        ui = self.text["ui"]
        answered = len(self.answers())
        self.progress.value = f'<p role="status" class="cm-progress-text">{html.escape(ui["progress"].format(answered=answered))}</p>'
        result = self.result()
        if result is None:
            self.results.value = f"<p>{html.escape(ui['missing'])}</p>" if answered else ""
            self.downloads.value = ""
            return
        self.results.value = results_html(result, self.text)
        self.downloads.value = data_uri_link(
            result_csv(result, self.text), "maturity_result.csv", "text/csv", ui["export"]
        )

    # -- saving and resuming ------------------------------------------------------------------

    def save(self) -> bool:
        """Save the draft now (creating the resume code on the first answer).

        Returns:
            ``True`` when saved; ``False`` when the database is unavailable (the person is told).
        """
        if self.code is None:
            if not self.answers():
                return True
            self.code = new_code()
            self._show_code()
        try:
            self._save_merged()
        except StoreUnavailable as exc:
            self.unsaved = True
            self.code_status.value = status_html(
                self.text["ui"]["save_failed"].format(reason=exc), "error"
            )
            return False
        if self.unsaved:
            self.code_status.value = status_html(self.text["ui"]["saved"], "ok")
        self.unsaved = False
        return True

    def _save_merged(self) -> None:
        """Save with a version check; if the same code was saved elsewhere, merge per answer."""
        for _attempt in range(5):
            payload = {"stages": self.answers(), "lang": self.lang}
            try:
                self.version = self.store.save_draft(
                    INSTRUMENT, self.code, payload, expected_version=self.version
                )
            except DraftConflict as conflict:
                saved = conflict.current.get("stages") if isinstance(conflict.current, dict) else {}
                merged = dict(saved) if isinstance(saved, dict) else {}
                mine = self.answers()
                for dim in self._dirty:
                    if dim in mine:
                        merged[dim] = mine[dim]
                    else:
                        merged.pop(dim, None)
                self._set_stages(merged)
                self.version = conflict.version
                self.code_status.value = status_html(self.text["ui"]["conflict"], "error")
                continue
            self._dirty.clear()
            return
        raise StoreUnavailable("too many concurrent saves")

    def _set_stages(self, saved: dict) -> None:
        self._quiet = True
        try:
            for dim, radio in self.radios.items():
                value = saved.get(dim)
                radio.value = value if type(value) is int and value in STAGES else None
        finally:
            self._quiet = False
        self.refresh()

    def _show_code(self) -> None:
        ui = self.text["ui"]
        if self.code is None:
            self.code_display.value = f"<p>{html.escape(ui['no_code_yet'])}</p>"
            return
        code = html.escape(self.code)
        self.code_display.value = (
            f"<p><strong>{html.escape(ui['resume_code'] + ui['colon'])}</strong> "
            f'<span class="cm-code" data-testid="resume-code">{code}</span></p>'
            f"<p>{html.escape(ui['resume_hint'])} "
            f'<a href="?code={code}&amp;lang={self.lang}">{html.escape(ui["resume_link"])}</a></p>'
        )

    @_guarded
    def resume(self, code: str) -> bool:
        """Restore the stages saved under ``code``; returns whether anything was restored."""
        ui = self.text["ui"]
        code = (code or "").strip()
        if not is_valid_code(code):
            self.code_status.value = status_html(ui["code_invalid"], "error")
            return False
        try:
            draft, version = self.store.load_draft(INSTRUMENT, code, with_version=True)
            invited = draft is None and self.store.is_invited(code)
        except (StoreUnavailable, InvalidCode) as exc:
            self.code_status.value = status_html(ui["store_failed"].format(reason=exc), "error")
            return False
        if invited:
            # an issued code with no draft yet: the answers so far are saved under it
            self.code, self.version, self._dirty = code, 0, set(self.answers())
            self.code_input.value = ""
            self._show_code()
            self.save()
            self.code_status.value = status_html(ui["code_accepted"], "ok")
            return True
        saved = draft.get("stages") if isinstance(draft, dict) else None
        if not isinstance(saved, dict):
            self.code_status.value = status_html(ui["code_unknown"], "error")
            return False
        self._set_stages(saved)
        self.version, self._dirty = version, set()
        self.code = code
        self.code_input.value = ""
        self._show_code()
        self.refresh()
        self.code_status.value = status_html(ui["code_restored"], "ok")
        with contextlib.suppress(StoreUnavailable):  # the consent box is only a reminder
            self.consent.value = self.store.has_contribution(INSTRUMENT, code)
        return True

    @_guarded
    def set_language(self, lang: str) -> None:
        """Switch every text to ``lang`` (``"fr"`` or ``"en"``), keeping the answers."""
        if lang not in LANGUAGES:
            return
        self.lang = lang
        self.text = _texts(lang)
        if self.language.value != lang:
            self.language.value = lang
        self._apply_texts()

    def apply_query(self, query_string: str | None) -> None:
        """Apply the URL's ``?lang=fr|en`` and ``?code=...``."""
        params = parse_qs(query_string or "", keep_blank_values=True)
        lang = (params.get("lang") or [""])[0]
        if lang in LANGUAGES and lang != self.lang:
            self.set_language(lang)
        if params.get("code"):
            self.resume(params["code"][0])

    # -- contribution -------------------------------------------------------------------------

    @_guarded
    def contribute(self) -> bool:
        """Share the stages with the organisation (consent, department and site required)."""
        ui = self.text["ui"]
        if not self.consent.value:
            self.contribute_status.value = status_html(ui["need_consent"], "error")
            return False
        department, site = self.department.value, self.site.value
        if department not in self.org.departments or site not in self.org.sites:
            self.contribute_status.value = status_html(ui["need_org"], "error")
            return False
        result = self.result()
        if result is None:
            self.contribute_status.value = status_html(ui["need_results"], "error")
            return False
        # the draft is saved again first: the code must always bring these stages back
        if not self.save():
            return False
        values: dict[str, Any] = dict(result.stages)
        values["overall"] = result.overall_stage
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
            self.contribute_status.value = status_html(ui["need_invite"], "error")
            return False
        except StoreUnavailable as exc:
            self.contribute_status.value = status_html(
                ui["store_failed"].format(reason=exc), "error"
            )
            return False
        self.contribute_status.value = status_html(ui["contributed"], "ok")
        return True

    @_guarded
    def withdraw(self) -> bool:
        """Delete this code's contribution; returns whether there was one."""
        ui = self.text["ui"]
        try:
            removed = self.code is not None and self.store.withdraw(
                INSTRUMENT, self.code, identity=self.identity
            )
        except StoreUnavailable as exc:
            self.contribute_status.value = status_html(
                ui["store_failed"].format(reason=exc), "error"
            )
            return False
        if removed:
            self.consent.value = False
        self.contribute_status.value = status_html(
            ui["withdrawn"] if removed else ui["nothing_to_withdraw"], "ok" if removed else "error"
        )
        return removed


def launch(environ: dict[str, str] | None = None) -> MaturityApp:
    """Build, display and wire the app: what ``dashboards/maturity.ipynb`` calls.

    Args:
        environ: where to read ``QUERY_STRING`` (default ``os.environ``, which Voilà fills).

    Returns:
        The displayed :class:`MaturityApp`.
    """
    from IPython.display import HTML, display

    app = MaturityApp()
    display(HTML(a11y_head()))
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

"""Accessible building blocks on top of ipywidgets, for Voilà dashboards.

ipywidgets 8 renders ``RadioButtons`` as loose ``<input type="radio">`` elements: no
``role="radiogroup"``, no group label and no shared ``name`` (so arrow keys do not move between
options, and a screen reader does not announce the question). :func:`labelled_radio` pairs each
radio group with a visible question and tags both with CSS classes; :func:`a11y_head` returns a
small inline script and style (no network) that, in the browser, turns every tagged group into a
labelled ``radiogroup`` whose inputs share a ``name``. Display :func:`a11y_head` once per page.

:func:`data_uri_link` builds a download link whose content travels inside the page, which is how
a Voilà app offers exports without writing files.
"""

from __future__ import annotations

import base64
import html
import re

import ipywidgets as widgets

__all__ = [
    "a11y_head",
    "data_uri_link",
    "described_radio",
    "dom_key",
    "guard_comm_handlers",
    "labelled_radio",
    "question_html",
    "status_html",
    "uncut_descriptions",
]

_SCRIPT = r"""
<style>
.cm-app { max-width: 60rem; }
.cm-app .cm-radiogroup .widget-label:empty { display: none; }
.cm-app .cm-radiogroup { width: auto; margin-bottom: 0.8em; }
.cm-app .cm-radiogroup .widget-radio-box { flex-wrap: wrap; row-gap: 0.2em; }
.cm-app .cm-radiogroup .widget-radio-box label { height: auto; min-height: 1.6em; }
.cm-app .cm-question { margin-top: 0.4em; font-weight: 600; }
.cm-app .cm-described { flex-direction: column; align-items: flex-start; }
.cm-app .cm-described > .widget-label { width: auto; max-width: 100%; height: auto; white-space: normal;
  overflow: visible; text-overflow: clip; text-align: left; line-height: 1.4; margin-top: 0.4em;
  font-weight: 600; }
.cm-app :focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.cm-app .cm-msg-error { color: #8B0000; }
.cm-app .cm-msg-ok { color: #005A32; }
.cm-app table.cm-results { border-collapse: collapse; }
.cm-app table.cm-results th, .cm-app table.cm-results td { border: 1px solid #767676; padding: 0.25em 0.6em; text-align: left; }
.cm-app .cm-code { font-family: monospace; font-size: 1.2em; letter-spacing: 0.05em; }
</style>
<script>
(function () {
  if (window.__cmA11y) { return; }
  window.__cmA11y = true;
  function keyOf(el) {
    for (const cls of el.classList) {
      if (cls.indexOf("cm-key-") === 0) { return cls.slice(7); }
    }
    return null;
  }
  function patch() {
    document.querySelectorAll(".cm-radiogroup").forEach(function (el) {
      const key = keyOf(el);
      if (!key) { return; }
      const box = el.querySelector(".widget-radio-box");
      if (!box) { return; }
      const label = document.querySelector(".cm-label-" + key);
      const own = el.querySelector(":scope > .widget-label");
      box.setAttribute("role", "radiogroup");
      let target = null;
      if (label) {
        target = label.querySelector(".cm-question") || label;
      } else if (own && own.textContent.trim()) {
        target = own;  // described_radio: the widget's own description is the question
      }
      if (target) {
        if (!target.id) { target.id = "cm-q-" + key; }
        box.setAttribute("aria-labelledby", target.id);
      }
      box.querySelectorAll('input[type="radio"]').forEach(function (input) {
        if (input.name !== "cm-" + key) { input.name = "cm-" + key; }
      });
      const empty = el.querySelector(".widget-label");
      if (empty && !empty.textContent.trim()) { empty.setAttribute("aria-hidden", "true"); }
    });
    document.querySelectorAll(".cm-progress .progress").forEach(function (bar) {
      bar.setAttribute("aria-hidden", "true");
    });
  }
  let pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; patch(); });
  }
  function start() {
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    schedule();
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
</script>
"""


def a11y_head() -> str:
    """The inline style and script that make tagged radio groups accessible (display it once).

    Returns:
        HTML to display with ``IPython.display.HTML`` (or put in an ``HTML`` widget's page); it
        loads nothing from the network.
    """
    return _SCRIPT


def dom_key(identifier: str) -> str:
    """A CSS-class-safe form of an identifier (``"D1.1"`` → ``"D1_1"``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", identifier)


def labelled_radio(
    identifier: str, question: str, options: list[tuple[str, object]], *, number: str = ""
) -> tuple[widgets.HTML, widgets.RadioButtons]:
    """A visible question and its radio group, tagged for :func:`a11y_head`.

    Args:
        identifier: a unique id on the page (e.g. ``"D1.1"``).
        question: the question's text (plain text, escaped here).
        options: ``(label, value)`` pairs; labels must be unique.
        number: an optional prefix shown before the question (e.g. ``"D1.1"``).

    Returns:
        ``(label_widget, radio_widget)``; the radio starts with no value.
    """
    key = dom_key(identifier)
    label = widgets.HTML(question_html(question, number))
    label.add_class(f"cm-label-{key}")
    radio = widgets.RadioButtons(
        options=options,
        value=None,
        orientation="horizontal",
        layout=widgets.Layout(width="auto"),
    )
    radio.add_class("cm-radiogroup")
    radio.add_class(f"cm-key-{key}")
    return label, radio


def described_radio(
    identifier: str,
    question: str,
    options: list[tuple[str, object]],
    *,
    layout: widgets.Layout | None = None,
    style: widgets.widget_description.DescriptionStyle | None = None,
) -> widgets.RadioButtons:
    """A radio group whose own description is the question (one widget instead of two).

    Lighter than :func:`labelled_radio` (a page of 28 questions builds about 140 fewer widget
    models, so it becomes interactive sooner): the description is shown above the options, in
    full, and :func:`a11y_head` makes it the group's label. Pass one shared ``layout`` and
    ``style`` to every radio of a page for the same reason.

    Args:
        identifier: a unique id on the page (e.g. ``"D1.1"``).
        question: the question's text (plain text: ipywidgets does not render it as HTML).
        options: ``(label, value)`` pairs; labels must be unique.
        layout: a ``Layout`` shared by the page's radios (default: a new one, ``width: auto``).
        style: a ``DescriptionStyle`` shared by the page's radios (default: a new one).

    Returns:
        The ``RadioButtons``, with no value.
    """
    radio = widgets.RadioButtons(
        options=options,
        value=None,
        description=question,
        orientation="horizontal",
        layout=layout or widgets.Layout(width="auto"),
        style=style or widgets.widget_description.DescriptionStyle(description_width="initial"),
    )
    for name in ("cm-radiogroup", "cm-described", f"cm-key-{dom_key(identifier)}"):
        radio.add_class(name)
    return radio


def question_html(question: str, number: str = "") -> str:
    """The HTML of a question label (escaped)."""
    prefix = f"{html.escape(number)} · " if number else ""
    return f'<div class="cm-question">{prefix}{html.escape(question)}</div>'


def status_html(message: str, kind: str = "info") -> str:
    """A message in a live region, so screen readers announce it (``kind``: info, ok, error).

    Args:
        message: plain text (escaped here).
        kind: ``"info"``, ``"ok"`` or ``"error"``.

    Returns:
        HTML for an ``HTML`` widget; empty when ``message`` is empty.
    """
    if not message:
        return ""
    role = "alert" if kind == "error" else "status"
    return f'<div role="{role}" class="cm-msg cm-msg-{kind}">{html.escape(message)}</div>'


def data_uri_link(data: str | bytes, filename: str, mime: str, text: str) -> str:
    """A download link carrying its content inside the page (no file, no server round trip).

    Args:
        data: the file's content (text is encoded as UTF-8).
        filename: the name the browser saves it under.
        mime: its media type, e.g. ``"text/csv"``.
        text: the link's visible text (escaped here).

    Returns:
        An ``<a download>`` element as HTML.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    payload = base64.b64encode(raw).decode("ascii")
    charset = ";charset=utf-8" if isinstance(data, str) else ""
    return (
        f'<a download="{html.escape(filename)}" href="data:{html.escape(mime)}{charset};base64,{payload}">'
        f"{html.escape(text)}</a>"
    )


def uncut_descriptions(root) -> None:
    """Let every description in a widget tree take the room it needs (no "Code de r…").

    ipywidgets gives descriptions a fixed width and cuts longer ones; ``"initial"`` sizes them
    to their text. Call it on an app's root widget once the tree is built.

    Args:
        root: a widget; its ``children`` are walked recursively.
    """
    stack = [root]
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()) or ())
        style = getattr(widget, "style", None)
        if getattr(widget, "description", None) is not None and hasattr(style, "description_width"):
            style.description_width = "initial"


_COMM_FIELDS = {
    "comm_open": ("comm_id", "target_name"),
    "comm_msg": ("comm_id",),
    "comm_close": ("comm_id",),
}


def guard_comm_handlers(kernel=None) -> bool:
    """Make the kernel drop malformed comm messages quietly instead of answering a traceback.

    A page's websocket can send any ``comm_open``/``comm_msg``/``comm_close``; a malformed one
    (no ``comm_id``, a content that is not a dict, a widget state that does not validate) made
    the kernel print a full traceback, with server paths, on the stream the browser receives.
    Each handler is wrapped: the message shape is checked first, and any error becomes one line
    in the server's own log (``sys.__stderr__``), never sent to the page.

    Args:
        kernel: the kernel (default: the running IPython kernel, if any).

    Returns:
        Whether a kernel was found and guarded.
    """
    import sys

    if kernel is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover
            return False
        shell = get_ipython()
        kernel = getattr(shell, "kernel", None)
    import logging

    class _OneLine(logging.Formatter):
        def formatException(self, ei):
            return ""

    # errors inside comm targets are logged by the "Comm" logger: one line, server side only
    comm_log = logging.getLogger("Comm")
    if not any(getattr(h, "_cm_guarded", False) for h in comm_log.handlers):
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(_OneLine("course: %(message)s"))
        handler._cm_guarded = True
        comm_log.addHandler(handler)
        comm_log.propagate = False
    handlers = getattr(kernel, "shell_handlers", None)
    if not isinstance(handlers, dict):
        return False
    for kind, fields in _COMM_FIELDS.items():
        handler = handlers.get(kind)
        if handler is None or getattr(handler, "_cm_guarded", False):
            continue

        def guarded(stream, ident, msg, _handler=handler, _kind=kind, _fields=fields):
            content = msg.get("content") if isinstance(msg, dict) else None
            if not isinstance(content, dict) or not all(
                isinstance(content.get(f), str) for f in _fields
            ):
                print(f"course: malformed {_kind} message dropped", file=sys.__stderr__)
                return None
            try:
                return _handler(stream, ident, msg)
            except Exception as exc:  # never a traceback towards the page
                print(
                    f"course: {_kind} message refused ({type(exc).__name__})",
                    file=sys.__stderr__,
                )
                return None

        guarded._cm_guarded = True
        handlers[kind] = guarded
    return True

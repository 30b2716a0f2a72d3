"""The answers of the rich-text editor, shared by every page that has one (a section, the local
area's reflections, a comment): the autosave status line and the "not saved" page.

Each has one home here: ``save_status`` for an autosave (htmx), ``not_saved`` for a refused write
that carried someone's words, which are always given back.
"""

from django.shortcuts import render

# What section-editor.js reads from ``X-Section-Save`` to know whether the words on screen are
# stored.
SAVED, CONFLICT, REFUSED, INVALID = "saved", "conflict", "refused", "invalid"


def save_status(
    request,
    partial: str,
    context: dict,
    *,
    conflict=None,
    refused=False,
    form=None,
    conflict_name="conflict",
):
    """The autosave answer: the "saved at" line (``partial``, a template partial) and the new
    version for the next save, or why nothing was saved. ``conflict_name`` is what the partial
    calls the conflict (a page may already use "conflict" for another)."""
    response = render(
        request,
        partial,
        {**context, conflict_name: conflict, "refused": refused, "invalid_form": form},
    )
    response["X-Section-Save"] = (
        CONFLICT if conflict else REFUSED if refused else INVALID if form else SAVED
    )
    return response


def not_saved(
    request, *, report, what, reason, text_html, back_url, breadcrumbs, status, link=None
):
    """A refused write that carried someone's words: the reason, and their words back.

    ``text_html`` must be safe (sanitised rich text, or escaped plain text); ``breadcrumbs`` is
    the template of the breadcrumbs of the pages it comes from."""
    context = {
        "report": report,
        "link": link,
        "what": what,
        "reason": str(reason),
        "text_html": text_html,
        "back_url": back_url,
        "breadcrumbs": breadcrumbs,
    }
    return render(request, "reports/not_saved.html", context, status=status)

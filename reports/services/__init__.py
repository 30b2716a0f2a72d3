"""Writes: each service is atomic, checks who may do it, and is what a view calls.

Split by responsibility: `authoring` (drafting) and `signoff` (the report's life after it).
"""

from .authoring import (
    AUTOSAVE,
    AUTOSAVE_SQUASH_WINDOW,
    DETAILS_SAVED,
    DetailsConflict,
    SectionConflict,
    create_report,
    restore_revision,
    save_section,
    update_bsp_details,
)
from .signoff import (
    LOCAL_REFLECTIONS,
    ContentChangedWhileReviewing,
    LinkRecipientInvalid,
    ReportIncomplete,
    add_section_comment,
    countersign,
    publish,
    record_review_visit,
    reopen,
    request_changes,
    send_signoff_link,
    sign_off,
    submit_for_signoff,
    void_signoff,
    void_signoff_if_content_changed,
    withdraw,
    write_local_reflections,
)

__all__ = [
    "AUTOSAVE",
    "AUTOSAVE_SQUASH_WINDOW",
    "DETAILS_SAVED",
    "LOCAL_REFLECTIONS",
    "ContentChangedWhileReviewing",
    "DetailsConflict",
    "LinkRecipientInvalid",
    "ReportIncomplete",
    "SectionConflict",
    "add_section_comment",
    "countersign",
    "create_report",
    "publish",
    "record_review_visit",
    "reopen",
    "request_changes",
    "restore_revision",
    "save_section",
    "send_signoff_link",
    "sign_off",
    "submit_for_signoff",
    "update_bsp_details",
    "void_signoff",
    "void_signoff_if_content_changed",
    "withdraw",
    "write_local_reflections",
]

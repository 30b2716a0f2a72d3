"""A published report's public address, written without ``reverse`` for each report.

``report_address(slug)`` is ``reverse("reports:report-detail", kwargs={"slug": slug})``, written
from the address reversed once with a placeholder for each script prefix, URL conf and language
(``tce_portal.url_tag.reversing_context``, as ``{% url %}`` remembers its addresses): a page of
20 cards made 20 reverses, 20 microseconds each. A slug of other letters than a slug's
own goes through ``reverse`` (which quotes them, or refuses them as it does).
"""

import re

from django.urls import reverse

from tce_portal.url_tag import reversing_context

# A slug as reverse() writes it unchanged in an address (SlugField's own letters).
_PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_PLACEHOLDER = "report-slug-placeholder"
# The report page's address around its slug, by what reversing reads (``reversing_context``).
_REPORT_ADDRESSES: dict[tuple, tuple[str, str]] = {}


def report_address(slug: str) -> str:
    if not _PLAIN_SLUG.fullmatch(slug):
        return reverse("reports:report-detail", kwargs={"slug": slug})
    key = reversing_context()
    around = _REPORT_ADDRESSES.get(key)
    if around is None:
        address = reverse("reports:report-detail", kwargs={"slug": _SLUG_PLACEHOLDER})
        before, after = address.split(_SLUG_PLACEHOLDER)
        around = _REPORT_ADDRESSES[key] = (before, after)
    return f"{around[0]}{slug}{around[1]}"

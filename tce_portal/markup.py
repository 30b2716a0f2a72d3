"""``format_html`` as Django writes it, for the few places that write many small pieces of HTML a
page (a list's cards, its filters' tick boxes).

Django's ``format_html`` escapes each argument through ``conditional_escape`` and ``escape``,
each wrapped to keep lazy strings lazy: 4.5 microseconds a call against 1.3 here, and a page of
results made about 140 calls. The output is the same: an argument with ``__html__`` (a
``SafeString``) as it says, any other as ``str()`` of it escaped by ``html.escape`` (quotes
included), which is what Django's ``escape`` does; a test compares the two.
"""

import html

from django.utils.safestring import SafeString


def format_html(format_string: str, *args) -> SafeString:
    # The format string is the caller's own markup; every argument is escaped or already safe.
    return SafeString(  # nosec B703 B308
        format_string.format(
            *(arg.__html__() if hasattr(arg, "__html__") else html.escape(str(arg)) for arg in args)
        )
    )

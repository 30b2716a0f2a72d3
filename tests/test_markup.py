"""``tce_portal.markup.format_html`` writes what Django's ``format_html`` writes."""

from django.utils import html as django_html
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from hypothesis import example, given
from hypothesis import strategies as st

from tce_portal.markup import format_html

TEMPLATE = '<a href="{}" title="{}">{}</a>{}'


@given(st.lists(st.one_of(st.text(), st.integers(), st.none()), min_size=4, max_size=4))
@example(['"><script>alert(1)</script>', "it's & <b>", "Bench area 0001", 3])
def test_any_arguments_are_escaped_as_django_escapes_them(args):
    assert format_html(TEMPLATE, *args) == django_html.format_html(TEMPLATE, *args)


def test_safe_and_lazy_arguments_are_written_as_django_writes_them():
    safe = mark_safe("<mark>exploitation</mark>")
    lazy_text = lazy(lambda: "<i>later</i>", str)()
    args = (safe, lazy_text, "a & b", 2024)
    written = format_html(TEMPLATE, *args)
    assert written == django_html.format_html(TEMPLATE, *args)
    assert hasattr(written, "__html__")  # safe: not escaped again in a template
    assert "<mark>exploitation</mark>" in written and "&lt;i&gt;later&lt;/i&gt;" in written

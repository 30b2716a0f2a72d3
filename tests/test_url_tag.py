"""``{% url %}`` in every template is the portal's (``tce_portal/url_tag.py``): Django's tag, each
address reversed once a process. It writes what Django's writes, in every case."""

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from tce_portal import url_tag

TAGS = [
    ('{% url "reports:home" %}', {}),
    ('{% url "reports:report-detail" slug %}', {"slug": "east-sussex"}),
    ('{% url "reports:report-detail" slug="kernow" %}', {}),
    ('{% url "reports:edition-detail" slug n %}', {"slug": "kernow", "n": 2}),
    ('{% url "reports:report-detail" slug as there %}[{{ there }}]', {"slug": "wessex"}),
    ('{% url "reports:report-detail" slug as there %}[{{ there }}]', {"slug": "not a slug"}),
    # An argument Django turns into text (a list, say): reversed each time, as Django does.
    ('{% url "reports:report-detail" slug as there %}[{{ there }}]', {"slug": ["kernow"]}),
    ('{% url "no-such-page" as there %}[{{ there }}]', {}),
    ("{% url name %}", {"name": "reports:report-list"}),
]


def render(source, context, engine):
    return engine.from_string(source).render(Context(context))


@pytest.mark.parametrize(("source", "context"), TAGS)
def test_the_tag_writes_what_djangos_writes(source, context):
    portal = engines["django"].engine
    plain = Engine(builtins=[])  # Django's own tags only
    assert "url_tag" in str(portal.builtins)
    for _ in range(2):  # reversed, then remembered
        assert render(source, context, portal) == render(source, context, plain)


def test_an_address_is_reversed_once_and_then_remembered():
    url_tag._remembered.cache_clear()
    portal = engines["django"].engine
    for _ in range(3):
        assert render('{% url "reports:home" %}', {}, portal) == reverse("reports:home")
    info = url_tag._remembered.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_an_unknown_page_is_an_error_as_in_django():
    with pytest.raises(NoReverseMatch):
        render('{% url "no-such-page" %}', {}, engines["django"].engine)


def test_the_script_prefix_and_the_url_conf_are_part_of_what_is_remembered():
    portal = engines["django"].engine
    home = render('{% url "reports:home" %}', {}, portal)
    try:
        set_script_prefix("/portal/")
        assert render('{% url "reports:home" %}', {}, portal) == "/portal/" + home.lstrip("/")
    finally:
        clear_script_prefix()
    assert render('{% url "reports:home" %}', {}, portal) == home
    with override_settings(ROOT_URLCONF="tests.support.other_urls"):
        assert render('{% url "elsewhere" %}', {}, portal) == "/elsewhere/"


def test_an_address_with_arguments_is_reversed_every_time():
    """Nothing that may change under the same arguments, or should not be kept (a token), is
    held in memory."""
    url_tag._remembered.cache_clear()
    portal = engines["django"].engine
    source = '{% url "reports:report-detail" slug %}'
    assert render(source, {"slug": "kernow"}, portal) == reverse(
        "reports:report-detail", kwargs={"slug": "kernow"}
    )
    assert url_tag._remembered.cache_info().currsize == 0

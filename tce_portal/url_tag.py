"""Django's ``{% url %}``, each address without arguments reversed once a process.

The tag is Django's own (``django.template.defaulttags.url``: the same syntax, the same errors);
only what it reverses is remembered, under everything reversing reads: the view's name, the
current application and ``reversing_context`` (the script prefix, the URL conf, the language).
A public page writes 15 to 20 addresses (its navigation, its forms): reversed every time, 20
microseconds each, they took a third of a millisecond a page.

Only addresses without arguments are remembered (the navigation's, the forms', most of a
page's): one with arguments is reversed every time, as Django does, so that nothing that may
change under the same key (a model instance's text) or should not be kept (a password reset
token) is held in memory.

Registered for every template in the settings (``TEMPLATES``' ``builtins``), so that templates
write ``{% url %}`` as usual.
"""

import functools

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


def reversing_context() -> tuple:
    """What ``reverse`` reads besides its arguments, as a key to remember an address under:
    the script prefix, the URL conf's resolver (a new one whenever the URL caches are cleared)
    and the language."""
    return get_script_prefix(), get_resolver(get_urlconf()), get_language()


@functools.lru_cache(maxsize=1024)
def _remembered(view_name, current_app, _context) -> str:
    """``reverse``'s address; ``_context`` (``reversing_context``) is only the memory's key."""
    return reverse(view_name, current_app=current_app)


def remembered_reverse(view_name, args=(), kwargs=None, current_app=None) -> str:
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``, remembered
    when there are no arguments."""
    if args or kwargs:
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _remembered(view_name, current_app, reversing_context())


class RememberedURLNode(URLNode):
    """Django's ``URLNode``, its ``render`` as Django's but for the reversing."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = remembered_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """``{% url "name" arg key=value [as var] %}``: Django's tag, remembered (see above)."""
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)

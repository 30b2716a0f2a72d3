"""The layout every simple form of the portal shares (crispy-forms): used by the pages of each
capability, so it lives in the core."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.utils.text import slugify


def submit_helper(
    button: str, *, action: str = "", css_class: str = "btn btn-primary"
) -> FormHelper:
    """The layout of a simple form: the server's error summary (no browser validation) and one
    submit button."""
    helper = FormHelper()
    if action:
        helper.form_action = action
    helper.attrs = {"novalidate": ""}
    # An id of its own: a page may hold several of these forms (the review page holds eight).
    css_id = "submit-" + (slugify(action.strip("/").replace("/", "-")) if action else "form")
    helper.add_input(Submit("submit", button, css_class=css_class, css_id=css_id))
    return helper

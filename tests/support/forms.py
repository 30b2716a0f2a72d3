"""What a browser would send for a page's forms, read from the page (for posting admin forms
as they are)."""

from html.parser import HTMLParser


class FormValues(HTMLParser):
    """What a browser would send for the forms of a page, as it is: inputs, text areas and the
    selected options (not the buttons, not unticked boxes, not the admin's empty templates)."""

    def __init__(self):
        super().__init__()
        self.values, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name", "")
        if tag == "input" and name and "__prefix__" not in name:
            kind = attrs.get("type", "text")
            if kind not in ("submit", "checkbox", "radio") or "checked" in attrs:
                self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and "__prefix__" not in name:
            self._textarea, self.values[name] = name, ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def form_values(page: str) -> dict:
    parser = FormValues()
    parser.feed(page)
    return parser.values

"""Vendored assets are present, match the versions the README of static/vendor names, and the
pages load them from our own origin."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

VENDOR = Path(__file__).resolve().parents[1] / "static" / "vendor"


def test_vendored_files_are_present_with_their_licences():
    for path in [
        "bootstrap/bootstrap.min.css",
        "bootstrap/bootstrap.bundle.min.js",
        "bootstrap/LICENSE",
        "htmx/htmx.min.js",
        "htmx/LICENSE",
        "fonts/source-sans-3/source-sans-3-latin-400-normal.woff2",
        "fonts/source-sans-3/LICENSE",
    ]:
        assert (VENDOR / path).stat().st_size > 0, path


def test_versions_match_the_vendor_readme():
    readme = (VENDOR / "README.md").read_text()
    bootstrap = (VENDOR / "bootstrap" / "bootstrap.min.css").read_text()[:200]
    htmx = (VENDOR / "htmx" / "htmx.min.js").read_text()
    bootstrap_version = re.search(r"Bootstrap\s+v(\d+\.\d+\.\d+)", bootstrap).group(1)
    htmx_version = re.search(r'version:"(\d+\.\d+\.\d+)"', htmx).group(1)
    assert f"| Bootstrap | {bootstrap_version} |" in readme
    assert f"| htmx | {htmx_version} |" in readme


@pytest.mark.django_db
def test_pages_load_nothing_from_other_origins(client):
    html = client.get(reverse("reports:home")).content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url

"""The benchmark command the README's render time comes from."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.pdf
def test_benchmark_renders_the_report_and_prints_timings(demo):
    out = StringIO()
    call_command("benchmark_pdf", "east-sussex", "--runs", "1", stdout=out)
    lines = out.getvalue().splitlines()
    assert re.match(r"east-sussex: \d+ pages, \d+ KiB; first render \d+\.\d\d s", lines[0])
    assert re.match(r"  render 1: \d+\.\d{3} s", lines[1])
    assert lines[-1].startswith("1 renders: median ")


def test_benchmark_needs_a_report(db):
    with pytest.raises(CommandError, match="No report 'nowhere'"):
        call_command("benchmark_pdf", "nowhere")

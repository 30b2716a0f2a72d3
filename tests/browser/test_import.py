"""Importing a report from a file, from the front door: a programme admin signs in, goes to
"My reports", uploads the East Sussex report (as text), moves one part of it to another section,
creates the draft and opens it."""

import re
from pathlib import Path

from playwright.sync_api import expect

from reports.models import LearningReport

from .conftest import go_to_my_reports, sign_in

EAST_SUSSEX = (
    Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "000_355be5435e6701e6.txt"
)
REASONS = "Reasons why the local area requested the TCE Support Programme"


def test_an_admin_imports_a_report_corrects_one_part_and_opens_the_draft(
    live_demo, page, axe_check
):
    sign_in(page, live_demo.url, "admin@example.org")
    go_to_my_reports(page)
    page.get_by_role("link", name="Import a report from a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a report from a file")
    axe_check(page, "upload")

    # Sent without a file: the form says so.
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_text("Choose the file to import.").first).to_be_visible()

    page.get_by_label("The report's file").set_input_files(str(EAST_SUSSEX))
    bsp = page.get_by_label("BSP")
    bsp.select_option(index=1)
    chosen = bsp.locator("option:checked").inner_text()
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Check what was found in {EAST_SUSSEX.name}"
    )
    axe_check(page, "check the import")

    # The text found under "Overall goal of BSP" belongs, say, with the reasons.
    page.get_by_label(re.compile("Goes to.*Overall goal of BSP")).select_option(label=REASONS)
    for box in page.get_by_label("Not matched to the register: I have checked this value").all():
        box.check()
    page.get_by_role("button", name="Create the draft").click()

    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "has been made from"
    )
    report = LearningReport.objects.get(bsp__local_area=chosen.split(" (")[0].strip())
    expect(page.get_by_role("heading", level=1)).to_have_text(report.title)
    page.get_by_role("link", name=REASONS).first.click()
    # The section's editor holds the text moved there (its form field, whether or not the rich
    # text editor has drawn itself over it yet).
    expect(page.locator("textarea[name=body]")).to_have_value(
        re.compile("did not follow a standard TCE approach")
    )

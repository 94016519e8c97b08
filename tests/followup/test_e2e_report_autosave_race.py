"""A deposit never races the report's autosave (Chromium). The laureate types and clicks « Déposer le compte rendu »
at once: the deposited version holds what was typed, the deposit's POST leaves only once an autosave under way has
answered, no autosave follows the deposit (no double save) and nothing answers 5xx.

The network is made slow by holding requests in Playwright's router (the real server answers them): an autosave
held « in flight » while the person clicks, or the deposit's POST held while the autosave's 600 ms delay runs out."""

import pytest
from playwright.sync_api import expect

from fabriques.followup import reporting
from fabriques.followup.enums import ReportState
from tests.browser import SlowPosts, log_in, wait_until
from tests.followup.test_reports import VALUES, spending_as_budgeted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report(agreement_in_force, applicant):
    report = agreement_in_force.reports.get(year=1)
    reporting.report_save(report=report, by=applicant, base_version=report.version, values=VALUES,
                          spending=spending_as_budgeted(report), narrative="Une belle année.")
    return report


def _deposited_value(report, code: str) -> str:
    version = report.versions.order_by("-number").first()
    return next(i["value"] for i in version.snapshot["indicators"] if i["code"] == code)


@pytest.mark.parametrize("width", [1280, 375])
def test_typed_then_deposited_at_once_the_deposit_carries_the_text_and_no_autosave_follows(
    live_server, page, report, applicant, screenshot, axe_check, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/suivi/comptes-rendus/{report.uuid}/")
    network = SlowPosts(page, f"/suivi/comptes-rendus/{report.uuid}/")
    network.hold = {"form"}  # the deposit takes its time: long enough for the autosave's 600 ms delay to run out

    page.locator("[name=ind-personnes-formees]").fill("97")
    page.get_by_role("button", name="Déposer le compte rendu").click(no_wait_after=True)
    wait_until(page, lambda: network.held)
    page.wait_for_timeout(1200)
    assert network.kinds() == ["request form"], "an autosave left beside the deposit"
    network.release()

    expect(page.locator("#report-state")).to_have_text("Déposé", timeout=15000)
    report.refresh_from_db()
    assert report.state == ReportState.DEPOSITED
    assert _deposited_value(report, "personnes-formees") == "97"
    page.wait_for_timeout(800)  # whatever autosave was still waiting would leave now
    assert network.kinds() == ["request form", "response form"]
    assert all(event[2] < 500 for event in network.log if event[0] == "response")
    screenshot(f"deposited-{width}")
    axe_check("report deposited")  # read-only: values, no controls in a disabled fieldset (375 px included)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_deposit_clicked_while_an_autosave_is_under_way_leaves_once_it_has_answered(
    live_server, page, report, applicant, screenshot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, applicant.email)
    page.goto(f"{live_server.url}/suivi/comptes-rendus/{report.uuid}/")
    network = SlowPosts(page, f"/suivi/comptes-rendus/{report.uuid}/")
    network.hold = {"autosave"}  # the autosave stays under way as long as the test wants

    field = page.locator("[name=ind-personnes-formees]")
    field.fill("97")
    field.press("Tab")  # « change »: the autosave leaves 600 ms later
    wait_until(page, lambda: network.held)
    assert network.kinds() == ["request autosave"]
    page.get_by_role("button", name="Déposer le compte rendu").click(no_wait_after=True)
    page.wait_for_timeout(1000)
    assert network.kinds() == ["request autosave"], "the deposit left while the autosave was under way"
    screenshot(f"waiting-{width}")
    network.release()

    expect(page.locator("#report-state")).to_have_text("Déposé", timeout=15000)
    report.refresh_from_db()
    assert _deposited_value(report, "personnes-formees") == "97"
    assert report.versions.count() == 1
    assert network.kinds() == ["request autosave", "response autosave", "request form", "response form"]
    assert all(event[2] < 500 for event in network.log if event[0] == "response")
    screenshot(f"deposited-{width}")

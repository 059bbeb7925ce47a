from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_docs_render_offline_and_try_out_needs_a_token(live_server, page):
    page.goto(f"{live_server.url}/api/v1/docs")

    page.get_by_text("Okienko API").first.wait_for()
    page.get_by_text("/api/v1/tickets", exact=True).first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"), full_page=False)
    schema = page.evaluate("async () => (await fetch('/api/v1/openapi.json')).json()")
    unauthorised = page.evaluate("async () => (await fetch('/api/v1/tickets')).status")

    assert "/api/v1/tickets/{ticket_id}/events" in schema["paths"]
    assert unauthorised == 401

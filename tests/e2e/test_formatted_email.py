"""HTML mail shown formatted in the ticket, in a real browser: inline images load through the
attachment download, images on other servers only after the agent asks, nothing runs."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from okienko.accounts.choices import Role
from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.choices import InboxKind
from okienko.testing.factories import make_agent, make_team
from tests.workspace.test_formatted_message import html_email, ingest, png

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "okienko-demo-1"
BANNER = png(180, 48, (40, 90, 200))


class ImageHost:
    """Another server with an image on it, counting who asks for it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(BANNER)))
                self.end_headers()
                self.wfile.write(BANNER)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/banner.png?reader=42"


@pytest.fixture
def image_host() -> Iterator[ImageHost]:
    host = ImageHost()
    thread = threading.Thread(target=host.server.serve_forever, daemon=True)
    thread.start()
    yield host
    host.server.shutdown()
    host.server.server_close()
    thread.join()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_html_mail_is_shown_formatted_with_remote_images_on_request(live_server, page, image_host):
    team = make_team(name="Obsługa zamówień")
    agent = make_agent(role=Role.AGENT, name="Ola Nowicka", teams=[team], password=PASSWORD)
    inbox = do_create_inbox(name="Sklep", kind=InboxKind.EMAIL, team=team, acting_user=None)
    message = ingest(
        inbox,
        html_email(
            '<div style="font-family: Georgia, serif; color: #222">'
            '<img src="cid:logo@sklep" alt="Logo" width="96" height="48">'
            '<h2 style="color: #b01e28">Oferta na czajniki</h2>'
            "<p>Dzień dobry, przesyłam <b>ofertę</b> dla Państwa sklepu:</p>"
            '<table style="border-collapse: collapse" border="1">'
            '<tr><th style="padding: 4px">Produkt</th><th style="padding: 4px">Cena</th></tr>'
            '<tr><td style="padding: 4px">Czajnik stalowy</td>'
            '<td style="padding: 4px">129,00 zł</td></tr></table>'
            f'<p><img src="{image_host.url}" alt="Baner hurtowni"></p>'
            '<p><a href="https://hurtownia.example/">hurtownia.example</a></p>'
            '<img src=x onerror="alert(1)"><script>alert(2)</script>'
            '<a href="javascript:alert(3)">kliknij</a></div>',
            text="Dzień dobry, przesyłam ofertę dla Państwa sklepu.",
        ),
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.set_viewport_size({"width": 1360, "height": 1000})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.goto(f"{live_server.url}/tickets/{message.ticket_id}/")
    page.get_by_role("button", name="Pokaż sformatowaną").click()
    frame = page.frame_locator("iframe.formatted-frame")
    frame.get_by_role("heading", name="Oferta na czajniki").wait_for()
    logo = frame.get_by_alt_text("Logo")
    page.wait_for_function(
        "() => document.querySelector('iframe.formatted-frame').contentDocument"
        ".querySelector('img[alt=Logo]').naturalWidth > 0"
    )
    page.locator(".formatted-message").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "workspace-formatted-email.png"), full_page=True)

    assert logo.evaluate("image => image.naturalWidth") == 24
    assert frame.get_by_alt_text("Baner hurtowni").get_attribute("src") is None
    assert image_host.requests == []

    page.get_by_role("button", name="Pokaż obrazy z innych serwerów").click()
    page.wait_for_function(
        "() => document.querySelector('iframe.formatted-frame').contentDocument"
        ".querySelector('img[alt=\"Baner hurtowni\"]')?.naturalWidth > 0"
    )
    page.screenshot(path=str(SCREENSHOTS / "workspace-formatted-email-images.png"), full_page=True)

    assert image_host.requests == ["/banner.png?reader=42"]
    assert page.get_by_role("button", name="Pokaż obrazy z innych serwerów").count() == 0
    assert dialogs == []

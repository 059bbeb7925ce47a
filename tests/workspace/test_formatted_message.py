"""The formatted view of HTML mail: sandboxed, sanitised, remote images only on request."""

import json
import struct
import zlib
from email.message import EmailMessage

import pytest

from okienko.inboxes.actions import (
    RawInbound,
    do_create_inbox,
    do_process_inbound,
    do_record_inbound,
)
from okienko.inboxes.choices import InboxKind
from okienko.testing.factories import make_agent
from okienko.tickets.actions import do_reply
from okienko.tickets.models import Attachment, Message
from tests.core.test_html import _dangers
from tests.workspace.conftest import HTMX

REMOTE_IMAGE = "https://tracker.example/open.png?id=42"
SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small one-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


LOGO = png(24, 12, (200, 30, 40))


def html_email(html: str, *, text: str = "Dzień dobry, w załączeniu oferta.") -> bytes:
    """An HTML mail with a plain-text alternative and an inline logo (cid:logo@sklep)."""
    message = EmailMessage()
    message["From"] = "Zofia Wójcik <zofia@poczta.example>"
    message["To"] = "pomoc@sklep.example"
    message["Subject"] = "Oferta"
    message["Message-ID"] = "<oferta-1@poczta.example>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_payload()[1]
    html_part.add_related(LOGO, maintype="image", subtype="png", cid="<logo@sklep>")
    return message.as_bytes()


OFFER = (
    '<p>Dzień dobry, <b>oto oferta</b>.</p><img src="cid:logo@sklep" alt="Logo">'
    f'<img src="{REMOTE_IMAGE}" alt="Licznik"><a href="https://sklep.example/">sklep</a>'
)


def ingest(inbox, raw: bytes) -> Message:
    [(item, _created)] = do_record_inbound(inbox=inbox, entries=[RawInbound(raw, "")], notify=False)
    return do_process_inbound(items=[item])[0].message


@pytest.fixture
def inbox(orders_team):
    return do_create_inbox(name="Sklep", kind=InboxKind.EMAIL, team=orders_team, acting_user=None)


@pytest.fixture
def message(inbox) -> Message:
    return ingest(inbox, html_email(OFFER))


def formatted_url(message: Message, suffix: str = "formatted/") -> str:
    return f"/tickets/{message.ticket_id}/messages/{message.pk}/{suffix}"


def logo_url(message: Message) -> str:
    logo = Attachment.objects.get(message=message, content_id="logo@sklep")
    return f"/api/v1/attachments/{logo.pk}"


@pytest.mark.django_db
def test_the_thread_offers_the_formatted_view_of_html_mail_only(agent_client, agent, message):
    reply = do_reply(ticket=message.ticket, text="Dziękujemy.", acting_user=agent)

    page = agent_client.get(f"/tickets/{message.ticket_id}/").content.decode()

    assert page.count("Pokaż sformatowaną") == 1
    assert f'hx-get="{formatted_url(message)}"' in page
    assert f"/messages/{reply.pk}/formatted/" not in page


@pytest.mark.django_db
def test_the_formatted_view_is_a_sandboxed_frame_with_remote_images_blocked(agent_client, message):
    response = agent_client.get(formatted_url(message), headers=HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'sandbox="{SANDBOX}"' in page
    assert f'src="{formatted_url(message, "html/")}"' in page
    assert "Pokaż obrazy z innych serwerów" in page
    assert f'hx-get="{formatted_url(message)}?remote_images=1"' in page


@pytest.mark.django_db
def test_the_document_loads_nothing_remote_and_resolves_inline_images(agent_client, message):
    response = agent_client.get(formatted_url(message, "html/"))

    document = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == (
        f"sandbox {SANDBOX}; default-src 'none'; "
        f"img-src data: http://testserver{logo_url(message)}; "
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    )
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "tracker.example" not in document
    assert '<img alt="Licznik">' in document
    assert f'<img src="{logo_url(message)}" alt="Logo">' in document
    assert "<b>oto oferta</b>" in document
    assert (
        '<a href="https://sklep.example/" target="_blank" rel="noopener noreferrer nofollow">'
        in document
    )


@pytest.mark.django_db
def test_inline_images_come_through_the_attachment_download(agent_client, message):
    response = agent_client.get(logo_url(message))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == LOGO


@pytest.mark.django_db
def test_remote_images_load_once_the_agent_asks(agent_client, message):
    partial = agent_client.get(f"{formatted_url(message)}?remote_images=1", headers=HTMX)
    response = agent_client.get(f"{formatted_url(message, 'html/')}?remote_images=1")

    assert f'src="{formatted_url(message, "html/")}?remote_images=1"' in partial.content.decode()
    assert "Pokaż obrazy z innych serwerów" not in partial.content.decode()
    assert f'<img src="{REMOTE_IMAGE.replace("&", "&amp;")}" alt="Licznik">' in (
        response.content.decode()
    )
    assert response["Content-Security-Policy"] == (
        f"sandbox {SANDBOX}; default-src 'none'; "
        f"img-src data: http://testserver{logo_url(message)} https: http:; "
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    )


@pytest.mark.django_db
def test_mail_without_remote_images_has_no_button(agent_client, inbox):
    message = ingest(inbox, html_email('<p>Tylko logo</p><img src="cid:logo@sklep" alt="Logo">'))

    page = agent_client.get(formatted_url(message), headers=HTMX).content.decode()

    assert "Pokaż obrazy z innych serwerów" not in page
    assert "<iframe" in page


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["formatted/", "html/", "html/?remote_images=1"])
def test_another_teams_agent_gets_404(complaints_team, message, suffix, client):
    outsider = make_agent(name="Inny Agent", teams=[complaints_team])
    client.force_login(outsider)

    response = client.get(formatted_url(message, suffix))

    assert response.status_code == 404
    assert "oferta" not in response.content.decode()


@pytest.mark.django_db
def test_a_message_of_another_ticket_is_not_found_through_a_visible_one(
    agent_client, inbox, message
):
    other = ingest(inbox, html_email("<p>Inna</p>").replace(b"oferta-1@", b"inna-2@"))

    response = agent_client.get(f"/tickets/{other.ticket_id}/messages/{message.pk}/html/")

    assert other.ticket_id != message.ticket_id
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_message_without_html_has_no_formatted_view(agent_client, agent, message):
    reply = do_reply(ticket=message.ticket, text="Dziękujemy.", acting_user=agent)

    response = agent_client.get(formatted_url(reply, "html/"))

    assert response.status_code == 404


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, message):
    response = client.get(formatted_url(message, "html/"))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("remote", ["", "?remote_images=1"])
def test_xss_corpus_never_reaches_the_document(agent_client, message, testdata, remote):
    corpus = json.loads(
        (testdata / "email-corpus" / "security" / "xss_vectors.json").read_text(encoding="utf-8")
    )
    survivors = {}
    for vector in corpus["vectors"]:
        # As if a payload had been stored unsanitised: the view sanitises again on the way out.
        Message.objects.filter(pk=message.pk).update(html=vector["payload"])
        document = agent_client.get(formatted_url(message, "html/") + remote).content.decode()
        body = document.split("<body>", 1)[1].rsplit("</body>", 1)[0]
        survivors[vector["id"]] = _dangers(body)

    assert len(survivors) == 99
    assert {key: value for key, value in survivors.items() if value} == {}


@pytest.mark.django_db
def test_xss_corpus_through_the_mail_pipeline_never_reaches_the_document(
    agent_client, inbox, testdata
):
    corpus = json.loads(
        (testdata / "email-corpus" / "security" / "xss_vectors.json").read_text(encoding="utf-8")
    )
    payload = "".join(f"<div>{vector['payload']}</div>" for vector in corpus["vectors"])
    message = ingest(inbox, html_email(payload))

    document = agent_client.get(formatted_url(message, "html/")).content.decode()

    assert message.html
    assert _dangers(document.split("<body>", 1)[1]) == []

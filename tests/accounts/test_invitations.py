"""Inviting an agent by e-mail: a single-use, expiring link with which they set a password."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from okienko.accounts.actions import (
    do_accept_agent_invitation,
    do_create_agent,
    do_invite_agent,
    do_send_agent_invitation,
    do_update_agent,
)
from okienko.accounts.models import AgentInvitation
from okienko.accounts.selectors import invited_agent
from okienko.core.errors import Conflict, NotFound
from okienko.testing.factories import make_agent
from tests.accounts.invitations import token_from_invitation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_at_once")]

PASSWORD = "moje-wlasne-haslo-2026"


@pytest.fixture
def admin(db):
    return make_agent(role="admin", name="Ada Admin")


@pytest.fixture
def invite(django_capture_on_commit_callbacks, admin):
    def invite(agent):
        with django_capture_on_commit_callbacks(execute=True):
            return do_invite_agent(agent=agent, acting_user=admin)

    return invite


def new_agent(language: str = "pl"):
    return do_create_agent(
        email="marek@sklep.example",
        name="Marek Zieliński",
        password=None,
        language=language,
        acting_user=None,
    )


def test_the_invitation_reaches_the_agent_in_their_language(invite, settings):
    settings.PUBLIC_URL = "https://okienko.sklep.example"
    settings.AGENT_INVITATION_HOURS = 48
    marek = new_agent(language="en")

    invitation = invite(marek)

    (sent,) = mail.outbox
    assert sent.to == ["marek@sklep.example"]
    assert sent.subject == "You are invited to Okienko"
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Hello Marek Zieliński," in sent.body
    assert "Ada Admin invites you to answer customers in Okienko." in sent.body
    assert "https://okienko.sklep.example/invitation/" in sent.body
    invitation.refresh_from_db()
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(hours=48)
    # Only the digest is kept: the token in the e-mail is nowhere in the database.
    token = token_from_invitation()
    assert invitation.token_digest not in (None, token)
    assert not AgentInvitation.objects.filter(token_digest=token).exists()


def test_the_link_sets_the_password_once(invite):
    marek = new_agent()
    invite(marek)
    token = token_from_invitation()
    assert invited_agent(token) == marek

    accepted = do_accept_agent_invitation(token=token, password=PASSWORD)

    assert accepted == marek
    marek.refresh_from_db()
    assert marek.check_password(PASSWORD)
    assert invited_agent(token) is None
    with pytest.raises(NotFound):
        do_accept_agent_invitation(token=token, password="inne-haslo-2026")
    marek.refresh_from_db()
    assert marek.check_password(PASSWORD)


def test_an_expired_link_sets_nothing(invite, settings):
    settings.AGENT_INVITATION_HOURS = 1
    marek = new_agent()
    invite(marek)
    token = token_from_invitation()

    with pytest.raises(NotFound):
        do_accept_agent_invitation(
            token=token, password=PASSWORD, at=timezone.now() + datetime.timedelta(hours=2)
        )

    marek.refresh_from_db()
    assert not marek.has_usable_password()


def test_a_new_invitation_retires_the_earlier_link(invite):
    marek = new_agent()
    invite(marek)
    first = token_from_invitation()

    invite(marek)

    second = token_from_invitation()
    assert first != second
    assert invited_agent(first) is None
    assert invited_agent(second) == marek


def test_a_deactivated_agent_is_neither_invited_nor_let_in_by_an_old_link(invite, admin):
    marek = new_agent()
    invite(marek)
    token = token_from_invitation()
    do_update_agent(agent=marek, changes={"is_active": False}, acting_user=admin)

    with pytest.raises(NotFound):
        do_accept_agent_invitation(token=token, password=PASSWORD)
    with pytest.raises(Conflict):
        do_invite_agent(agent=marek, acting_user=admin)
    assert len(mail.outbox) == 1


def test_an_agent_with_a_password_is_not_invited(admin):
    ola = make_agent(name="Ola Nowicka")

    with pytest.raises(Conflict):
        do_invite_agent(agent=ola, acting_user=admin)

    assert AgentInvitation.objects.count() == 0


def test_a_failed_send_leaves_the_invitation_to_be_sent_again(admin, settings):
    marek = new_agent()
    invitation = do_invite_agent(agent=marek, acting_user=admin)
    settings.EMAIL_BACKEND = "tests.accounts.invitations.FailingBackend"

    with pytest.raises(ConnectionError):
        do_send_agent_invitation(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert (invitation.token_digest, invitation.sent_at) == (None, None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert do_send_agent_invitation(invitation_id=invitation.pk) is True
    assert do_send_agent_invitation(invitation_id=invitation.pk) is False
    assert len(mail.outbox) == 1

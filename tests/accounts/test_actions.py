"""Account actions and selectors: agents, teams and API tokens."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from okienko.accounts.actions import (
    TOKEN_PREFIX,
    do_add_team_member,
    do_create_agent,
    do_create_api_token,
    do_create_team,
    do_record_token_use,
    do_revoke_api_token,
)
from okienko.accounts.choices import Role
from okienko.accounts.models import Agent, ApiToken, Team
from okienko.accounts.selectors import active_token, team_ids_of
from okienko.core.errors import Conflict, InvalidInput
from okienko.testing.factories import make_agent, make_team, make_token

# Agents


@pytest.mark.real_password_hashing
@pytest.mark.django_db
def test_create_agent_lower_cases_the_email_and_hashes_the_password_with_argon2():
    agent = do_create_agent(
        email="  Ewa.Nowak@Sklep.Example ",
        name="  Ewa Nowak ",
        password="tajne-haslo-123",
        role=Role.SUPERVISOR,
        acting_user=None,
    )

    stored = Agent.objects.get(pk=agent.pk)
    assert (stored.email, stored.name, stored.role, stored.is_active) == (
        "ewa.nowak@sklep.example",
        "Ewa Nowak",
        Role.SUPERVISOR,
        True,
    )
    assert stored.password.startswith("argon2$argon2id$")
    assert "tajne-haslo-123" not in stored.password
    assert stored.check_password("tajne-haslo-123") is True
    assert stored.check_password("inne-haslo") is False


@pytest.mark.django_db
def test_agent_without_a_password_cannot_log_in_until_one_is_set():
    agent = do_create_agent(
        email="nowy@sklep.example", name="Nowy", password=None, acting_user=None
    )

    assert agent.has_usable_password() is False


@pytest.mark.django_db
def test_agent_name_defaults_to_the_email():
    agent = do_create_agent(
        email="bez.nazwy@sklep.example", name=" ", password=None, acting_user=None
    )

    assert agent.name == "bez.nazwy@sklep.example"


@pytest.mark.django_db
def test_duplicate_agent_email_conflicts_in_any_case():
    existing = do_create_agent(
        email="ewa@sklep.example", name="Ewa", password="haslo-123456", acting_user=None
    )

    with pytest.raises(Conflict):
        do_create_agent(
            email="EWA@Sklep.Example", name="Ewa druga", password="haslo-654321", acting_user=None
        )

    assert list(Agent.objects.values_list("id", "name")) == [(existing.pk, "Ewa")]


@pytest.mark.django_db
def test_unknown_role_is_refused():
    with pytest.raises(InvalidInput) as raised:
        do_create_agent(
            email="ktos@sklep.example",
            name="Ktoś",
            password="haslo-123456",
            role="owner",
            acting_user=None,
        )

    assert list(raised.value.errors) == ["role"]
    assert Agent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees_all", "is_staff"),
    [(Role.ADMIN, True, True), (Role.SUPERVISOR, True, False), (Role.AGENT, False, False)],
)
def test_role_decides_ticket_visibility_and_admin_access(role, sees_all, is_staff):
    agent = make_agent(role=role)

    assert (agent.sees_all_tickets, agent.is_staff) == (sees_all, is_staff)


# Teams


@pytest.mark.django_db
def test_create_team_with_members():
    first = make_agent()
    second = make_agent()

    team = do_create_team(name="  Reklamacje ", members=[first, second], acting_user=None)

    assert team.name == "Reklamacje"
    assert sorted(team.members.values_list("id", flat=True)) == sorted([first.pk, second.pk])
    assert team_ids_of(first) == [team.pk]


@pytest.mark.django_db
def test_duplicate_team_name_conflicts():
    make_team(name="Reklamacje")

    with pytest.raises(Conflict):
        do_create_team(name="Reklamacje", acting_user=None)

    assert Team.objects.count() == 1


@pytest.mark.django_db
def test_adding_a_team_member_twice_keeps_one_membership():
    agent = make_agent()
    team = make_team()

    do_add_team_member(team=team, agent=agent, acting_user=None)
    do_add_team_member(team=team, agent=agent, acting_user=None)

    assert list(team.members.values_list("id", flat=True)) == [agent.pk]


# API tokens


@pytest.mark.django_db
def test_only_the_digest_of_a_token_is_stored():
    agent = make_agent()

    raw_token = do_create_api_token(agent=agent, name="Integracja sklepu", acting_user=None)

    token = ApiToken.objects.get()
    assert raw_token.startswith(TOKEN_PREFIX)
    assert len(raw_token) == len(TOKEN_PREFIX) + 43
    assert (token.agent_id, token.name) == (agent.pk, "Integracja sklepu")
    assert token.digest == hashlib.sha256(raw_token.encode()).hexdigest()
    assert token.prefix == raw_token[:10]
    stored_values = [str(value) for value in ApiToken.objects.values().get().values()]
    assert [value for value in stored_values if raw_token in value] == []


@pytest.mark.django_db
def test_tokens_are_unique():
    agent = make_agent()

    tokens = {make_token(agent) for _ in range(5)}

    assert len(tokens) == 5
    assert ApiToken.objects.values("digest").distinct().count() == 5


@pytest.mark.django_db
def test_active_token_finds_the_token_and_its_agent():
    agent = make_agent()
    raw_token = make_token(agent)

    token = active_token(raw_token)

    assert token is not None
    assert (token.token_id, token.agent) == (ApiToken.objects.get().pk, agent)
    assert token.agent.email == agent.email


@pytest.mark.django_db
def test_active_token_does_not_find_an_unknown_token():
    make_token(make_agent())

    assert active_token(TOKEN_PREFIX + "nieznany") is None


@pytest.mark.django_db
def test_revoked_token_is_not_found():
    raw_token = make_token(make_agent())
    token = ApiToken.objects.get()

    do_revoke_api_token(token=token, acting_user=None)

    assert active_token(raw_token) is None
    assert ApiToken.objects.get().revoked_at is not None


@pytest.mark.django_db
def test_revoking_twice_keeps_the_first_revocation_time():
    make_token(make_agent())
    token = ApiToken.objects.get()
    do_revoke_api_token(token=token, acting_user=None)
    first_revoked_at = ApiToken.objects.get().revoked_at

    do_revoke_api_token(token=token, acting_user=None)

    assert ApiToken.objects.get().revoked_at == first_revoked_at


@pytest.mark.django_db
def test_token_of_a_deactivated_agent_is_not_found():
    agent = make_agent()
    raw_token = make_token(agent)
    Agent.objects.filter(pk=agent.pk).update(is_active=False)

    assert active_token(raw_token) is None


@pytest.mark.django_db
def test_token_use_is_due_when_never_noted_and_recorded_when_noted():
    raw_token = make_token(make_agent())

    found = active_token(raw_token)
    do_record_token_use(token_id=found.token_id)

    assert found.use_due
    assert ApiToken.objects.get().last_used_at is not None
    assert not active_token(raw_token).use_due


@pytest.mark.django_db
def test_token_use_is_due_again_after_the_interval():
    raw_token = make_token(make_agent())
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    ApiToken.objects.update(last_used_at=long_ago)

    assert active_token(raw_token).use_due

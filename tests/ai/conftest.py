import pytest

from okienko.accounts.models import Team
from okienko.ai.actions import do_set_inbox_bot
from okienko.inboxes.actions import do_create_inbox
from okienko.inboxes.choices import InboxKind
from okienko.inboxes.models import Inbox
from okienko.routing.actions import do_set_presence
from okienko.routing.choices import Presence, Strategy
from okienko.routing.models import TeamRouting
from okienko.testing.factories import make_agent, make_team


@pytest.fixture
def chat_team() -> Team:
    agent = make_agent(name="Ola Czat")
    team = make_team(name="Czat", members=[agent])
    TeamRouting.objects.create(team=team, strategy=Strategy.ROUND_ROBIN)
    do_set_presence(agent=agent, presence=Presence.ONLINE)
    return team


@pytest.fixture
def chat_inbox(chat_team: Team) -> Inbox:
    inbox = do_create_inbox(name="Czat na stronie", kind=InboxKind.EMAIL, acting_user=None)
    do_set_inbox_bot(inbox=inbox, is_enabled=True, hand_off_team=chat_team)
    return inbox

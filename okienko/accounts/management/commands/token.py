from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.accounts.actions import do_create_api_token
from okienko.accounts.selectors import active_agent_by_email


class Command(BaseCommand):
    help = "Manage API tokens. `token create --agent EMAIL` prints a new token as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        create = subcommands.add_parser("create", help="create a token for an agent")
        create.add_argument("--agent", required=True, help="the agent's e-mail")
        create.add_argument("--name", default="cli", help="a label to recognise the token by")

    def handle(self, *args: Any, **options: Any) -> None:
        agent = active_agent_by_email(options["agent"])
        if agent is None:
            raise CommandError(f"No active agent with e-mail {options['agent']}")
        token = do_create_api_token(agent=agent, name=options["name"], acting_user=None)
        self.stdout.write(f"API token for {agent.email}; it is shown only now, store it safely:")
        self.stdout.write(token)

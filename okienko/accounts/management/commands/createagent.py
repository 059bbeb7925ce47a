from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.accounts.actions import do_create_agent
from okienko.accounts.choices import Role
from okienko.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an agent who can sign in to the workspace and use the API."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", choices=Role.values, default=Role.AGENT)
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            agent = do_create_agent(
                email=options["email"],
                name=options["name"],
                password=options["password"],
                role=options["role"],
                acting_user=None,
            )
        except DomainError as error:
            raise CommandError(error.detail) from error
        self.stdout.write(f"Created {agent.role} {agent.name} <{agent.email}> (id {agent.pk})")

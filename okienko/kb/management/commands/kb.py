"""``okienko kb import DIR`` and ``okienko kb export DIR``: the knowledge base as Markdown files
(one per article, with front matter) for migrations and version control of help content."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from okienko.accounts.selectors import active_agent_by_email
from okienko.core.errors import DomainError
from okienko.kb.actions import do_import_articles
from okienko.kb.files import read_directory, write_directory
from okienko.kb.selectors import export_documents


class Command(BaseCommand):
    help = "Import or export knowledge-base articles as Markdown files with front matter."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="operation", required=True)
        importing = commands.add_parser("import", help="Create or update articles from DIR")
        importing.add_argument("directory", type=Path)
        importing.add_argument(
            "--as",
            dest="agent",
            required=True,
            help="E-mail of the supervisor or admin the import is recorded as",
        )
        exporting = commands.add_parser("export", help="Write every article into DIR")
        exporting.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            if options["operation"] == "import":
                agent = active_agent_by_email(options["agent"])
                if agent is None:
                    raise CommandError(f"No active agent {options['agent']}")
                categories, documents = read_directory(directory)
                result = do_import_articles(
                    categories=categories, documents=documents, acting_user=agent
                )
                self.stdout.write(
                    f"Imported {len(documents)} articles from {directory}: {result.created} "
                    f"new, {result.updated} changed, {result.unchanged} unchanged"
                )
            else:
                categories, documents = export_documents()
                count = write_directory(directory, categories, documents)
                self.stdout.write(f"Exported {count} articles into {directory}")
        except DomainError as error:
            raise CommandError(error.detail) from error

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as DjangoCheckCommand

from okienko.core.diagnostics import effective_configuration, probe_services


class Command(DjangoCheckCommand):
    help = "Run Django's system checks, show the effective configuration and probe services."

    def handle(self, *app_labels: Any, **options: Any) -> None:
        super().handle(*app_labels, **options)
        self.stdout.write("Configuration:")
        for name, value in effective_configuration().items():
            self.stdout.write(f"  {name:14} {value}")
        self.stdout.write("Services:")
        probes = probe_services()
        for probe in probes:
            mark = self.style.SUCCESS("ok  ") if probe.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"  {mark} {probe.name:14} {probe.detail}")
        failed = [probe.name for probe in probes if not probe.ok]
        if failed:
            raise CommandError(f"Unreachable: {', '.join(failed)}")

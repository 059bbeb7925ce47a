"""Helpers for the phase subprocesses (``python -m bench.<phase>``) that run inside Django."""

import json
import os
import sys
from typing import Any


def setup_django() -> None:
    """Set up Django with the settings the parent process prepared in the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.settings")
    import django

    django.setup()


def emit(result: dict[str, Any]) -> None:
    """Print a phase's result as the last line of stdout, where the parent process reads it."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()

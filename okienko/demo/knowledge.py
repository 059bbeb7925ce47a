"""The demo shop's help center: about sixty Polish articles (a few translated into English)
kept as Markdown files in ``helpcenter/``, imported the way ``okienko kb import`` does, with
readers' views and feedback so the popular list and the counters look lived in."""

import random
from pathlib import Path

from okienko.accounts.models import Agent
from okienko.kb.actions import do_import_articles, do_record_feedback, do_record_view
from okienko.kb.files import read_directory
from okienko.kb.selectors import public_articles

HELP_CENTER_DIR = Path(__file__).parent / "helpcenter"
COMMENTS = (
    "Brakuje informacji, ile kosztuje zwrot kurierem.",
    "Wszystko jasne, dziękuję!",
    "Przydałby się przykład wypełnionego formularza.",
    "Nie ma nic o zamówieniach z zagranicy.",
    "Szybko znalazłam odpowiedź.",
)


def write_help_center(*, admin: Agent, seed: int) -> int:
    """Import the demo articles (owned by ``admin``) and give them readers; returns how many
    articles there are."""
    categories, documents = read_directory(HELP_CENTER_DIR)
    do_import_articles(categories=categories, documents=documents, acting_user=admin)
    # Demo data, not security: a seeded generator is what makes runs repeatable.
    rng = random.Random(seed)  # noqa: S311
    for article in public_articles().order_by("id"):
        do_record_view(article=article, views=rng.randint(3, 400))
        for _reader in range(rng.randint(0, 4)):
            helpful = rng.random() < 0.8
            comment = "" if helpful or rng.random() < 0.5 else rng.choice(COMMENTS)
            do_record_feedback(article=article, is_helpful=helpful, comment=comment)
    return len(documents)

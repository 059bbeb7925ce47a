import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.ai.evaluation import Figures, figures, judge, read_cases
from okienko.ai.selectors import default_threshold
from okienko.core.errors import InvalidInput

SWEEP = [round(0.2 + step * 0.025, 3) for step in range(25)]


class Command(BaseCommand):
    help = (
        "The chat bot. `bot eval FILE.jsonl` asks the bot every question of the file (lines "
        '{"question": "...", "article": "<slug>" or null}) against this install\'s public '
        "help center and prints answer accuracy, wrong-answer rate and hand-off rate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        evaluation = subcommands.add_parser("eval", help="measure the answers on FILE.jsonl")
        evaluation.add_argument("file", type=Path)
        evaluation.add_argument(
            "--json", action="store_true", help="print the figures and each miss as JSON"
        )
        evaluation.add_argument(
            "--threshold", type=float, help="confidence below which the bot hands over"
        )
        evaluation.add_argument(
            "--words-only",
            action="store_true",
            help="rank by words alone, without the sentence embeddings",
        )
        evaluation.add_argument(
            "--sweep", action="store_true", help="the figures at a range of thresholds"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        uses_embeddings = settings.BOT_USES_EMBEDDINGS and not options["words_only"]
        try:
            judged = judge(
                read_cases(options["file"]), uses_embeddings=uses_embeddings, language_hint="pl"
            )
        except (InvalidInput, OSError) as error:
            raise CommandError(getattr(error, "detail", str(error))) from error
        if options["sweep"]:
            results = [
                figures(judged, threshold=threshold, uses_embeddings=uses_embeddings)
                for threshold in SWEEP
            ]
            if options["json"]:
                self.stdout.write(json.dumps([result.as_json() for result in results], indent=2))
            else:
                self.stdout.write("threshold  accuracy  wrong  hand-off")
                for result in results:
                    self.stdout.write(
                        f"{result.threshold:9.3f}  {result.accuracy:8.1%}  "
                        f"{result.wrong_answer_rate:5.1%}  {result.hand_off_rate:8.1%}"
                    )
            return
        threshold = options["threshold"]
        if threshold is None:
            threshold = default_threshold(uses_embeddings=uses_embeddings)
        result = figures(judged, threshold=threshold, uses_embeddings=uses_embeddings)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        else:
            self._print(result)

    def _print(self, result: Figures) -> None:
        ranking = "words and sentence embeddings" if result.uses_embeddings else "words only"
        self.stdout.write(
            f"questions: {result.questions} ({result.should_hand_off} should hand off)\n"
            f"ranking: {ranking}, confidence threshold {result.threshold}\n"
            f"answer accuracy: {result.accuracy:.1%} ({result.correct}/{result.questions})\n"
            f"wrong-answer rate: {result.wrong_answer_rate:.1%} "
            f"({result.wrong}/{result.questions})\n"
            f"hand-off rate: {result.hand_off_rate:.1%} ({result.handed_off}/{result.questions})"
        )

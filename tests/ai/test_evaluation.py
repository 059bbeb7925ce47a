"""`okienko bot eval`: the bot measured on questions whose right answer is known."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from okienko.accounts.choices import Role
from okienko.demo.knowledge import write_help_center
from okienko.kb.selectors import public_articles
from okienko.testing.factories import make_agent

pytestmark = pytest.mark.django_db

EVAL_DIR = Path(__file__).resolve().parents[2] / "okienko" / "ai" / "eval"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _line(question: str, article: str | None) -> str:
    return json.dumps({"question": question, "article": article}, ensure_ascii=False)


RETURN_QUESTION = "Jak mogę zwrócić towar kupiony w sklepie?"


def test_the_eval_sets_fit_the_demo_help_center():
    write_help_center(admin=make_agent(role=Role.ADMIN), seed=1)
    slugs = set(public_articles().values_list("slug", flat=True))
    tuning = _lines(EVAL_DIR / "helpcenter.jsonl")
    holdout = _lines(EVAL_DIR / "helpcenter_holdout.jsonl")
    greeted = _lines(EVAL_DIR / "helpcenter_greeted.jsonl")

    assert len(tuning) >= 60
    assert sum(1 for line in tuning if line["article"] is None) >= 15
    assert {line["article"] for line in tuning + holdout} - {None} <= slugs
    assert [line["article"] for line in greeted] == [line["article"] for line in tuning]


def test_eval_prints_accuracy_wrong_answers_and_hand_offs(tmp_path, help_center, capsys):
    path = _write(
        tmp_path,
        [
            _line(RETURN_QUESTION, "jak-zwrocic-towar"),
            _line(RETURN_QUESTION, "czas-i-koszt-dostawy"),
            '{"question": "Czy sprzedajecie rowery elektryczne?", "article": null}',
            '{"question": "Chcę rozmawiać z człowiekiem", "article": null}',
        ],
    )

    call_command("bot", "eval", str(path))

    assert capsys.readouterr().out.splitlines() == [
        "questions: 4 (2 should hand off)",
        "ranking: words and sentence embeddings, confidence threshold 0.525",
        "answer accuracy: 75.0% (3/4)",
        "wrong-answer rate: 25.0% (1/4)",
        "hand-off rate: 50.0% (2/4)",
    ]


def test_eval_json_lists_each_miss(tmp_path, help_center, capsys):
    path = _write(
        tmp_path,
        [
            '{"question": "How do I return an item?", "article": "jak-zwrocic-towar"}',
            _line(RETURN_QUESTION, "czas-i-koszt-dostawy"),
        ],
    )

    call_command("bot", "eval", str(path), "--json")

    result = json.loads(capsys.readouterr().out)
    assert result["questions"] == 2
    assert result["accuracy"] == 0.5
    assert result["wrong_answer_rate"] == 0.5
    assert result["hand_off_rate"] == 0.0
    [miss] = result["misses"]
    assert miss["line"] == 2
    assert miss["expected"] == "czas-i-koszt-dostawy"
    assert miss["answered"] == "jak-zwrocic-towar"


def test_eval_words_only_and_sweep(tmp_path, help_center, capsys):
    path = _write(tmp_path, ['{"question": "Jak zwrócić towar?", "article": "jak-zwrocic-towar"}'])

    call_command("bot", "eval", str(path), "--words-only", "--sweep", "--json")

    results = json.loads(capsys.readouterr().out)
    assert [result["uses_embeddings"] for result in results] == [False] * len(results)
    assert results[0]["threshold"] == 0.2
    assert results[0]["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        (['{"question": "a", "article": null}', "{oops"], "line 2: not JSON"),
        (['{"article": null}'], 'line 1: "question" must be a non-empty string'),
        (['{"question": "a", "article": 5}'], 'line 1: "article" must be a slug or null'),
        (['{"question": "a", "article": "no-such"}'], "no public article has the slug: no-such"),
        ([""], "holds no questions"),
    ],
)
def test_eval_refuses_a_bad_file_clearly(tmp_path, help_center, lines, error):
    path = _write(tmp_path, lines)

    with pytest.raises(CommandError, match=error):
        call_command("bot", "eval", str(path))


def test_eval_of_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("bot", "eval", str(tmp_path / "missing.jsonl"))

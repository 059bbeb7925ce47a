"""Phase ``automation``: what 200 active triggers cost each ticket event.

``--rules`` active triggers (200) are saved through ``do_save_rule``: about half listen to
``ticket_created`` and half to ``customer_message``, a few to ``ticket_updated``. Their conditions
use every field and operator of ``automation.conditions`` (channel, priority, tier, language,
Polish phrases in the subject and the message, tags, business hours now, hours since ...) and
most of them look for what the seeded tickets never are (a WhatsApp or Telegram channel, a premium
tier, an English-speaking customer, a letter from a lawyer). A handful match ordinary tickets (a
complaint in the subject, an invoice or a refund in the message, a VIP tag) and add a tag, raise
the priority or leave an internal note.

Measured, each per event, on unsolved tickets picked at random among the seeded ones:

* ``evaluate_us``: the conditions of all the rules evaluated against one ticket's facts, no
  database (every rule, whatever its event: the cost if all 200 listened to one event);
* ``no_match``: ``do_run_triggers`` end to end for a ticket-created and a customer-message event
  on tickets that none of the event's rules matches (the common case): ``ms``, and ``queries``
  per event counted on a second pass with ``CaptureQueriesContext`` (not timed), the active rules'
  version check (at most once a second) included when it falls in; ``facts_ms`` is
  ``facts_for`` alone for one ticket, what every event pays once;
* ``match``: the same on tickets some rules match (half of them timed, the other half counted),
  whose rules apply their operations and set off what every change sets off (``ticket_updated``
  triggers, the SLA replay of the policy the ``sla`` phase saved, routing): ``firings`` per
  event as well.

The target is < 1 ms per event for the evaluation (``evaluate_us``) and for ``no_match``; the
``targets`` report them at p95. Run by ``python -m bench`` after the ``sla`` phase; by hand on a
seeded install: ``python -m bench.automation --sample 100``.
"""

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

from bench.phase import emit, setup_django
from bench.progress import log
from bench.report import percentile

TARGET_EVENT_MS = 1.0
MEASURED_EVENTS = ("ticket_created", "customer_message")
# Unsolved tickets whose facts are read per ticket wanted in a sample: enough for both the
# tickets no rule matches and those some rule matches.
CANDIDATES_PER_TICKET = 4
WARM_UP_EVENTS = 5
FACTS_BATCH = 500
# Share of rules per event (the rest listen to ticket_updated).
EVENT_WEIGHTS = {"ticket_created": 45, "customer_message": 45, "ticket_updated": 10}

# What a Polish shop's helpdesk watches for and the seeded tickets never say.
LEGAL_PHRASES = (
    "pozew",
    "odstąpienie od umowy",
    "rzecznik praw konsumenta",
    "UOKiK",
    "prokuratura",
    "kancelaria",
    "wezwanie do zapłaty",
    "sąd rejonowy",
    "nakaz zapłaty",
    "chargeback",
)
FRAUD_PHRASES = (
    "oszustwo",
    "wyłudzenie",
    "nieautoryzowana transakcja",
    "kradzież tożsamości",
    "włamanie na konto",
    "phishing",
)
OUTAGE_PHRASES = ("awaria", "strona nie działa", "błąd 500", "nie można złożyć zamówienia")
UNSEEDED_TAGS = ("media", "influencer", "prawnik", "b2b-kluczowy", "fraud", "eskalacja-zarząd")
RARE_CHANNELS = ("whatsapp", "messenger", "telegram", "portal", "api")
OTHER_TIERS = ("premium", "business", "mass")
OTHER_LANGUAGES = ("en", "de", "uk", "cs")
UNSOLVED = ["new", "open", "pending", "on_hold"]

Condition = dict[str, Any]
Operation = dict[str, Any]
Template = Callable[[random.Random], tuple[str, str, list[Condition], list[Operation]]]


def _when(field: str, operator: str, value: Any = None) -> Condition:
    return {"field": field, "operator": operator, "value": value}


def _tag(*names: str) -> Operation:
    return {"type": "add_tags", "tags": list(names)}


def _note(text: str) -> Operation:
    return {"type": "add_note", "text": text}


def _priority(value: str) -> Operation:
    return {"type": "set_priority", "value": value}


def _rare_channel(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    channels = rng.sample(RARE_CHANNELS, rng.randint(1, 3))
    conditions = [_when("channel", "in", channels)]
    if rng.random() < 0.5:
        conditions.append(_when("priority", "is_not", "low"))
    return "Komunikator", "all", conditions, [_tag(f"kanal-{channels[0]}")]


def _tier(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    priorities = rng.sample(["low", "normal", "high"], rng.randint(1, 3))
    conditions = [_when("tier", "is", rng.choice(OTHER_TIERS)), _when("priority", "in", priorities)]
    return "Klient z umową", "all", conditions, [_priority("high")]


def _legal(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    phrase = rng.choice(LEGAL_PHRASES)
    conditions = [_when("subject", "contains", phrase), _when("message", "contains", phrase)]
    operations = [_tag("prawne"), _note("Sprawa prawna (#{{ ticket.number }}): przekaż do działu.")]
    return "Pismo prawne", "any", conditions, operations


def _fraud(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [
        _when("message", "contains", rng.choice(FRAUD_PHRASES)),
        _when("channel", "in", ["email", "web_form", "chat"]),
    ]
    return "Bezpieczeństwo", "all", conditions, [_priority("urgent"), _tag("bezpieczeństwo")]


def _unseeded_tag(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [_when("tags", "contains", rng.choice(UNSEEDED_TAGS))]
    if rng.random() < 0.5:
        conditions.append(_when("status", "in", UNSOLVED))
    return "Oznaczone", "all", conditions, [_priority("high")]


def _language(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    languages = rng.sample(OTHER_LANGUAGES, rng.randint(1, 2))
    return "Obcojęzyczne", "all", [_when("language", "in", languages)], [_tag("obcojęzyczne")]


def _premium_after_hours(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [
        _when("tier", "is", "premium"),
        _when("business_hours_now", "is", rng.random() < 0.5),
        _when("priority", "in", ["high", "urgent"]),
    ]
    return "Premium poza biurem", "all", conditions, [_note("Pilne od klienta premium.")]


def _outage(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    phrases = rng.sample(OUTAGE_PHRASES, 2)
    conditions = [
        _when("subject", "contains", phrases[0]),
        _when("message", "contains", phrases[1]),
        _when("subject", "contains", "ERROR"),
    ]
    return "Awaria", "any", conditions, [_tag("awaria")]


def _escalated(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [
        _when("escalation_level", "greater_than", rng.choice([1, 1.5])),
        _when("status", "is_not", "solved"),
        _when("assignee", "is_set"),
    ]
    return "Eskalacja", "all", conditions, [_note("Zgłoszenie u kierownika zmiany.")]


def _stale_business(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [
        _when("tier", "in", ["business", "premium"]),
        _when("business_hours_in_status", "greater_than", rng.choice([8, 16, 40])),
        _when("hours_since_customer_message", "greater_than", rng.choice([4, 24])),
    ]
    return "Czeka klient B2B", "all", conditions, [_priority("high")]


def _fresh_mass(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [
        _when("tier", "is", "mass"),
        _when("hours_since_created", "less_than", rng.choice([1, 2, 24])),
        _when("hours_since_updated", "less_than", 1),
    ]
    return "Nowe od klienta masowego", "all", conditions, [_tag("masowy")]


def _no_team_premium(rng: random.Random) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [
        _when("team", "is_empty"),
        _when("category", "is_set"),
        _when("tier", "is", "premium"),
        _when("hours_in_status", "greater_than", rng.choice([2, 12])),
    ]
    return "Premium bez zespołu", "all", conditions, [_note("Brak zespołu dla klienta premium.")]


def _rare_channel_no_greeting(
    rng: random.Random,
) -> tuple[str, str, list[Condition], list[Operation]]:
    conditions = [
        _when("channel", "not_in", ["email", "web_form", "chat", "phone"]),
        _when("message", "not_contains", rng.choice(["dzień dobry", "witam", "pozdrawiam"])),
    ]
    return "Krótka wiadomość z komunikatora", "all", conditions, [_tag("komunikator")]


NEVER_MATCHING: tuple[Template, ...] = (
    _rare_channel,
    _tier,
    _legal,
    _fraud,
    _unseeded_tag,
    _language,
    _premium_after_hours,
    _outage,
    _escalated,
    _stale_business,
    _fresh_mass,
    _no_team_premium,
    _rare_channel_no_greeting,
)

# (event, name, match, conditions, operations): what ordinary tickets meet.
MATCHING: tuple[tuple[str, str, str, list[Condition], list[Operation]], ...] = (
    (
        "ticket_created",
        "Reklamacja w temacie",
        "all",
        [_when("subject", "contains", "reklamacja")],
        [_tag("reklamacja"), _priority("high")],
    ),
    (
        "ticket_created",
        "Faktura",
        "any",
        [_when("subject", "contains", "faktur"), _when("message", "contains", "faktur")],
        [_tag("faktura")],
    ),
    (
        "ticket_created",
        "Pilny czat",
        "all",
        [_when("channel", "is", "chat"), _when("priority", "in", ["high", "urgent"])],
        [_note("Czat o wysokim priorytecie: odpowiedz w ciągu 15 minut.")],
    ),
    (
        "customer_message",
        "Klient pyta o zwrot",
        "all",
        [_when("message", "contains", "zwrot"), _when("status", "in", UNSOLVED)],
        [_note("Klient pyta o zwrot pieniędzy (#{{ ticket.number }}).")],
    ),
    (
        "customer_message",
        "VIP pisze",
        "all",
        [_when("tags", "contains", "vip")],
        [_priority("urgent")],
    ),
    (
        "customer_message",
        "Płatność",
        "any",
        [_when("message", "contains", "blik"), _when("subject", "contains", "płatność")],
        [_tag("płatność")],
    ),
    (
        "ticket_updated",
        "Pilny VIP",
        "all",
        [_when("priority", "is", "urgent"), _when("tags", "contains", "vip")],
        [_note("Pilne zgłoszenie klienta VIP.")],
    ),
)


def _save_rules(count: int, rng: random.Random) -> list[Any]:
    """``count`` active triggers: the few of ``MATCHING`` and the rest never matching a seeded
    ticket, at random positions."""
    from okienko.automation.actions import RuleInput, do_save_rule

    specs = [(event, name, match, c, o) for event, name, match, c, o in MATCHING]
    events, weights = list(EVENT_WEIGHTS), list(EVENT_WEIGHTS.values())
    for number in range(count - len(specs)):
        name, match, conditions, operations = NEVER_MATCHING[number % len(NEVER_MATCHING)](rng)
        event = rng.choices(events, weights)[0]
        specs.append((event, f"{name} {number + 1}", match, conditions, operations))
    positions = rng.sample(range(len(specs)), len(specs))
    return [
        do_save_rule(
            data=RuleInput(
                kind="trigger",
                event=event,
                name=name,
                match=match,
                conditions=conditions,
                operations=operations,
                position=position,
            )
        )
        for (event, name, match, conditions, operations), position in zip(
            specs, positions, strict=True
        )
    ]


def _candidates(count: int, rng: random.Random) -> list[int]:
    """About ``count`` unsolved tickets at random, in random order."""
    from django.db.models import Max

    from okienko.tickets.choices import UNSOLVED_STATUSES
    from okienko.tickets.models import Ticket

    top = Ticket.objects.aggregate(top=Max("pk"))["top"] or 0
    unsolved = Ticket.objects.filter(status__in=UNSOLVED_STATUSES, merged_into__isnull=True)
    chosen: set[int] = set()
    for _ in range(20):
        guesses = {rng.randint(1, top) for _ in range(count * 4)}
        chosen |= set(unsolved.filter(pk__in=guesses).values_list("pk", flat=True))
        if len(chosen) >= count:
            break
    return rng.sample(sorted(chosen), min(count, len(chosen)))


def _facts(ticket_ids: list[int]) -> dict[int, dict[str, Any]]:
    from okienko.automation.selectors import facts_for

    facts: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ticket_ids), FACTS_BATCH):
        facts.update(facts_for(ticket_ids[start : start + FACTS_BATCH]))
    return facts


def _matching(rules: list[Any], facts: dict[str, Any]) -> int:
    from okienko.automation.conditions import evaluate

    return sum(1 for rule in rules if evaluate(rule.conditions, rule.match, facts))


def _evaluate_us(rules: list[Any], facts: list[dict[str, Any]]) -> list[float]:
    """Microseconds to evaluate every rule against each ticket's facts."""
    from okienko.automation.conditions import evaluate

    timings = []
    for ticket_facts in facts:
        started = time.perf_counter_ns()
        for rule in rules:
            evaluate(rule.conditions, rule.match, ticket_facts)
        timings.append((time.perf_counter_ns() - started) / 1000)
    return timings


def _run_ms(event: str, ticket_ids: list[int]) -> tuple[list[float], int]:
    """Milliseconds of ``do_run_triggers`` per ticket, and the firings in all."""
    from okienko.automation.actions import do_run_triggers

    timings, firings = [], 0
    for ticket_id in ticket_ids:
        started = time.perf_counter()
        firings += len(do_run_triggers(event=event, ticket_id=ticket_id))
        timings.append((time.perf_counter() - started) * 1000)
    return timings, firings


def _queries(event: str, ticket_ids: list[int]) -> list[int]:
    """Queries of ``do_run_triggers`` per ticket (a pass that is not timed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from okienko.automation.actions import do_run_triggers

    counts = []
    for ticket_id in ticket_ids:
        # The log keeps 9,000 queries at most; a full log would count as no queries.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            do_run_triggers(event=event, ticket_id=ticket_id)
        counts.append(len(captured.captured_queries))
    return counts


def _facts_ms(ticket_ids: list[int]) -> list[float]:
    from okienko.automation.selectors import facts_for

    timings = []
    for ticket_id in ticket_ids:
        started = time.perf_counter()
        facts_for([ticket_id])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _summary(values: list[float], digits: int = 3) -> dict[str, float]:
    """Mean, p50, p95 and max, rounded finer than ``latency_summary`` (events under 1 ms)."""
    mean = sum(values) / len(values) if values else 0.0
    return {
        "mean": round(mean, digits),
        "p50": round(percentile(values, 0.50), digits),
        "p95": round(percentile(values, 0.95), digits),
        "max": round(max(values, default=0.0), digits),
    }


def _count_summary(counts: list[int]) -> dict[str, float]:
    return {
        "mean": round(sum(counts) / len(counts), 2) if counts else 0.0,
        "min": min(counts, default=0),
        "max": max(counts, default=0),
    }


def _split(
    rules: list[Any], ticket_ids: list[int], facts: dict[int, dict[str, Any]], event: str
) -> tuple[list[int], list[int]]:
    """The tickets none of the event's rules matches, and those some rule matches."""
    listening = [rule for rule in rules if rule.event == event]
    quiet, matched = [], []
    for pk in ticket_ids:
        if pk in facts:
            (matched if _matching(listening, facts[pk]) else quiet).append(pk)
    return quiet, matched


def measure_automation(*, rule_count: int, sample: int, random_seed: int) -> dict[str, Any]:
    """Save the rules, time their evaluation and ``do_run_triggers``; return the results."""
    from okienko.automation.actions import do_run_triggers

    rng = random.Random(random_seed)
    log(f"automation: saving {rule_count} triggers")
    rules = _save_rules(rule_count, rng)
    per_event = {event: sum(1 for rule in rules if rule.event == event) for event in EVENT_WEIGHTS}
    fields = {condition["field"] for rule in rules for condition in rule.conditions}
    operators = {condition["operator"] for rule in rules for condition in rule.conditions}

    wanted = sample * 2 * len(MEASURED_EVENTS)
    ticket_ids = _candidates(wanted * CANDIDATES_PER_TICKET, rng)
    facts = _facts(ticket_ids)
    log(f"automation: facts of {len(facts)} unsolved tickets")

    evaluated = [facts[pk] for pk in ticket_ids[:sample] if pk in facts]
    _evaluate_us(rules, evaluated)  # warm up
    evaluate_us = _evaluate_us(rules, evaluated)
    matching_per_ticket = [_matching(rules, ticket_facts) for ticket_facts in evaluated]
    log(f"automation: {rule_count} rules evaluated in {_summary(evaluate_us)['mean']} µs")

    results: dict[str, Any] = {}
    used: set[int] = set()
    for event in MEASURED_EVENTS:
        quiet, matched = _split(rules, ticket_ids, facts, event)
        quiet_sample = quiet[:sample]
        matched_sample = [pk for pk in matched if pk not in used][:sample]
        used.update(matched_sample)
        # Load the rules and warm up, on tickets outside the sample when there are enough.
        for ticket_id in (quiet[sample:] or quiet)[:WARM_UP_EVENTS]:
            do_run_triggers(event=event, ticket_id=ticket_id)
        quiet_ms, quiet_firings = _run_ms(event, quiet_sample)
        quiet_queries = _queries(event, quiet_sample)
        facts_ms = _facts_ms(quiet_sample)
        # Half of the matched tickets timed, the other half counted: each fires only once.
        timed, counted = matched_sample[::2], matched_sample[1::2]
        match_ms, match_firings = _run_ms(event, timed)
        match_queries = _queries(event, counted)
        log(
            f"automation: {event}: {_summary(quiet_ms)['mean']} ms without a match "
            f"({_count_summary(quiet_queries)['mean']} queries), "
            f"{_summary(match_ms)['mean']} ms with {match_firings} firings on {len(timed)}"
        )
        results[event] = {
            "rules": per_event[event],
            "share_without_match": round(len(quiet) / (len(quiet) + len(matched)), 3)
            if quiet or matched
            else 0.0,
            "no_match": {
                "events": len(quiet_sample),
                "firings": quiet_firings,
                "ms": _summary(quiet_ms),
                "queries": _count_summary(quiet_queries),
                "facts_ms": _summary(facts_ms),
            },
            "match": {
                "events": len(timed),
                "firings_per_event": round(match_firings / len(timed), 2) if timed else 0.0,
                "ms": _summary(match_ms),
                "queries": _count_summary(match_queries),
            },
        }
    return {
        "rules": rule_count,
        "rules_per_event": per_event,
        "fields_used": len(fields),
        "operators_used": len(operators),
        "evaluate_tickets": len(evaluate_us),
        "evaluate_us": _summary(evaluate_us, digits=1),
        "evaluate_matching_rules": _summary([float(n) for n in matching_per_ticket], digits=2),
        "events": results,
    }


def automation_targets(result: dict[str, Any]) -> dict[str, bool]:
    """Whether evaluation and the common event (nothing matches) stay under 1 ms at p95."""
    events = result.get("events", {})
    limit = f"{TARGET_EVENT_MS:g}"
    return {
        f"automation_evaluate_p95_ms<{limit}": bool(result)
        and result["evaluate_us"]["p95"] / 1000 < TARGET_EVENT_MS,
        f"automation_no_match_p95_ms<{limit}": bool(events)
        and all(event["no_match"]["ms"]["p95"] < TARGET_EVENT_MS for event in events.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.automation", description=__doc__)
    parser.add_argument("--rules", type=int, default=200, help="active triggers to save")
    parser.add_argument(
        "--sample", type=int, default=500, help="events timed per event kind and case"
    )
    parser.add_argument("--random-seed", type=int, default=5)
    options = parser.parse_args()
    setup_django()
    emit(
        measure_automation(
            rule_count=options.rules, sample=options.sample, random_seed=options.random_seed
        )
    )


if __name__ == "__main__":
    main()

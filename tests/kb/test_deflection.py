"""Deflection: suggested articles opened while a customer writes a new request, whether the
request was still sent, and the rate supervisors see."""

import datetime

import pytest
from django.utils import timezone

from okienko.core.errors import InvalidInput
from okienko.kb.actions import do_record_request_submitted, do_record_suggestion_opened
from okienko.kb.models import DeflectionAttempt
from okienko.kb.selectors import DeflectionRate, deflection_rate
from okienko.testing.factories import make_article, make_customer, make_ticket

pytestmark = pytest.mark.django_db

KEY = "k" * 22


def _opened(key, *, hours_ago, submitted=False):
    customer = make_customer()
    do_record_suggestion_opened(key=key, customer=customer, article=make_article())
    DeflectionAttempt.objects.filter(key=key).update(
        opened_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )
    if submitted:
        do_record_request_submitted(key=key, customer=customer, ticket=make_ticket())


def test_opening_suggestions_is_one_attempt_per_form_and_submitting_marks_it():
    customer = make_customer()
    first, second = make_article(), make_article()
    ticket = make_ticket(requester=customer)

    do_record_suggestion_opened(key=KEY, customer=customer, article=first)
    do_record_suggestion_opened(key=KEY, customer=customer, article=second)
    submitted = do_record_request_submitted(key=KEY, customer=customer, ticket=ticket)

    attempt = DeflectionAttempt.objects.get()
    assert (attempt.customer, attempt.article, attempt.articles_opened) == (customer, second, 2)
    assert (submitted, attempt.ticket, attempt.submitted_at is not None) == (True, ticket, True)


def test_another_customers_form_key_counts_nothing():
    owner, stranger = make_customer(), make_customer()
    article = make_article()
    do_record_suggestion_opened(key=KEY, customer=owner, article=article)

    do_record_suggestion_opened(key=KEY, customer=stranger, article=make_article())
    submitted = do_record_request_submitted(key=KEY, customer=stranger, ticket=make_ticket())

    attempt = DeflectionAttempt.objects.get()
    assert (attempt.customer, attempt.article, attempt.articles_opened) == (owner, article, 1)
    assert (submitted, attempt.submitted_at) == (False, None)


def test_submitting_a_form_without_opened_suggestions_records_nothing():
    submitted = do_record_request_submitted(key=KEY, customer=make_customer(), ticket=make_ticket())

    assert submitted is False
    assert not DeflectionAttempt.objects.exists()


def test_a_key_the_portal_would_not_make_is_refused():
    with pytest.raises(InvalidInput):
        do_record_suggestion_opened(key="short", customer=make_customer(), article=make_article())

    assert not DeflectionAttempt.objects.exists()


def test_the_rate_is_deflected_of_decided_attempts_in_the_period():
    _opened("a" * 22, hours_ago=3)  # deflected
    _opened("b" * 22, hours_ago=30)  # deflected
    _opened("c" * 22, hours_ago=5, submitted=True)
    _opened("d" * 22, hours_ago=0.2)  # may still send it
    _opened("e" * 22, hours_ago=0.1, submitted=True)
    _opened("f" * 22, hours_ago=24 * 31)  # before the period

    rate = deflection_rate()

    assert rate == DeflectionRate(days=30, deflected=2, submitted=2, undecided=1)
    assert rate.rate == 0.5


def test_no_rate_before_any_decided_attempt():
    _opened("a" * 22, hours_ago=0.5)

    rate = deflection_rate()

    assert (rate.undecided, rate.decided, rate.rate) == (1, 0, None)

"""The Django admin's customer page: read-only, with the customer's identities and consents."""

import pytest
from django.test import Client

from okienko.accounts.choices import Role
from okienko.testing.factories import make_agent, make_consent, make_customer


@pytest.mark.django_db
def test_the_customer_page_lists_every_consent_answer_read_only():
    customer = make_customer(name="Anna Nowak", email="anna@poczta.example")
    make_consent(customer, text="Zgadzam się na newsletter.", source_reference="conversation-3")
    client = Client()
    client.force_login(make_agent(role=Role.ADMIN))

    page = client.get(f"/admin/customers/customer/{customer.pk}/change/")

    assert page.status_code == 200
    content = page.content.decode()
    assert "Zgadzam się na newsletter." in content
    assert "conversation-3" in content
    assert 'name="consents-0-text"' not in content

"""Planning the demo's people: the agents, the business customers' organisations, the customers.

Pure, like the rest of the plan: the organisations and customers come from the planner's seeded
generator, drawn from the names in ``okienko.demo.names``.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass

from okienko.accounts.choices import Role
from okienko.demo import names, shop
from okienko.demo.names import DemoAgent

ADMIN_EMAIL = "admin@okienko.local"
AGENT_DOMAIN = "okienko.local"

TIER_CONSUMER = "consumer"
TIER_BUSINESS = "business"
TIER_PREMIUM = "premium"
TIER_MASS = "mass"

_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


@dataclass(frozen=True)
class AgentPlan:
    """An agent to create; ``teams`` are team keys from ``shop.TEAM_NAMES``."""

    email: str
    name: str
    role: str
    is_female: bool
    teams: tuple[str, ...]


@dataclass(frozen=True)
class OrganisationPlan:
    """A business customer's company."""

    name: str
    nip: str
    domain: str


@dataclass(frozen=True)
class CustomerPlan:
    """A customer with an e-mail and, for some, a phone number."""

    name: str
    first_name: str
    is_female: bool
    tier: str
    organisation: int | None
    email: str
    phone: str


def ascii_fold(text: str) -> str:
    """``text`` with Polish letters replaced by their plain Latin ones, for e-mail addresses."""
    return text.translate(_ASCII)


def agent_email(agent: DemoAgent) -> str:
    return f"{ascii_fold(agent.first_name)}.{ascii_fold(agent.last_name)}@{AGENT_DOMAIN}".lower()


def random_nip(rng: random.Random) -> str:
    """A random NIP with a valid checksum (weights 6,5,7,2,3,4,5,6,7; a sum giving 10 is void)."""
    while True:
        digits = [rng.randint(1, 9), *(rng.randint(0, 9) for _ in range(8))]
        checksum = sum(d * w for d, w in zip(digits, (6, 5, 7, 2, 3, 4, 5, 6, 7), strict=True))
        if checksum % 11 != 10:
            return "".join(map(str, digits)) + str(checksum % 11)


def plan_agents() -> tuple[AgentPlan, ...]:
    """The admin, the supervisor of both teams, then the agents of each team."""
    admin = names.ADMIN
    supervisor = names.SUPERVISOR
    return (
        AgentPlan(
            ADMIN_EMAIL,
            f"{admin.first_name} {admin.last_name}",
            Role.ADMIN,
            admin.is_female,
            (),
        ),
        AgentPlan(
            agent_email(supervisor),
            f"{supervisor.first_name} {supervisor.last_name}",
            Role.SUPERVISOR,
            supervisor.is_female,
            tuple(shop.TEAM_NAMES),
        ),
        *(
            AgentPlan(
                agent_email(agent),
                f"{agent.first_name} {agent.last_name}",
                Role.AGENT,
                agent.is_female,
                (agent.team,),
            )
            for agent in names.TEAM_AGENTS
        ),
    )


def plan_organisations(rng: random.Random, customer_count: int) -> list[OrganisationPlan]:
    """About one company for every 20 customers, each with its own NIP."""
    count = min(len(names.COMPANIES), max(1, customer_count // 20))
    nips: set[str] = set()
    organisations = []
    for company in rng.sample(names.COMPANIES, count):
        nip = random_nip(rng)
        while nip in nips:
            nip = random_nip(rng)
        nips.add(nip)
        organisations.append(OrganisationPlan(company.name, nip, company.domain))
    return organisations


def plan_customers(
    rng: random.Random, count: int, organisations: Sequence[OrganisationPlan]
) -> list[CustomerPlan]:
    """``count`` customers in a shuffled mix of tiers; a few work for the ``organisations``."""
    memberships: list[int] = []
    for index in range(len(organisations)):
        memberships += [index] * rng.choice((2, 2, 3))
    memberships = memberships[: max(1, count // 4)]
    premium = round(count * 0.1)
    mass = count // 100
    tiers = [TIER_BUSINESS] * len(memberships) + [TIER_PREMIUM] * premium + [TIER_MASS] * mass
    tiers = (tiers + [TIER_CONSUMER] * count)[:count]
    members_of: list[int | None] = [*memberships, *([None] * (count - len(memberships)))]
    order = list(range(count))
    rng.shuffle(order)
    emails: set[str] = set()
    phones: set[str] = set()
    customers = []
    for index in order:
        organisation = members_of[index]
        customers.append(
            _customer(rng, tiers[index], organisation, organisations, emails=emails, phones=phones)
        )
    if not any(customer.phone for customer in customers):
        first = customers[0]
        customers[0] = CustomerPlan(
            first.name,
            first.first_name,
            first.is_female,
            first.tier,
            first.organisation,
            first.email,
            _phone(rng, phones),
        )
    return customers


def _customer(
    rng: random.Random,
    tier: str,
    organisation: int | None,
    organisations: Sequence[OrganisationPlan],
    *,
    emails: set[str],
    phones: set[str],
) -> CustomerPlan:
    is_female = rng.random() < 0.5
    first = rng.choice(names.FEMALE_FIRST_NAMES if is_female else names.MALE_FIRST_NAMES)
    surname = rng.choice(names.SURNAMES)
    last = names.feminine_surname(surname) if is_female else surname
    given, family = ascii_fold(first).lower(), ascii_fold(last).lower()
    if organisation is not None:
        domain = organisations[organisation].domain
        local = rng.choice((f"{given}.{family}", f"{given[0]}.{family}", given))
    else:
        domain = rng.choice(names.FREE_MAIL_DOMAINS)
        local = rng.choice((
            f"{given}.{family}", f"{given}{family}", f"{given[0]}{family}",
            f"{family}.{given}", f"{given}.{family}{rng.randint(1, 99)}",
            f"{given}{rng.randint(1960, 2006)}",
        ))  # fmt: skip
    email = f"{local}@{domain}"
    suffix = 2
    while email in emails:
        email = f"{local}{suffix}@{domain}"
        suffix += 1
    emails.add(email)
    has_phone = rng.random() < (0.7 if tier == TIER_BUSINESS else 0.45)
    return CustomerPlan(
        f"{first} {last}",
        first,
        is_female,
        tier,
        organisation,
        email,
        _phone(rng, phones) if has_phone else "",
    )


def _phone(rng: random.Random, phones: set[str]) -> str:
    while True:
        digits = f"{rng.choice(names.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
        number = f"+48 {digits[:3]} {digits[3:6]} {digits[6:]}"
        if number not in phones:
            phones.add(number)
            return number

"""Scenarios of the Zwroty category: returns within 14 days, refunds and exchanges."""

from okienko.demo.scenarios import Scenario, paragraphs
from okienko.demo.shop import CATEGORY_RETURNS, TEAM_COMPLAINTS

RETURN_14_DAYS = Scenario(
    key="return_14_days",
    category=CATEGORY_RETURNS,
    team=TEAM_COMPLAINTS,
    tags=("zwrot",),
    weight=10,
    subjects=(
        "Zwrot towaru",
        "Odstąpienie od umowy – zamówienie {order}",
        "Chcę zwrócić {product}",
        "Zwrot w ciągu 14 dni",
    ),
    openings=paragraphs("""
        Chciał{bym} zwrócić {product} z zamówienia {order} – nie spełnia moich oczekiwań.
        Produkt jest nieużywany, w oryginalnym opakowaniu. Jak mam go odesłać?

        Odstępuję od umowy (zamówienie {order}: {product}, odebrane {date}). Proszę
        o informację, gdzie odesłać towar i kiedy otrzymam zwrot pieniędzy.

        {product} jednak nie spełnia moich oczekiwań. Czy mogę go oddać? Minęło 10 dni od
        odbioru.
    """),
    questions=paragraphs("""
        Prosimy o podanie numeru konta do zwrotu, jeśli płatność była za pobraniem.
    """),
    answers=paragraphs("""
        Numer konta: 12 1140 2004 0000 3102 7654 3210.
    """),
    replies=paragraphs("""
        Przyjęliśmy zgłoszenie zwrotu. W panelu klienta jest etykieta zwrotna InPost – wystarczy
        nadać paczkę w dowolnym paczkomacie. Pieniądze zwrócimy w ciągu 14 dni od otrzymania
        przesyłki, zwykle znacznie szybciej.

        Zwrot dotarł do naszego magazynu i został przyjęty. Kwotę {amount} przelaliśmy na
        konto użyte do płatności.
    """),
    notes=paragraphs("""
        Zwrot przyjęty na magazyn, produkt kompletny, bez śladów użytkowania.

        Klient mieści się w 14 dniach, etykieta wygenerowana.
    """),
)

REFUND_MISSING = Scenario(
    key="refund_missing",
    category=CATEGORY_RETURNS,
    team=TEAM_COMPLAINTS,
    tags=("zwrot", "zwrot-srodkow"),
    weight=5,
    priorities=(0, 55, 38, 7),
    subjects=(
        "Nie otrzymał{em} zwrotu pieniędzy",
        "Kiedy zwrot środków?",
        "Zwrot za zamówienie {order}",
    ),
    openings=paragraphs("""
        Dwa tygodnie temu odesłał{em} {product} (zamówienie {order}). Paczka została
        odebrana przez sklep {date}, a pieniędzy nadal nie ma na koncie.

        Kiedy otrzymam zwrot {amount} za zwrócony towar? Minęło już ponad 14 dni.
    """),
    replies=paragraphs("""
        Zwrot {amount} został zlecony dziś. Przepraszamy za opóźnienie – paczka zwrotna
        czekała na weryfikację dłużej niż zwykle. Środki powinny być na koncie w ciągu
        1–2 dni roboczych.

        Zwrot został wykonany {date} na konto, z którego była płatność. Potwierdzenie
        przelewu przesyłamy w załączeniu.
    """),
    notes=paragraphs("""
        Paczka zwrotna leżała w strefie przyjęć bez skanu, odnaleziona. Zwrot zlecony
        ręcznie.
    """),
    holds=paragraphs("""
        Sprawdzamy z działem księgowości, na jakim etapie jest zwrot. Wrócimy z odpowiedzią
        najpóźniej jutro.
    """),
)

RETURN_LABEL = Scenario(
    key="return_label",
    category=CATEGORY_RETURNS,
    team=TEAM_COMPLAINTS,
    tags=("zwrot", "inpost"),
    weight=4,
    priorities=(15, 80, 5, 0),
    subjects=("Etykieta zwrotna", "Jak odesłać paczkę przez paczkomat?"),
    openings=paragraphs("""
        Nie mogę znaleźć etykiety zwrotnej w panelu klienta. Chcę odesłać {product}
        z zamówienia {order} przez paczkomat.

        Czy zwrot może być nadany w paczkomacie bez drukowania etykiety?
    """),
    replies=paragraphs("""
        Wysłaliśmy kod zwrotu InPost SMS-em – wystarczy wpisać go na ekranie paczkomatu,
        bez drukowania etykiety. Zwrot przez paczkomat jest bezpłatny.
    """),
)

EXCHANGE = Scenario(
    key="exchange",
    category=CATEGORY_RETURNS,
    team=TEAM_COMPLAINTS,
    tags=("wymiana", "zwrot"),
    weight=3,
    products=("home",),
    subjects=("Wymiana na inny rozmiar", "Wymiana produktu", "Czy mogę wymienić {product}?"),
    openings=paragraphs("""
        Czy mogę wymienić {product} na inny rozmiar? Zamówienie {order}, produkt nieużywany.

        Chciał{bym} wymienić {product} na ten sam model w innym kolorze.
    """),
    replies=paragraphs("""
        Wymiana jest możliwa. Prosimy odesłać produkt etykietą zwrotną z panelu klienta,
        a w tym czasie zarezerwujemy wybrany wariant – wyślemy go od razu po przyjęciu
        zwrotu.
    """),
)

"""Scenarios of the Konto category: signing in, deleting the account, the newsletter."""

from okienko.demo.scenarios import Scenario, paragraphs
from okienko.demo.shop import CATEGORY_ACCOUNT, TEAM_ORDERS

ACCOUNT_LOGIN = Scenario(
    key="account_login",
    category=CATEGORY_ACCOUNT,
    team=TEAM_ORDERS,
    tags=("konto", "logowanie"),
    weight=5,
    has_order=False,
    subjects=(
        "Nie mogę się zalogować",
        "Nie przychodzi mail z resetem hasła",
        "Konto zablokowane",
        "Problem z logowaniem",
    ),
    openings=paragraphs("""
        Od wczoraj nie mogę zalogować się do konta w sklepie. Hasło na pewno jest dobre,
        a link do resetu hasła nie przychodzi, sprawdzał{em} też spam.

        Po kilku próbach logowania moje konto zostało zablokowane. Jak je odblokować?

        Próbuję zalogować się przez Google i pojawia się błąd „konto już istnieje”.
    """),
    questions=paragraphs("""
        Prosimy o podanie adresu e-mail, na który założone jest konto – czasem klienci mają
        konto założone na inny adres niż ten, z którego piszą.
    """),
    answers=paragraphs("""
        Konto jest założone na ten sam adres, z którego piszę.

        Możliwe, że na stary adres – ale nie pamiętam już którego.
    """),
    replies=paragraphs("""
        Odblokowaliśmy konto i wysłaliśmy ponownie link do ustawienia hasła. Link jest ważny
        przez 24 godziny.

        Połączyliśmy logowanie przez Google z istniejącym kontem – teraz można się logować
        obiema metodami.
    """),
    notes=paragraphs("""
        Maile z resetem odrzucane przez serwer odbiorcy (bounce), adres na liście blokad –
        zdjęty.
    """),
)

ACCOUNT_DELETE = Scenario(
    key="account_delete",
    category=CATEGORY_ACCOUNT,
    team=TEAM_ORDERS,
    tags=("konto", "rodo"),
    weight=2,
    has_order=False,
    priorities=(30, 68, 2, 0),
    subjects=("Usunięcie konta", "Prośba o usunięcie danych (RODO)"),
    openings=paragraphs("""
        Proszę o usunięcie mojego konta oraz wszystkich moich danych osobowych zgodnie
        z RODO.

        Chciał{bym} usunąć konto w sklepie i wypisać się ze wszystkich zgód marketingowych.
    """),
    replies=paragraphs("""
        Konto zostało usunięte, a dane osobowe zanonimizowane. Dane z faktur musimy
        przechowywać przez okres wymagany przepisami podatkowymi.
    """),
    notes=paragraphs("""
        Tożsamość potwierdzona (mail z adresu konta), wniosek RODO wpisany do rejestru.
    """),
)

NEWSLETTER = Scenario(
    key="newsletter",
    category=CATEGORY_ACCOUNT,
    team=TEAM_ORDERS,
    tags=("newsletter",),
    weight=2,
    has_order=False,
    priorities=(70, 30, 0, 0),
    subjects=("Wypisanie z newslettera", "Za dużo maili reklamowych"),
    openings=paragraphs("""
        Kliknął{em} „wypisz się”, a nadal codziennie dostaję maile z promocjami. Proszę
        o usunięcie mnie z listy.
    """),
    replies=paragraphs("""
        Wypisaliśmy Państwa adres ze wszystkich list mailingowych. Może jeszcze przyjść
        jedna wiadomość, która była już zaplanowana do wysyłki.
    """),
)

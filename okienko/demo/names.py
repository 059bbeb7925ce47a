"""Who is who: the shop's agents, the names customers are drawn from, the companies that buy."""

from dataclasses import dataclass

from okienko.demo.shop import TEAM_COMPLAINTS, TEAM_ORDERS


@dataclass(frozen=True)
class DemoAgent:
    """A member of the shop's customer-service staff."""

    first_name: str
    last_name: str
    is_female: bool
    team: str


@dataclass(frozen=True)
class DemoCompany:
    """A business customer of the shop; ``domain`` is the company's e-mail domain."""

    name: str
    domain: str


# Agents: the admin, the supervisor, then four per team.
ADMIN = DemoAgent("Marek", "Zieliński", is_female=False, team="")
SUPERVISOR = DemoAgent("Katarzyna", "Nowak", is_female=True, team="")
TEAM_AGENTS = (
    DemoAgent("Anna", "Kowalska", is_female=True, team=TEAM_ORDERS),
    DemoAgent("Piotr", "Wiśniewski", is_female=False, team=TEAM_ORDERS),
    DemoAgent("Magdalena", "Wójcik", is_female=True, team=TEAM_ORDERS),
    DemoAgent("Łukasz", "Kamiński", is_female=False, team=TEAM_ORDERS),
    DemoAgent("Joanna", "Lewandowska", is_female=True, team=TEAM_COMPLAINTS),
    DemoAgent("Michał", "Dąbrowski", is_female=False, team=TEAM_COMPLAINTS),
    DemoAgent("Agnieszka", "Szymańska", is_female=True, team=TEAM_COMPLAINTS),
    DemoAgent("Grzegorz", "Szczęsny", is_female=False, team=TEAM_COMPLAINTS),
)

MALE_FIRST_NAMES = (
    "Łukasz", "Grzegorz", "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Marcin",
    "Jakub", "Mateusz", "Kamil", "Wojciech", "Rafał", "Jarosław", "Sławomir", "Bartłomiej",
    "Przemysław", "Zbigniew", "Jerzy", "Dariusz", "Mariusz", "Adam", "Maciej", "Szymon",
    "Jędrzej", "Mikołaj", "Stanisław", "Józef", "Ryszard", "Bogdan", "Radosław", "Zdzisław",
    "Kacper", "Filip", "Dominik", "Hubert", "Wiesław", "Bartosz", "Dawid",
)  # fmt: skip
FEMALE_FIRST_NAMES = (
    "Zofia", "Anna", "Małgorzata", "Katarzyna", "Agnieszka", "Barbara", "Ewa", "Joanna",
    "Magdalena", "Aleksandra", "Natalia", "Justyna", "Dorota", "Beata", "Jolanta", "Grażyna",
    "Halina", "Bożena", "Urszula", "Weronika", "Karolina", "Paulina", "Monika", "Żaneta",
    "Iwona", "Elżbieta", "Jadwiga", "Teresa", "Danuta", "Marta", "Alicja", "Łucja", "Wiktoria",
    "Julia", "Oliwia", "Krystyna", "Renata", "Sylwia", "Edyta", "Gabriela",
)  # fmt: skip
# Masculine forms; ``feminine_surname`` derives the feminine one.
SURNAMES = (
    "Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    "Wojciechowski", "Kwiatkowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając",
    "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Nowakowski",
    "Majewski", "Olszewski", "Stępień", "Malinowski", "Jaworski", "Adamczyk", "Dudek",
    "Nowicki", "Pawlak", "Górski", "Witkowski", "Walczak", "Sikora", "Baran", "Rutkowski",
    "Michalak", "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Zalewski", "Wróblewski",
    "Jasiński", "Szczęsny", "Żak", "Błaszczyk", "Głowacki", "Łukasik", "Ślusarczyk",
    "Chmielewski", "Gołębiowski", "Czarnecki", "Sadowski", "Bąk", "Kubiak", "Wilk", "Leśniak",
    "Kołodziej", "Sobczak", "Czerwiński", "Mróz", "Kaźmierczak", "Przybylski", "Żukowski",
    "Pająk", "Kędzierski", "Śliwiński", "Grzelak", "Dziedzic", "Cieślak", "Szczepański",
    "Gąsiorowski",
)  # fmt: skip


def feminine_surname(surname: str) -> str:
    """The feminine form of a Polish surname: Kowalski → Kowalska, Szczęsny → Szczęsna."""
    if surname.endswith(("ski", "cki", "dzki", "ny")):
        return surname[:-1] + "a"
    return surname


# Demo customers must never be mailed for real, so their domains are under the reserved .example.
FREE_MAIL_DOMAINS = (
    "poczta.example", "skrzynka.example", "wp.example", "onet.example", "interia.example",
    "o2.example", "gmail.example",
)  # fmt: skip
MOBILE_PREFIXES = ("50", "51", "53", "57", "60", "66", "69", "72", "78", "79", "88")

COMPANIES = (
    DemoCompany("TechBud Sp. z o.o.", "techbud.example"),
    DemoCompany("Biuro Rachunkowe Bilans s.c.", "bilans-biuro.example"),
    DemoCompany("Hotel Pod Lipami", "podlipami.example"),
    DemoCompany("Szkoła Językowa Lingwista", "lingwista.example"),
    DemoCompany("Kancelaria Radcy Prawnego Nowak i Wspólnicy", "nowak-kancelaria.example"),
    DemoCompany("Restauracja Smaki Mazur", "smakimazur.example"),
    DemoCompany("Pracownia Architektoniczna Kreska", "kreska-architekci.example"),
    DemoCompany("Drukarnia Offset-Pol Sp. z o.o.", "offsetpol.example"),
    DemoCompany("Gabinet Weterynaryjny Azor", "azor-wet.example"),
    DemoCompany("Przedszkole Niepubliczne Słoneczko", "sloneczko-przedszkole.example"),
    DemoCompany("Apteka Pod Orłem", "apteka-podorlem.example"),
    DemoCompany("Auto-Serwis Kowalczyk", "autoserwis-kowalczyk.example"),
    DemoCompany("Agencja Reklamowa Pomysłownia", "pomyslownia.example"),
    DemoCompany("Studio Fryzjerskie Loki", "studioloki.example"),
    DemoCompany("Fundacja Zielony Dom", "zielonydom.example"),
    DemoCompany("Spółdzielnia Mieszkaniowa Jutrzenka", "sm-jutrzenka.example"),
    DemoCompany("Piekarnia Złoty Kłos", "zlotyklos.example"),
    DemoCompany("Centrum Medyczne Zdrowie Plus", "zdrowieplus.example"),
)
# Trades for customers who buy on a sole proprietorship and want an invoice.
TRADES = (
    "Usługi Remontowe", "Transport i Przeprowadzki", "Usługi Informatyczne", "Projektowanie Wnętrz",
    "Fotografia", "Doradztwo Podatkowe", "Usługi Elektryczne", "Korepetycje",
)  # fmt: skip

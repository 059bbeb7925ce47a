"""Polish demo data for "Sklep Okienko": people, companies, products and ticket scenarios.

Texts are templates filled in by ``okienko.demo.load`` with ``str.format_map``. Placeholders:
``{order}`` order number, ``{date}`` order date, ``{product}``, ``{amount}``, ``{parcel}``
tracking number, ``{locker}`` parcel locker, ``{city}``, ``{street}``, ``{code}`` promo code,
``{rma}`` complaint number, ``{company}``, ``{nip}``. Polish verbs agree with the speaker's
gender, so the customer's own words use ``{em}`` (zamówiłem/zamówiłam), ``{bym}``
(chciałbym/chciałabym) and ``{y}`` (pewny/pewna); an agent writing about the customer uses
``{klient}`` (Klient/Klientka) and ``{c_a}`` (napisał/napisała); an agent's own words use
``{a_em}`` (sprawdziłem/sprawdziłam).
"""

from dataclasses import dataclass
from textwrap import dedent

TEAM_ORDERS = "orders"
TEAM_COMPLAINTS = "complaints"
TEAM_NAMES = {TEAM_ORDERS: "Obsługa zamówień", TEAM_COMPLAINTS: "Reklamacje i zwroty"}

CATEGORY_ORDERS = "Zamówienia"
CATEGORY_DELIVERY = "Dostawa"
CATEGORY_RETURNS = "Zwroty"
CATEGORY_COMPLAINTS = "Reklamacje"
CATEGORY_PAYMENTS = "Płatności"
CATEGORY_ACCOUNT = "Konto"
CATEGORIES = (
    CATEGORY_ORDERS,
    CATEGORY_DELIVERY,
    CATEGORY_RETURNS,
    CATEGORY_COMPLAINTS,
    CATEGORY_PAYMENTS,
    CATEGORY_ACCOUNT,
)


def _texts(block: str) -> tuple[str, ...]:
    """Split a block into texts at blank lines; lines within a text join with spaces."""
    paragraphs = dedent(block).strip().split("\n\n")
    return tuple(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


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


@dataclass(frozen=True)
class Product:
    """Something the shop sells; ``kind`` lets a scenario pick fitting products."""

    name: str
    price: int
    kind: str


@dataclass(frozen=True)
class Scenario:
    """One kind of customer request with several phrasings of each turn of the conversation."""

    key: str
    category: str
    team: str
    tags: tuple[str, ...]
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    replies: tuple[str, ...]
    questions: tuple[str, ...] = ()
    answers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    hold_notes: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    has_order: bool = True
    weight: int = 4
    # Relative weights of low, normal, high and urgent.
    priorities: tuple[int, int, int, int] = (8, 78, 12, 2)
    is_for_business: bool = False


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

PRODUCTS = (
    Product("czajnik elektryczny Bosch TWK 3A011", 12900, "kettle"),
    Product("czajnik szklany Philips HD9339", 15900, "kettle"),
    Product("czajnik z regulacją temperatury Xiaomi Mi Smart Kettle", 18900, "kettle"),
    Product("ekspres ciśnieniowy De'Longhi Magnifica S", 149900, "kitchen"),
    Product("ekspres przelewowy Melitta Aroma Signature", 32900, "kitchen"),
    Product("blender kielichowy Tefal Blendforce", 24900, "kitchen"),
    Product("mikser ręczny Bosch ErgoMixx", 19900, "kitchen"),
    Product("robot planetarny Kenwood kMix", 129900, "kitchen"),
    Product("toster Russell Hobbs Inspire", 19900, "kitchen"),
    Product("zestaw garnków Zwieger Black Stone 8 el.", 44900, "home"),
    Product("komplet pościeli bawełnianej 160×200", 14900, "home"),
    Product("koc z mikrofibry 150×200", 8900, "home"),
    Product("oczyszczacz powietrza Xiaomi Smart Air Purifier 4", 69900, "home"),
    Product("odkurzacz pionowy Dyson V8", 169900, "home"),
    Product("robot sprzątający Roborock Q7", 179900, "home"),
    Product("głośnik Bluetooth JBL Flip 6", 54900, "audio"),
    Product("głośnik JBL Charge 5", 69900, "audio"),
    Product("soundbar Samsung HW-B550", 99900, "audio"),
    Product("gramofon Audio-Technica AT-LP60X", 74900, "audio"),
    Product("zestaw słuchawkowy Jabra Evolve2 40", 44900, "audio"),
    Product("smartfon Samsung Galaxy A55", 179900, "phone"),
    Product("smartfon Xiaomi Redmi Note 13", 99900, "phone"),
    Product("smartwatch Garmin Forerunner 265", 189900, "phone"),
    Product("tablet Lenovo Tab M10", 79900, "electronics"),
    Product("router TP-Link Archer AX55", 34900, "electronics"),
    Product('monitor Dell 27" S2721DS', 119900, "electronics"),
    Product("czytnik e-booków Kindle Paperwhite", 64900, "electronics"),
    Product("powerbank Xiaomi 20000 mAh", 12900, "electronics"),
    Product("zasilacz USB-C Anker 65 W", 17900, "electronics"),
    Product('telewizor LG 55" OLED55B4', 449900, "electronics"),
)
ELECTRIC_KINDS = ("kettle", "kitchen", "audio", "phone", "electronics")

CITIES = (
    "Warszawa", "Kraków", "Łódź", "Wrocław", "Poznań", "Gdańsk", "Szczecin", "Bydgoszcz",
    "Lublin", "Białystok", "Katowice", "Gdynia", "Częstochowa", "Radom", "Toruń", "Kielce",
    "Rzeszów", "Gliwice", "Olsztyn", "Bielsko-Biała", "Zielona Góra", "Opole", "Płock",
    "Tarnów", "Koszalin", "Kalisz", "Legnica", "Słupsk", "Nowy Sącz", "Jelenia Góra", "Siedlce",
    "Łomża", "Żyrardów", "Świnoujście", "Zakopane",
)  # fmt: skip
LOCKER_PREFIXES = ("WAW", "KRA", "LOD", "WRO", "POZ", "GDA", "SZC", "BYD", "LUB", "BIA", "KAT")
STREETS = (
    "ul. Kwiatowa 12/4", "ul. Lipowa 3", "ul. Słoneczna 27 m. 8", "ul. Mickiewicza 45/2",
    "ul. Polna 9", "os. Jagiellońskie 14/31", "ul. Długa 101", "al. Jana Pawła II 63/12",
    "ul. Źródlana 5", "ul. Żeromskiego 18/6", "ul. Wrzosowa 7", "ul. Łąkowa 22/1",
)  # fmt: skip
PROMO_CODES = ("LATO20", "OKIENKO10", "POWROT15", "WITAJ10", "DARMOWADOSTAWA", "WEEKEND25")

# The parts of an e-mail that every message shares.
CUSTOMER_GREETINGS = ("Dzień dobry,", "Dzień dobry,", "Witam,", "Szanowni Państwo,")
CUSTOMER_SIGN_OFFS = (
    "Pozdrawiam\n{first}",
    "Z poważaniem\n{full}",
    "Dziękuję i pozdrawiam\n{first}",
)
AGENT_FIRST_OPENERS = (
    "dziękujemy za wiadomość.", "dziękujemy za kontakt ze Sklepem Okienko.",
    "dziękujemy za zgłoszenie.", "dziękujemy za wiadomość i przepraszamy za kłopot.",
)  # fmt: skip
AGENT_NEXT_OPENERS = (
    "dziękujemy za odpowiedź.", "dziękujemy za przesłane informacje.",
    "dziękujemy za cierpliwość.",
)  # fmt: skip
AGENT_CLOSINGS = (
    "W razie pytań jesteśmy do dyspozycji.",
    "Gdyby potrzebowali Państwo dodatkowych informacji, prosimy o odpowiedź na tę wiadomość.",
    "Życzymy miłego dnia!",
)
AGENT_SIGN_OFFS = (
    "Pozdrawiam serdecznie\n{agent}\nZespół Obsługi Klienta · Sklep Okienko",
    "Z pozdrowieniami\n{agent}\nSklep Okienko",
)
CONFIRM_QUESTIONS = (
    "Prosimy o krótkie potwierdzenie, czy wszystko jest już w porządku.",
    "Czy możemy jeszcze w czymś pomóc w tej sprawie?",
    "Prosimy dać znać, czy problem został rozwiązany.",
)

# Turns that fit any scenario.
GENERIC_HOLDS = _texts("""
    Przekazaliśmy sprawę do działu, który się nią zajmuje. Gdy tylko otrzymamy odpowiedź,
    wrócimy z informacją – zwykle trwa to do 3 dni roboczych.

    Sprawa wymaga wyjaśnienia z dostawcą. Wstrzymujemy zgłoszenie do czasu jego odpowiedzi
    i odezwiemy się najpóźniej w ciągu kilku dni.
""")
GENERIC_HOLD_NOTES = _texts("""
    Mail do właściwego działu wysłany. Przypomnieć się za 3 dni, jeśli będzie cisza.

    Sprawa u kierowniczki zmiany, czeka na decyzję do końca tygodnia.
""")
NUDGES = _texts("""
    Czy ktoś zajmie się moim zgłoszeniem? Piszę ponownie, bo nie dostał{em} jeszcze żadnej
    odpowiedzi.

    Przypominam się w sprawie mojej wiadomości. Sprawa jest dla mnie pilna.

    Halo? Czekam na odpowiedź.
""")
THANKS = _texts("""
    Dziękuję, wszystko już działa. Pozdrawiam!

    Super, dziękuję za szybką pomoc.

    Otrzymał{em}, wszystko się zgadza. Dziękuję.

    Dziękuję bardzo, sprawa załatwiona.
""")
REOPENINGS = _texts("""
    Niestety sprawa nie jest zakończona – nadal nie otrzymał{em} tego, co było obiecane.
    Proszę o ponowne sprawdzenie.

    Problem wrócił. Myślał{em}, że wszystko jest w porządku, ale znów to samo.

    Przepraszam, ale to nie rozwiązuje mojego problemu. Czy ktoś może jeszcze raz na to
    spojrzeć?
""")
REOPEN_REPLIES = _texts("""
    Bardzo przepraszamy, że sprawa się przeciąga. Sprawdziliśmy wszystko jeszcze raz i tym razem
    osobiście dopilnowaliśmy realizacji. Potwierdzenie otrzymają Państwo w osobnej wiadomości.

    Przepraszamy za kłopot. Przekazaliśmy sprawę do kierownika zmiany, który zajął się nią od
    razu – problem powinien być już rozwiązany.
""")
PHONE_NOTES = _texts("""
    Zgłoszenie przyjęte telefonicznie, rozmowa ok. 4 min. {klient} prosi o odpowiedź mailem.

    Rozmowa telefoniczna, {klient} był{c_a} zdenerwowan{c_y}, obiecał{a_em} oddzwonić lub
    odpisać jeszcze dziś.

    Przyjęte przez telefon. Dane do kontaktu potwierdzone.
""")
# Polish declines names after "do", so the colleague's name only appears in the nominative.
TRANSFER_NOTES = _texts("""
    Przekazuję sprawę dalej: {to} prowadzi już zgłoszenia tego klienta.

    {to}, przejmiesz? Od jutra jestem na urlopie.

    Przekazuję – {to} zna temat z poprzedniego zgłoszenia.
""")
TEAM_TRANSFER_NOTES = _texts("""
    To jednak reklamacja, przenoszę do zespołu Reklamacje i zwroty.

    {klient} chce reklamować zamówienie – przekazuję do zespołu Reklamacje i zwroty.
""")
ESCALATION_NOTES = _texts("""
    {klient} czeka już długo, podnoszę priorytet.

    Wysoka kwota zamówienia, podnoszę priorytet.

    {klient} zapowiada wpis w Opiniach Google – podnoszę priorytet.
""")
MERGE_NOTES = _texts("""
    {klient} napisał{c_a} drugi raz w tej samej sprawie innym kanałem – scalił{a_em} zgłoszenia.

    Duplikat zgłoszenia, scalone.
""")
DUPLICATE_SUBJECTS = ("Ponownie: {subject}", "PILNE: {subject}", "{subject} (ponownie)")
DUPLICATE_OPENINGS = _texts("""
    Wysyłam jeszcze raz przez formularz, bo nie jestem pewn{y}, czy mail doszedł. Chodzi
    o zamówienie {order}.

    Piszę drugi raz w tej samej sprawie co wcześniej – proszę o kontakt. Zamówienie {order}.
""")

RULE_VIP = "Klienci premium: tag vip"
RULE_NO_ANSWER = "Brak odpowiedzi klienta przez 7 dni"
RULE_AUTO_CLOSE = "Automatyczne zamknięcie 4 dni po rozwiązaniu"

SCENARIOS = (
    Scenario(
        key="where_is_parcel",
        category=CATEGORY_DELIVERY,
        team=TEAM_ORDERS,
        tags=("inpost", "dostawa"),
        weight=12,
        subjects=(
            "Gdzie jest moja paczka?",
            "Zamówienie {order} – brak informacji o przesyłce",
            "Paczka nie dotarła do paczkomatu",
            "Status przesyłki {parcel}",
        ),
        openings=_texts("""
            Zamówił{em} {date} {product} z dostawą do paczkomatu InPost {locker}. Od trzech dni
            status przesyłki się nie zmienia – ciągle „Przygotowana przez nadawcę”. Czy paczka
            w ogóle została nadana? Numer zamówienia: {order}.

            Moje zamówienie {order} miało być wczoraj w paczkomacie {locker}, ale nadal nie
            dostał{em} SMS-a z kodem odbioru. Co się dzieje z moją paczką?

            Proszę o informację, gdzie jest moja przesyłka {parcel}. Śledzenie na stronie InPost
            pokazuje, że paczka utknęła w sortowni. Zamówienie {order}, {product}.
        """),
        questions=_texts("""
            Aby sprawdzić przesyłkę u przewoźnika, prosimy o potwierdzenie numeru telefonu
            podanego w zamówieniu – na ten numer InPost wysyła kod odbioru.

            Czy mogą Państwo potwierdzić, że paczkomat {locker} jest właściwym punktem odbioru?
            W systemie InPost widzimy próbę doręczenia do innego paczkomatu.
        """),
        answers=_texts("""
            Tak, numer jest prawidłowy – ten sam, który podał{em} w zamówieniu.

            Potwierdzam, paczkomat {locker} jest dobry, zawsze tam odbieram paczki.
        """),
        replies=_texts("""
            Sprawdziliśmy przesyłkę {parcel} w systemie InPost: paczka była opóźniona w sortowni,
            ale dziś rano wyjechała do doręczenia. Powinna trafić do paczkomatu {locker} jeszcze
            dzisiaj, a SMS z kodem odbioru przyjdzie automatycznie.

            Przesyłka z zamówieniem {order} jest już w paczkomacie {locker}. Kod odbioru
            wysłaliśmy ponownie SMS-em i e-mailem. Paczka czeka na odbiór 48 godzin.

            Przewoźnik potwierdził zagubienie przesyłki w sortowni, dlatego wysłaliśmy {product}
            ponownie, bez dodatkowych kosztów. Nowy numer przesyłki przyjdzie SMS-em jeszcze dziś.
        """),
        notes=_texts("""
            Sprawdził{a_em} w panelu InPost – przesyłka {parcel} stoi w sortowni od 2 dni.
            Zgłosił{a_em} opóźnienie u przewoźnika.

            W systemie magazynowym zamówienie {order} spakowane i wydane kurierowi {date}.
        """),
        holds=_texts("""
            Wyjaśniamy sprawę z InPost. Przewoźnik ma do 3 dni roboczych na odpowiedź – wrócimy
            z informacją, gdy tylko ją dostaniemy.
        """),
        hold_notes=_texts("""
            Reklamacja przesyłki złożona w InPost, czekamy na odpowiedź przewoźnika.
        """),
    ),
    Scenario(
        key="locker_changed",
        category=CATEGORY_DELIVERY,
        team=TEAM_ORDERS,
        tags=("inpost", "dostawa"),
        weight=4,
        subjects=(
            "Paczka trafiła do innego paczkomatu",
            "Przekierowanie paczki do innego paczkomatu",
            "Paczkomat {locker} pełny – gdzie moja paczka?",
        ),
        openings=_texts("""
            Dostał{em} SMS, że moja paczka z zamówienia {order} została przekierowana do
            paczkomatu tymczasowego, kilka kilometrów od domu. Czy da się ją przenieść z powrotem
            do {locker}?

            Wybrał{em} paczkomat {locker}, a paczka trafiła do zupełnie innego, w drugiej części
            miasta ({city}). Nie mam samochodu – co mogę zrobić?
        """),
        replies=_texts("""
            Paczkomat {locker} był przepełniony i InPost automatycznie skierował przesyłkę do
            najbliższego wolnego. Poprosiliśmy przewoźnika o przeniesienie paczki – powinna
            pojawić się w {locker} w ciągu 1–2 dni roboczych.

            Niestety nie możemy zmienić paczkomatu po przekierowaniu przez InPost. Jeśli paczka
            nie zostanie odebrana, wróci do nas, a my wyślemy ją ponownie na nasz koszt do
            wskazanego paczkomatu.
        """),
        notes=_texts("""
            Zlecone przekierowanie w panelu InPost Manager, numer zlecenia w historii przesyłki.
        """),
    ),
    Scenario(
        key="courier_missed",
        category=CATEGORY_DELIVERY,
        team=TEAM_ORDERS,
        tags=("kurier", "dostawa"),
        weight=5,
        products=("kitchen", "home", "electronics"),
        subjects=(
            "Kurier nie przyjechał",
            "Awizo, a cały dzień był{em} w domu",
            "Brak dostawy {order}",
        ),
        openings=_texts("""
            Cały dzień czekał{em} na kuriera z zamówieniem {order} ({product}), a wieczorem
            dostał{em} informację, że „odbiorca nieobecny”. Nikt nie dzwonił ani nie pukał.
            Proszę o ponowne doręczenie.

            Kurier DPD miał dostarczyć {product} wczoraj. W śledzeniu jest „nieudana próba
            doręczenia”, a ja był{em} w domu. Kiedy mogę spodziewać się paczki?
        """),
        questions=_texts("""
            Prosimy o potwierdzenie adresu dostawy i numeru telefonu – przekażemy je kurierowi
            razem z prośbą o kontakt przed przyjazdem.
        """),
        answers=_texts("""
            Adres się zgadza: {street}, {city}. Numer telefonu ten sam co w zamówieniu.
        """),
        replies=_texts("""
            Złożyliśmy u przewoźnika reklamację nieudanego doręczenia i zleciliśmy ponowną dostawę
            na jutro. Kurier zadzwoni przed przyjazdem.

            Przesyłka została dziś ponownie wydana do doręczenia. Przepraszamy za kłopot –
            przewoźnik wyjaśnia zachowanie kuriera.
        """),
        notes=_texts("""
            Zgłoszone do opiekuna DPD: trzecia fałszywa „nieudana próba” w tym rejonie w tym
            miesiącu.
        """),
    ),
    Scenario(
        key="damaged_in_transport",
        category=CATEGORY_COMPLAINTS,
        team=TEAM_COMPLAINTS,
        tags=("reklamacja", "uszkodzenie", "kurier"),
        weight=4,
        products=("kitchen", "home", "electronics"),
        priorities=(2, 70, 24, 4),
        subjects=(
            "Uszkodzona paczka",
            "Produkt przyszedł rozbity",
            "Zgniecione opakowanie – {product}",
        ),
        openings=_texts("""
            Paczka z zamówieniem {order} przyszła zgnieciona, a {product} ma pękniętą obudowę.
            Spisał{em} z kurierem protokół szkody. Co dalej?

            Po otwarciu paczki okazało się, że {product} jest uszkodzony – wgnieciony bok
            i porysowany front. Karton był cały mokry. Proszę o wymianę.
        """),
        questions=_texts("""
            Prosimy o przesłanie zdjęć uszkodzonego produktu i opakowania oraz, jeśli był
            spisany, protokołu szkody.
        """),
        answers=_texts("""
            W załączeniu zdjęcia produktu, kartonu i protokół podpisany przez kuriera.
        """),
        replies=_texts("""
            Uznajemy reklamację {rma}. Nowy {product} wyślemy jutro, a kurier przy doręczeniu
            odbierze uszkodzony egzemplarz – nie trzeba go pakować w oryginalny karton.

            Reklamacja {rma} została uznana. Zwróciliśmy {amount} na konto użyte do płatności;
            środki powinny być widoczne w ciągu 3 dni roboczych. Uszkodzonego produktu nie
            trzeba odsyłać.
        """),
        notes=_texts("""
            Zgłoszona szkoda transportowa u przewoźnika, protokół w załączniku maila od klienta.
        """),
    ),
    Scenario(
        key="change_address",
        category=CATEGORY_ORDERS,
        team=TEAM_ORDERS,
        tags=("zmiana-adresu",),
        weight=5,
        priorities=(4, 70, 24, 2),
        subjects=(
            "Zmiana adresu dostawy",
            "Prośba o zmianę adresu w zamówieniu {order}",
            "Pomyłka w adresie dostawy",
        ),
        openings=_texts("""
            W zamówieniu {order} podał{em} zły adres. Prawidłowy to {street}, {city}. Czy da się
            to jeszcze zmienić przed wysyłką?

            Chciał{bym} zmienić adres dostawy zamówienia {order} na {street}, {city} – w tym
            tygodniu nie będzie mnie w domu.
        """),
        replies=_texts("""
            Zmieniliśmy adres dostawy w zamówieniu {order} na {street}, {city}. Paczka jeszcze
            nie opuściła magazynu, więc zmiana obejmie tę wysyłkę.

            Niestety paczka została już przekazana kurierowi. Poprosiliśmy przewoźnika
            o przekierowanie na nowy adres; jeśli się nie uda, kurier zadzwoni przed doręczeniem.
        """),
        notes=_texts("""
            Adres poprawiony w systemie magazynowym przed spakowaniem.

            Zamówienie już na rampie – zmiana adresu tylko przez przewoźnika.
        """),
    ),
    Scenario(
        key="cancel_order",
        category=CATEGORY_ORDERS,
        team=TEAM_ORDERS,
        tags=("anulowanie",),
        weight=4,
        subjects=("Anulowanie zamówienia {order}", "Rezygnacja z zamówienia", "Proszę anulować"),
        openings=_texts("""
            Proszę o anulowanie zamówienia {order}. Zamówił{em} {product} przez pomyłkę dwa razy.

            Rezygnuję z zamówienia {order} – znalazł{em} ten sam produkt taniej lokalnie.
            Płatność już poszła, proszę o zwrot {amount}.
        """),
        replies=_texts("""
            Anulowaliśmy zamówienie {order}. Zwrot {amount} został zlecony na konto użyte do
            płatności i powinien dotrzeć w ciągu 3 dni roboczych.

            Zamówienie zostało już wysłane, więc nie możemy go anulować. Można jednak odstąpić od
            umowy w ciągu 14 dni od odbioru – wystarczy nie odbierać paczki albo odesłać ją
            bezpłatnie etykietą zwrotną z panelu klienta.
        """),
        notes=_texts("""
            Zamówienie wstrzymane w magazynie, płatność do zwrotu w panelu Przelewy24.
        """),
    ),
    Scenario(
        key="missing_item",
        category=CATEGORY_ORDERS,
        team=TEAM_ORDERS,
        tags=("brak-w-paczce",),
        weight=4,
        priorities=(2, 74, 22, 2),
        subjects=(
            "Brak produktu w paczce",
            "Niekompletne zamówienie {order}",
            "Brakujący produkt: {product}",
        ),
        openings=_texts("""
            Dostał{em} paczkę z zamówieniem {order}, ale brakuje w niej produktu: {product}.
            Na fakturze produkt jest, w paczce nie ma.

            Zamówienie {order} przyszło niekompletne – jest tylko jeden produkt z dwóch.
            Brakuje: {product}.
        """),
        questions=_texts("""
            Prosimy o przesłanie zdjęcia zawartości paczki i etykiety przewozowej – sprawdzimy
            wagę paczki w magazynie.
        """),
        answers=_texts("""
            Przesyłam zdjęcia zawartości paczki i etykiety.
        """),
        replies=_texts("""
            Przepraszamy za pomyłkę magazynu. Brakujący {product} wysłaliśmy dziś osobną paczką,
            numer przesyłki przyjdzie SMS-em.

            Magazyn potwierdził brak. Brakujący produkt był niedostępny, więc zwróciliśmy {amount}
            na konto użyte do płatności.
        """),
        notes=_texts("""
            Sprawdził{a_em} w systemie magazynowym – waga paczki przy nadaniu 1,2 kg, powinno być
            ok. 2,5 kg. Brak potwierdzony.
        """),
    ),
    Scenario(
        key="not_shipped",
        category=CATEGORY_ORDERS,
        team=TEAM_ORDERS,
        tags=("realizacja",),
        weight=6,
        subjects=(
            "Kiedy wysyłka zamówienia {order}?",
            "Zamówienie wciąż „w realizacji”",
            "Długi czas realizacji",
        ),
        openings=_texts("""
            Zamówienie {order} złożył{em} {date} i nadal ma status „w realizacji”. Na stronie
            była wysyłka w 24 godziny. Kiedy paczka zostanie nadana?

            Czekam już tydzień na {product}. Czy produkt w ogóle jest na stanie? Zamówienie
            {order}.
        """),
        replies=_texts("""
            Zamówienie {order} zostało dziś spakowane i przekazane przewoźnikowi. Numer przesyłki
            otrzymają Państwo e-mailem. Przepraszamy za opóźnienie – mieliśmy zwiększoną liczbę
            zamówień.

            {product} dotrze do naszego magazynu od dostawcy w tym tygodniu; wyślemy go tego
            samego dnia. Jeśli wolą Państwo nie czekać, możemy anulować zamówienie i zwrócić
            {amount}.
        """),
        notes=_texts("""
            Stan magazynowy 0, dostawa od dystrybutora w czwartek.

            Zamówienie utknęło na statusie „do spakowania” – błąd synchronizacji, poprawione.
        """),
    ),
    Scenario(
        key="invoice_nip",
        category=CATEGORY_PAYMENTS,
        team=TEAM_ORDERS,
        tags=("faktura",),
        weight=7,
        priorities=(30, 65, 5, 0),
        is_for_business=True,
        subjects=(
            "Faktura VAT na firmę",
            "Prośba o fakturę z NIP",
            "Faktura do zamówienia {order}",
        ),
        openings=_texts("""
            Proszę o wystawienie faktury VAT do zamówienia {order} na firmę {company},
            NIP {nip}. Przy zamówieniu zapomniał{em} zaznaczyć opcję faktury.

            Potrzebuję faktury na firmę do zamówienia {order}: {company}, NIP {nip}. Proszę
            o przesłanie jej na ten adres e-mail.
        """),
        questions=_texts("""
            Prosimy o podanie pełnego adresu siedziby firmy – na fakturze musi się zgadzać
            z danymi w rejestrze.
        """),
        answers=_texts("""
            Adres firmy: {street}, {city}.
        """),
        replies=_texts("""
            Faktura VAT do zamówienia {order} na {company} (NIP {nip}) została wystawiona
            i wysłana na ten adres e-mail. Jest też dostępna w panelu klienta.

            W załączeniu faktura VAT do zamówienia {order}. Ponieważ paragon był już wystawiony,
            faktura zawiera jego numer zgodnie z przepisami.
        """),
        notes=_texts("""
            NIP sprawdzony w białej liście VAT – podatnik czynny.
        """),
    ),
    Scenario(
        key="invoice_correction",
        category=CATEGORY_PAYMENTS,
        team=TEAM_ORDERS,
        tags=("faktura", "korekta"),
        weight=3,
        priorities=(25, 70, 5, 0),
        is_for_business=True,
        subjects=(
            "Błąd na fakturze",
            "Korekta faktury do zamówienia {order}",
            "Zły NIP na fakturze",
        ),
        openings=_texts("""
            Na fakturze do zamówienia {order} jest błędny NIP. Prawidłowy to {nip} ({company}).
            Proszę o fakturę korygującą.

            Faktura do zamówienia {order} została wystawiona na osobę prywatną zamiast na firmę
            {company}, NIP {nip}. Proszę o korektę.
        """),
        replies=_texts("""
            Wystawiliśmy fakturę korygującą do zamówienia {order} z prawidłowymi danymi {company},
            NIP {nip}. Dokument jest w załączniku i w panelu klienta.
        """),
        notes=_texts("""
            Korekta wystawiona w systemie księgowym, przekazane do działu księgowości do wiadomości.
        """),
    ),
    Scenario(
        key="blik_failed",
        category=CATEGORY_PAYMENTS,
        team=TEAM_ORDERS,
        tags=("blik", "platnosc"),
        weight=6,
        priorities=(0, 55, 38, 7),
        subjects=(
            "Płatność BLIK nie przeszła",
            "Pieniądze pobrane, zamówienie nieopłacone",
            "Problem z płatnością BLIK – {order}",
        ),
        openings=_texts("""
            Płacił{em} BLIK-iem za zamówienie {order}. W aplikacji banku płatność jest
            zatwierdzona i {amount} zniknęło z konta, a w sklepie zamówienie ma status
            „oczekuje na płatność”.

            Kod BLIK został przyjęty, ale strona wyświetliła błąd płatności. Czy mam zapłacić
            jeszcze raz? Nie chcę płacić dwa razy za {product}.
        """),
        questions=_texts("""
            Prosimy o przesłanie potwierdzenia transakcji z aplikacji banku (data, godzina,
            kwota) – sprawdzimy ją u operatora płatności.
        """),
        answers=_texts("""
            Przesyłam zrzut ekranu z aplikacji banku – płatność {amount}, {date}.
        """),
        replies=_texts("""
            Operator płatności potwierdził wpłatę. Zamówienie {order} zostało oznaczone jako
            opłacone i przekazane do realizacji – nie trzeba płacić ponownie.

            Płatność nie została ostatecznie zaksięgowana, a bank zwolnił blokadę środków –
            pieniądze wrócą na konto w ciągu 1–2 dni. Zamówienie {order} można opłacić ponownie
            z poziomu panelu klienta.
        """),
        notes=_texts("""
            W panelu Przelewy24 transakcja ma status „zaakceptowana”, webhook do sklepu nie
            doszedł. Oznaczone ręcznie jako opłacone.
        """),
        holds=_texts("""
            Zgłosiliśmy transakcję do operatora płatności. Wyjaśnienie trwa zwykle do 2 dni
            roboczych – prosimy w tym czasie nie płacić ponownie.
        """),
        hold_notes=_texts("""
            Reklamacja transakcji wysłana do Przelewy24, czekamy na odpowiedź operatora.
        """),
    ),
    Scenario(
        key="double_charge",
        category=CATEGORY_PAYMENTS,
        team=TEAM_ORDERS,
        tags=("platnosc",),
        weight=3,
        priorities=(0, 40, 50, 10),
        subjects=(
            "Podwójne obciążenie karty",
            "Zapłacił{em} dwa razy",
            "Dwie płatności za {order}",
        ),
        openings=_texts("""
            Za zamówienie {order} został{em} obciążon{y} dwukrotnie kwotą {amount}. Proszę
            o pilny zwrot jednej płatności.

            Na wyciągu widzę dwie płatności kartą po {amount} za to samo zamówienie {order}.
            Proszę o wyjaśnienie.
        """),
        replies=_texts("""
            Potwierdzamy zdublowaną płatność. Drugą transakcję ({amount}) zwróciliśmy na kartę;
            w zależności od banku środki wrócą w ciągu 3–5 dni roboczych.

            Druga płatność była tylko blokadą autoryzacyjną i bank zwolni ją automatycznie w ciągu
            kilku dni. Obciążenie za zamówienie {order} jest jedno.
        """),
        notes=_texts("""
            Dwie transakcje w panelu operatora, druga zwrócona przeze mnie.
        """),
        holds=_texts("""
            Poprosiliśmy operatora płatności o wyjaśnienie drugiej transakcji. Wrócimy z odpowiedzią
            najpóźniej w ciągu 2 dni roboczych.
        """),
        hold_notes=_texts("""
            Zapytanie do operatora kart wysłane – czy druga transakcja to obciążenie, czy tylko
            blokada.
        """),
    ),
    Scenario(
        key="bank_transfer",
        category=CATEGORY_PAYMENTS,
        team=TEAM_ORDERS,
        tags=("platnosc", "przelew"),
        weight=3,
        subjects=("Przelew nie zaksięgowany", "Zapłacił{em} przelewem – brak potwierdzenia"),
        openings=_texts("""
            Zapłacił{em} tradycyjnym przelewem za zamówienie {order} trzy dni temu, a status
            nadal „oczekuje na płatność”. Pieniądze zeszły z konta.
        """),
        questions=_texts("""
            Prosimy o potwierdzenie przelewu w PDF – sprawdzimy, czy w tytule był numer
            zamówienia.
        """),
        answers=_texts("""
            Potwierdzenie w załączeniu. W tytule wpisał{em} chyba tylko swoje nazwisko.
        """),
        replies=_texts("""
            Znaleźliśmy wpłatę {amount} bez numeru zamówienia w tytule i przypisaliśmy ją do
            zamówienia {order}. Zamówienie jest już w realizacji.
        """),
    ),
    Scenario(
        key="promo_code",
        category=CATEGORY_ORDERS,
        team=TEAM_ORDERS,
        tags=("kod-rabatowy",),
        weight=5,
        priorities=(20, 75, 5, 0),
        subjects=(
            "Kod rabatowy nie działa",
            "Kod {code} nie działa",
            "Nie naliczył się rabat",
        ),
        openings=_texts("""
            Próbuję użyć kodu {code} z newslettera, ale w koszyku pojawia się komunikat „kod jest
            nieprawidłowy”. Kod jest ważny do końca miesiąca.

            Złożył{em} zamówienie {order} z kodem {code}, ale rabat się nie naliczył. Proszę
            o zwrot różnicy.
        """),
        replies=_texts("""
            Kod {code} nie obejmuje produktów z kategorii „Promocje”, dlatego nie zadziałał
            w koszyku. Przygotowaliśmy dla Państwa jednorazowy kod na 10% na pozostałe produkty.

            Rabat z kodu {code} powinien był się naliczyć. Różnicę zwróciliśmy na konto użyte
            do płatności – przepraszamy za błąd.
        """),
        notes=_texts("""
            Błąd w konfiguracji kodu – limit użyć ustawiony na 1000 zamiast 10000. Zgłoszone do
            marketingu.
        """),
    ),
    Scenario(
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
        openings=_texts("""
            Od wczoraj nie mogę zalogować się do konta w sklepie. Hasło na pewno jest dobre,
            a link do resetu hasła nie przychodzi, sprawdzał{em} też spam.

            Po kilku próbach logowania moje konto zostało zablokowane. Jak je odblokować?

            Próbuję zalogować się przez Google i pojawia się błąd „konto już istnieje”.
        """),
        questions=_texts("""
            Prosimy o podanie adresu e-mail, na który założone jest konto – czasem klienci mają
            konto założone na inny adres niż ten, z którego piszą.
        """),
        answers=_texts("""
            Konto jest założone na ten sam adres, z którego piszę.

            Możliwe, że na stary adres – ale nie pamiętam już którego.
        """),
        replies=_texts("""
            Odblokowaliśmy konto i wysłaliśmy ponownie link do ustawienia hasła. Link jest ważny
            przez 24 godziny.

            Połączyliśmy logowanie przez Google z istniejącym kontem – teraz można się logować
            obiema metodami.
        """),
        notes=_texts("""
            Maile z resetem odrzucane przez serwer odbiorcy (bounce), adres na liście blokad –
            zdjęty.
        """),
    ),
    Scenario(
        key="account_delete",
        category=CATEGORY_ACCOUNT,
        team=TEAM_ORDERS,
        tags=("konto", "rodo"),
        weight=2,
        has_order=False,
        priorities=(30, 68, 2, 0),
        subjects=("Usunięcie konta", "Prośba o usunięcie danych (RODO)"),
        openings=_texts("""
            Proszę o usunięcie mojego konta oraz wszystkich moich danych osobowych zgodnie
            z RODO.

            Chciał{bym} usunąć konto w sklepie i wypisać się ze wszystkich zgód marketingowych.
        """),
        replies=_texts("""
            Konto zostało usunięte, a dane osobowe zanonimizowane. Dane z faktur musimy
            przechowywać przez okres wymagany przepisami podatkowymi.
        """),
        notes=_texts("""
            Tożsamość potwierdzona (mail z adresu konta), wniosek RODO wpisany do rejestru.
        """),
    ),
    Scenario(
        key="newsletter",
        category=CATEGORY_ACCOUNT,
        team=TEAM_ORDERS,
        tags=("newsletter",),
        weight=2,
        has_order=False,
        priorities=(70, 30, 0, 0),
        subjects=("Wypisanie z newslettera", "Za dużo maili reklamowych"),
        openings=_texts("""
            Kliknął{em} „wypisz się”, a nadal codziennie dostaję maile z promocjami. Proszę
            o usunięcie mnie z listy.
        """),
        replies=_texts("""
            Wypisaliśmy Państwa adres ze wszystkich list mailingowych. Może jeszcze przyjść
            jedna wiadomość, która była już zaplanowana do wysyłki.
        """),
    ),
    Scenario(
        key="product_question",
        category=CATEGORY_ORDERS,
        team=TEAM_ORDERS,
        tags=("pytanie-o-produkt",),
        weight=5,
        has_order=False,
        priorities=(45, 55, 0, 0),
        subjects=(
            "Pytanie o produkt",
            "{product} – pytanie przed zakupem",
            "Czy {product} będzie dostępny?",
        ),
        openings=_texts("""
            Czy {product} ma polską instrukcję i gwarancję producenta? Zastanawiam się nad
            zakupem.

            Kiedy {product} będzie znowu dostępny? Chętnie kupię, jeśli dostawa będzie przed
            weekendem.

            Czy {product} jest kompatybilny z zasilaniem 230 V i czy w zestawie jest polska
            wtyczka?
        """),
        replies=_texts("""
            Tak, {product} ma polską instrukcję i 24 miesiące gwarancji producenta, realizowanej
            przez autoryzowany serwis w Polsce.

            {product} wróci na stan w przyszłym tygodniu. Na stronie produktu można zostawić adres
            e-mail – wyślemy powiadomienie, gdy tylko będzie dostępny.
        """),
    ),
    Scenario(
        key="installments",
        category=CATEGORY_PAYMENTS,
        team=TEAM_ORDERS,
        tags=("raty",),
        weight=2,
        has_order=False,
        products=("electronics", "phone", "kitchen"),
        subjects=("Zakup na raty", "Raty 0% na {product}?"),
        openings=_texts("""
            Czy {product} można kupić na raty 0%? W koszyku nie widzę takiej opcji.
        """),
        replies=_texts("""
            Raty 0% są dostępne dla zamówień od 500 zł – opcja pojawia się na etapie wyboru
            płatności. Wniosek rozpatrywany jest online w kilka minut.
        """),
    ),
    Scenario(
        key="b2b_order",
        category=CATEGORY_ORDERS,
        team=TEAM_ORDERS,
        tags=("b2b",),
        weight=3,
        is_for_business=True,
        has_order=False,
        priorities=(5, 60, 33, 2),
        subjects=("Zamówienie hurtowe", "Zapytanie ofertowe – {product}", "Oferta dla firmy"),
        openings=_texts("""
            Jesteśmy zainteresowani zakupem 12 sztuk – {product} – dla naszego biura. Czy mogą
            Państwo przygotować ofertę z fakturą z odroczonym terminem płatności? {company},
            NIP {nip}.

            Prosimy o wycenę 20 sztuk z dostawą do siedziby firmy w {city}. Produkt: {product}.
        """),
        questions=_texts("""
            Prosimy o informację, na kiedy potrzebują Państwo dostawy i czy zamówienie będzie
            realizowane jednorazowo.
        """),
        answers=_texts("""
            Dostawa najlepiej w ciągu dwóch tygodni, jednorazowo.
        """),
        replies=_texts("""
            W załączeniu oferta z rabatem 8% i terminem płatności 14 dni. Oferta jest ważna
            7 dni – po akceptacji przygotujemy fakturę proforma.
        """),
        notes=_texts("""
            Uzgodnione z kierownikiem sprzedaży: maks. rabat 8%, termin 14 dni po weryfikacji
            w BIG.
        """),
    ),
    Scenario(
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
        openings=_texts("""
            Chciał{bym} zwrócić {product} z zamówienia {order} – nie spełnia moich oczekiwań.
            Produkt jest nieużywany, w oryginalnym opakowaniu. Jak mam go odesłać?

            Odstępuję od umowy (zamówienie {order}: {product}, odebrane {date}). Proszę
            o informację, gdzie odesłać towar i kiedy otrzymam zwrot pieniędzy.

            {product} jednak nie spełnia moich oczekiwań. Czy mogę go oddać? Minęło 10 dni od
            odbioru.
        """),
        questions=_texts("""
            Prosimy o podanie numeru konta do zwrotu, jeśli płatność była za pobraniem.
        """),
        answers=_texts("""
            Numer konta: 12 1140 2004 0000 3102 7654 3210.
        """),
        replies=_texts("""
            Przyjęliśmy zgłoszenie zwrotu. W panelu klienta jest etykieta zwrotna InPost – wystarczy
            nadać paczkę w dowolnym paczkomacie. Pieniądze zwrócimy w ciągu 14 dni od otrzymania
            przesyłki, zwykle znacznie szybciej.

            Zwrot dotarł do naszego magazynu i został przyjęty. Kwotę {amount} przelaliśmy na
            konto użyte do płatności.
        """),
        notes=_texts("""
            Zwrot przyjęty na magazyn, produkt kompletny, bez śladów użytkowania.

            Klient mieści się w 14 dniach, etykieta wygenerowana.
        """),
    ),
    Scenario(
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
        openings=_texts("""
            Dwa tygodnie temu odesłał{em} {product} (zamówienie {order}). Paczka została
            odebrana przez sklep {date}, a pieniędzy nadal nie ma na koncie.

            Kiedy otrzymam zwrot {amount} za zwrócony towar? Minęło już ponad 14 dni.
        """),
        replies=_texts("""
            Zwrot {amount} został zlecony dziś. Przepraszamy za opóźnienie – paczka zwrotna
            czekała na weryfikację dłużej niż zwykle. Środki powinny być na koncie w ciągu
            1–2 dni roboczych.

            Zwrot został wykonany {date} na konto, z którego była płatność. Potwierdzenie
            przelewu przesyłamy w załączeniu.
        """),
        notes=_texts("""
            Paczka zwrotna leżała w strefie przyjęć bez skanu, odnaleziona. Zwrot zlecony
            ręcznie.
        """),
        holds=_texts("""
            Sprawdzamy z działem księgowości, na jakim etapie jest zwrot. Wrócimy z odpowiedzią
            najpóźniej jutro.
        """),
    ),
    Scenario(
        key="return_label",
        category=CATEGORY_RETURNS,
        team=TEAM_COMPLAINTS,
        tags=("zwrot", "inpost"),
        weight=4,
        priorities=(15, 80, 5, 0),
        subjects=("Etykieta zwrotna", "Jak odesłać paczkę przez paczkomat?"),
        openings=_texts("""
            Nie mogę znaleźć etykiety zwrotnej w panelu klienta. Chcę odesłać {product}
            z zamówienia {order} przez paczkomat.

            Czy zwrot może być nadany w paczkomacie bez drukowania etykiety?
        """),
        replies=_texts("""
            Wysłaliśmy kod zwrotu InPost SMS-em – wystarczy wpisać go na ekranie paczkomatu,
            bez drukowania etykiety. Zwrot przez paczkomat jest bezpłatny.
        """),
    ),
    Scenario(
        key="kettle_broken",
        category=CATEGORY_COMPLAINTS,
        team=TEAM_COMPLAINTS,
        tags=("reklamacja",),
        weight=6,
        products=("kettle",),
        priorities=(0, 62, 30, 8),
        subjects=(
            "Reklamacja – czajnik przestał działać",
            "Czajnik przecieka",
            "Zepsuty czajnik",
            "Reklamacja – {product}",
        ),
        openings=_texts("""
            Kupił{em} u Państwa {product} (zamówienie {order}). Po trzech tygodniach czajnik
            przestał się włączać – dioda się nie zapala. Proszę o rozpatrzenie reklamacji.

            {product} przecieka od spodu, na blacie po każdym gotowaniu jest kałuża. Czajnik ma
            miesiąc. Chcę go zareklamować.

            Mój {product} wyłącza się, zanim woda się zagotuje, a dziś przy włączaniu poszła
            iskra i wybiło korki. Boję się go używać.
        """),
        questions=_texts("""
            Prosimy o krótki opis usterki, zdjęcie tabliczki znamionowej (spód czajnika) i numer
            zamówienia, jeśli jest inny niż podany.
        """),
        answers=_texts("""
            Zdjęcie spodu czajnika w załączniku. Usterka jak opisał{em} – nie włącza się wcale.
        """),
        replies=_texts("""
            Reklamacja {rma} została uznana. Wysyłamy nowy czajnik, a kurier odbierze wadliwy
            egzemplarz przy doręczeniu.

            Reklamacja {rma} została uznana – zwróciliśmy {amount} na konto użyte do płatności.
            Prosimy nie używać uszkodzonego czajnika; można go oddać w dowolnym punkcie zbiórki
            elektrośmieci.
        """),
        notes=_texts("""
            Sprawdził{a_em} w systemie magazynowym – z tej partii mamy już 4 reklamacje na
            przeciekanie. Zgłoszone do dostawcy.

            Iskrzenie = ryzyko pożaru, wymiana bez czekania na serwis (zgoda kierowniczki).
        """),
        holds=_texts("""
            Przekazaliśmy czajnik do oceny serwisu producenta. Zgodnie z prawem mamy 14 dni na
            odpowiedź na reklamację – damy znać, gdy tylko serwis przekaże diagnozę.
        """),
        hold_notes=_texts("""
            Czajnik wysłany do serwisu producenta, numer zlecenia serwisowego w systemie.
        """),
    ),
    Scenario(
        key="device_fault",
        category=CATEGORY_COMPLAINTS,
        team=TEAM_COMPLAINTS,
        tags=("reklamacja",),
        weight=6,
        products=("audio", "phone", "electronics"),
        priorities=(0, 70, 26, 4),
        subjects=(
            "Reklamacja – {product}",
            "{product} nie działa",
            "Wadliwy produkt z zamówienia {order}",
        ),
        openings=_texts("""
            {product} po tygodniu przestał się ładować. Próbował{em} innego kabla i ładowarki
            – bez zmian. Proszę o naprawę lub wymianę.

            {product} nie łączy się z telefonem przez Bluetooth, choć wcześniej działał bez
            problemu. Reset do ustawień fabrycznych nic nie dał.

            {product}: ekran miga i gaśnie po kilku minutach. Zamówienie {order}.
        """),
        questions=_texts("""
            Czy mogą Państwo sprawdzić, czy urządzenie ma najnowsze oprogramowanie? Jeśli problem
            nie zniknie, prosimy o krótki film pokazujący usterkę.
        """),
        answers=_texts("""
            Aktualizacja nic nie zmieniła, film w załączniku.

            Oprogramowanie jest najnowsze. Przesyłam nagranie.
        """),
        replies=_texts("""
            Reklamacja {rma} została uznana. Wymieniamy {product} na nowy egzemplarz – kurier
            przywiezie nowe urządzenie i zabierze wadliwe.

            Serwis naprawił usterkę (wymiana modułu zasilania). {product} wraca do Państwa
            kurierem, numer przesyłki otrzymają Państwo SMS-em.
        """),
        notes=_texts("""
            Znana usterka tej serii, producent zaleca wymianę zamiast naprawy.
        """),
        holds=_texts("""
            Urządzenie trafiło do serwisu producenta. Czas naprawy to zwykle 7–14 dni roboczych.
            Poinformujemy o wyniku.
        """),
        hold_notes=_texts("""
            Przekazane do serwisu, zlecenie {rma}. Serwis potwierdził przyjęcie.
        """),
    ),
    Scenario(
        key="warranty",
        category=CATEGORY_COMPLAINTS,
        team=TEAM_COMPLAINTS,
        tags=("gwarancja", "reklamacja"),
        weight=4,
        products=("kitchen", "home", "electronics", "audio"),
        subjects=("Naprawa gwarancyjna", "Gwarancja – {product}", "Zgłoszenie gwarancyjne"),
        openings=_texts("""
            {product} kupiony u Państwa rok temu przestał działać. Czy naprawę gwarancyjną
            zgłaszam przez sklep, czy bezpośrednio do producenta?

            Chciał{bym} skorzystać z gwarancji na {product}. Urządzenie głośno pracuje i czuć
            zapach spalenizny. Zamówienie {order}.
        """),
        replies=_texts("""
            Gwarancję można zgłosić bezpośrednio w serwisie producenta, ale chętnie zrobimy to
            za Państwa – kurier odbierze urządzenie w najbliższy dzień roboczy. Numer zgłoszenia
            to {rma}.

            Serwis producenta zakończył naprawę gwarancyjną. Urządzenie zostało wysłane na adres
            z zamówienia.
        """),
        holds=_texts("""
            Urządzenie jest w serwisie gwarancyjnym producenta. Naprawa trwa zwykle do 21 dni,
            poinformujemy o jej zakończeniu.
        """),
        hold_notes=_texts("""
            Serwis producenta: szacowany czas naprawy 2–3 tygodnie, brak części.
        """),
    ),
    Scenario(
        key="complaint_status",
        category=CATEGORY_COMPLAINTS,
        team=TEAM_COMPLAINTS,
        tags=("reklamacja",),
        weight=4,
        priorities=(0, 60, 35, 5),
        subjects=(
            "Status reklamacji {rma}",
            "Co z moją reklamacją?",
            "Brak odpowiedzi na reklamację",
        ),
        openings=_texts("""
            Dwa tygodnie temu złożył{em} reklamację {rma} ({product}) i do dziś nie dostał{em}
            odpowiedzi. Przypominam, że sklep ma 14 dni na ustosunkowanie się.

            Jaki jest status reklamacji {rma}? Produkt odesłał{em} {date}.
        """),
        replies=_texts("""
            Reklamacja {rma} została rozpatrzona pozytywnie. Nowy {product} został dziś wysłany.

            Reklamacja {rma} została uznana – zwrot {amount} został zlecony na konto użyte do
            płatności.
        """),
        notes=_texts("""
            Termin na odpowiedź mija pojutrze – pilne, żeby nie uznać reklamacji z mocy prawa
            bez decyzji.
        """),
    ),
    Scenario(
        key="wrong_product",
        category=CATEGORY_COMPLAINTS,
        team=TEAM_COMPLAINTS,
        tags=("pomylka", "reklamacja"),
        weight=3,
        priorities=(0, 70, 28, 2),
        subjects=(
            "Otrzymał{em} inny produkt",
            "Pomyłka w zamówieniu {order}",
            "To nie mój produkt",
        ),
        openings=_texts("""
            Zamawiał{em} {product}, a w paczce był zupełnie inny produkt. Zamówienie {order}.

            W paczce z zamówieniem {order} jest produkt w innym kolorze niż zamówiony. Proszę
            o wymianę.
        """),
        replies=_texts("""
            Przepraszamy za pomyłkę. Właściwy {product} wysłaliśmy dziś, a kurier odbierze
            błędnie wysłany produkt – prosimy przygotować go w dowolnym kartonie.
        """),
        notes=_texts("""
            Pomyłka przy kompletacji – sąsiednie lokalizacje na regale, zgłoszone kierownikowi
            magazynu.
        """),
    ),
    Scenario(
        key="exchange",
        category=CATEGORY_RETURNS,
        team=TEAM_COMPLAINTS,
        tags=("wymiana", "zwrot"),
        weight=3,
        products=("home",),
        subjects=("Wymiana na inny rozmiar", "Wymiana produktu", "Czy mogę wymienić {product}?"),
        openings=_texts("""
            Czy mogę wymienić {product} na inny rozmiar? Zamówienie {order}, produkt nieużywany.

            Chciał{bym} wymienić {product} na ten sam model w innym kolorze.
        """),
        replies=_texts("""
            Wymiana jest możliwa. Prosimy odesłać produkt etykietą zwrotną z panelu klienta,
            a w tym czasie zarezerwujemy wybrany wariant – wyślemy go od razu po przyjęciu
            zwrotu.
        """),
    ),
)

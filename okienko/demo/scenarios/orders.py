"""Scenarios of the Zamówienia category: changing, cancelling and asking about orders."""

from okienko.demo.scenarios import Scenario, paragraphs
from okienko.demo.shop import CATEGORY_ORDERS, TEAM_ORDERS

CHANGE_ADDRESS = Scenario(
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
    openings=paragraphs("""
        W zamówieniu {order} podał{em} zły adres. Prawidłowy to {street}, {city}. Czy da się
        to jeszcze zmienić przed wysyłką?

        Chciał{bym} zmienić adres dostawy zamówienia {order} na {street}, {city} – w tym
        tygodniu nie będzie mnie w domu.
    """),
    replies=paragraphs("""
        Zmieniliśmy adres dostawy w zamówieniu {order} na {street}, {city}. Paczka jeszcze
        nie opuściła magazynu, więc zmiana obejmie tę wysyłkę.

        Niestety paczka została już przekazana kurierowi. Poprosiliśmy przewoźnika
        o przekierowanie na nowy adres; jeśli się nie uda, kurier zadzwoni przed doręczeniem.
    """),
    notes=paragraphs("""
        Adres poprawiony w systemie magazynowym przed spakowaniem.

        Zamówienie już na rampie – zmiana adresu tylko przez przewoźnika.
    """),
)

CANCEL_ORDER = Scenario(
    key="cancel_order",
    category=CATEGORY_ORDERS,
    team=TEAM_ORDERS,
    tags=("anulowanie",),
    weight=4,
    subjects=("Anulowanie zamówienia {order}", "Rezygnacja z zamówienia", "Proszę anulować"),
    openings=paragraphs("""
        Proszę o anulowanie zamówienia {order}. Zamówił{em} {product} przez pomyłkę dwa razy.

        Rezygnuję z zamówienia {order} – znalazł{em} ten sam produkt taniej lokalnie.
        Płatność już poszła, proszę o zwrot {amount}.
    """),
    replies=paragraphs("""
        Anulowaliśmy zamówienie {order}. Zwrot {amount} został zlecony na konto użyte do
        płatności i powinien dotrzeć w ciągu 3 dni roboczych.

        Zamówienie zostało już wysłane, więc nie możemy go anulować. Można jednak odstąpić od
        umowy w ciągu 14 dni od odbioru – wystarczy nie odbierać paczki albo odesłać ją
        bezpłatnie etykietą zwrotną z panelu klienta.
    """),
    notes=paragraphs("""
        Zamówienie wstrzymane w magazynie, płatność do zwrotu w panelu Przelewy24.
    """),
)

MISSING_ITEM = Scenario(
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
    openings=paragraphs("""
        Dostał{em} paczkę z zamówieniem {order}, ale brakuje w niej produktu: {product}.
        Na fakturze produkt jest, w paczce nie ma.

        Zamówienie {order} przyszło niekompletne – jest tylko jeden produkt z dwóch.
        Brakuje: {product}.
    """),
    questions=paragraphs("""
        Prosimy o przesłanie zdjęcia zawartości paczki i etykiety przewozowej – sprawdzimy
        wagę paczki w magazynie.
    """),
    answers=paragraphs("""
        Przesyłam zdjęcia zawartości paczki i etykiety.
    """),
    replies=paragraphs("""
        Przepraszamy za pomyłkę magazynu. Brakujący {product} wysłaliśmy dziś osobną paczką,
        numer przesyłki przyjdzie SMS-em.

        Magazyn potwierdził brak. Brakujący produkt był niedostępny, więc zwróciliśmy {amount}
        na konto użyte do płatności.
    """),
    notes=paragraphs("""
        Sprawdził{a_em} w systemie magazynowym – waga paczki przy nadaniu 1,2 kg, powinno być
        ok. 2,5 kg. Brak potwierdzony.
    """),
)

NOT_SHIPPED = Scenario(
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
    openings=paragraphs("""
        Zamówienie {order} złożył{em} {date} i nadal ma status „w realizacji”. Na stronie
        była wysyłka w 24 godziny. Kiedy paczka zostanie nadana?

        Czekam już tydzień na {product}. Czy produkt w ogóle jest na stanie? Zamówienie
        {order}.
    """),
    replies=paragraphs("""
        Zamówienie {order} zostało dziś spakowane i przekazane przewoźnikowi. Numer przesyłki
        otrzymają Państwo e-mailem. Przepraszamy za opóźnienie – mieliśmy zwiększoną liczbę
        zamówień.

        {product} dotrze do naszego magazynu od dostawcy w tym tygodniu; wyślemy go tego
        samego dnia. Jeśli wolą Państwo nie czekać, możemy anulować zamówienie i zwrócić
        {amount}.
    """),
    notes=paragraphs("""
        Stan magazynowy 0, dostawa od dystrybutora w czwartek.

        Zamówienie utknęło na statusie „do spakowania” – błąd synchronizacji, poprawione.
    """),
)

PROMO_CODE = Scenario(
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
    openings=paragraphs("""
        Próbuję użyć kodu {code} z newslettera, ale w koszyku pojawia się komunikat „kod jest
        nieprawidłowy”. Kod jest ważny do końca miesiąca.

        Złożył{em} zamówienie {order} z kodem {code}, ale rabat się nie naliczył. Proszę
        o zwrot różnicy.
    """),
    replies=paragraphs("""
        Kod {code} nie obejmuje produktów z kategorii „Promocje”, dlatego nie zadziałał
        w koszyku. Przygotowaliśmy dla Państwa jednorazowy kod na 10% na pozostałe produkty.

        Rabat z kodu {code} powinien był się naliczyć. Różnicę zwróciliśmy na konto użyte
        do płatności – przepraszamy za błąd.
    """),
    notes=paragraphs("""
        Błąd w konfiguracji kodu – limit użyć ustawiony na 1000 zamiast 10000. Zgłoszone do
        marketingu.
    """),
)

PRODUCT_QUESTION = Scenario(
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
    openings=paragraphs("""
        Czy {product} ma polską instrukcję i gwarancję producenta? Zastanawiam się nad
        zakupem.

        Kiedy {product} będzie znowu dostępny? Chętnie kupię, jeśli dostawa będzie przed
        weekendem.

        Czy {product} jest kompatybilny z zasilaniem 230 V i czy w zestawie jest polska
        wtyczka?
    """),
    replies=paragraphs("""
        Tak, {product} ma polską instrukcję i 24 miesiące gwarancji producenta, realizowanej
        przez autoryzowany serwis w Polsce.

        {product} wróci na stan w przyszłym tygodniu. Na stronie produktu można zostawić adres
        e-mail – wyślemy powiadomienie, gdy tylko będzie dostępny.
    """),
)

B2B_ORDER = Scenario(
    key="b2b_order",
    category=CATEGORY_ORDERS,
    team=TEAM_ORDERS,
    tags=("b2b",),
    weight=3,
    is_for_business=True,
    has_order=False,
    priorities=(5, 60, 33, 2),
    subjects=("Zamówienie hurtowe", "Zapytanie ofertowe – {product}", "Oferta dla firmy"),
    openings=paragraphs("""
        Jesteśmy zainteresowani zakupem 12 sztuk – {product} – dla naszego biura. Czy mogą
        Państwo przygotować ofertę z fakturą z odroczonym terminem płatności? {company},
        NIP {nip}.

        Prosimy o wycenę 20 sztuk z dostawą do siedziby firmy w {city}. Produkt: {product}.
    """),
    questions=paragraphs("""
        Prosimy o informację, na kiedy potrzebują Państwo dostawy i czy zamówienie będzie
        realizowane jednorazowo.
    """),
    answers=paragraphs("""
        Dostawa najlepiej w ciągu dwóch tygodni, jednorazowo.
    """),
    replies=paragraphs("""
        W załączeniu oferta z rabatem 8% i terminem płatności 14 dni. Oferta jest ważna
        7 dni – po akceptacji przygotujemy fakturę proforma.
    """),
    notes=paragraphs("""
        Uzgodnione z kierownikiem sprzedaży: maks. rabat 8%, termin 14 dni po weryfikacji
        w BIG.
    """),
)

"""Scenarios of the Reklamacje category: damaged or faulty goods and warranty claims."""

from okienko.demo.scenarios import Scenario, paragraphs
from okienko.demo.shop import CATEGORY_COMPLAINTS, TEAM_COMPLAINTS

DAMAGED_IN_TRANSPORT = Scenario(
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
    openings=paragraphs("""
        Paczka z zamówieniem {order} przyszła zgnieciona, a {product} ma pękniętą obudowę.
        Spisał{em} z kurierem protokół szkody. Co dalej?

        Po otwarciu paczki okazało się, że {product} jest uszkodzony – wgnieciony bok
        i porysowany front. Karton był cały mokry. Proszę o wymianę.
    """),
    questions=paragraphs("""
        Prosimy o przesłanie zdjęć uszkodzonego produktu i opakowania oraz, jeśli był
        spisany, protokołu szkody.
    """),
    answers=paragraphs("""
        W załączeniu zdjęcia produktu, kartonu i protokół podpisany przez kuriera.
    """),
    replies=paragraphs("""
        Uznajemy reklamację {rma}. Nowy {product} wyślemy jutro, a kurier przy doręczeniu
        odbierze uszkodzony egzemplarz – nie trzeba go pakować w oryginalny karton.

        Reklamacja {rma} została uznana. Zwróciliśmy {amount} na konto użyte do płatności;
        środki powinny być widoczne w ciągu 3 dni roboczych. Uszkodzonego produktu nie
        trzeba odsyłać.
    """),
    notes=paragraphs("""
        Zgłoszona szkoda transportowa u przewoźnika, protokół w załączniku maila od klienta.
    """),
)

KETTLE_BROKEN = Scenario(
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
    openings=paragraphs("""
        Kupił{em} u Państwa {product} (zamówienie {order}). Po trzech tygodniach czajnik
        przestał się włączać – dioda się nie zapala. Proszę o rozpatrzenie reklamacji.

        {product} przecieka od spodu, na blacie po każdym gotowaniu jest kałuża. Czajnik ma
        miesiąc. Chcę go zareklamować.

        Mój {product} wyłącza się, zanim woda się zagotuje, a dziś przy włączaniu poszła
        iskra i wybiło korki. Boję się go używać.
    """),
    questions=paragraphs("""
        Prosimy o krótki opis usterki, zdjęcie tabliczki znamionowej (spód czajnika) i numer
        zamówienia, jeśli jest inny niż podany.
    """),
    answers=paragraphs("""
        Zdjęcie spodu czajnika w załączniku. Usterka jak opisał{em} – nie włącza się wcale.
    """),
    replies=paragraphs("""
        Reklamacja {rma} została uznana. Wysyłamy nowy czajnik, a kurier odbierze wadliwy
        egzemplarz przy doręczeniu.

        Reklamacja {rma} została uznana – zwróciliśmy {amount} na konto użyte do płatności.
        Prosimy nie używać uszkodzonego czajnika; można go oddać w dowolnym punkcie zbiórki
        elektrośmieci.
    """),
    notes=paragraphs("""
        Sprawdził{a_em} w systemie magazynowym – z tej partii mamy już 4 reklamacje na
        przeciekanie. Zgłoszone do dostawcy.

        Iskrzenie = ryzyko pożaru, wymiana bez czekania na serwis (zgoda kierowniczki).
    """),
    holds=paragraphs("""
        Przekazaliśmy czajnik do oceny serwisu producenta. Zgodnie z prawem mamy 14 dni na
        odpowiedź na reklamację – damy znać, gdy tylko serwis przekaże diagnozę.
    """),
    hold_notes=paragraphs("""
        Czajnik wysłany do serwisu producenta, numer zlecenia serwisowego w systemie.
    """),
)

DEVICE_FAULT = Scenario(
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
    openings=paragraphs("""
        {product} po tygodniu przestał się ładować. Próbował{em} innego kabla i ładowarki
        – bez zmian. Proszę o naprawę lub wymianę.

        {product} nie łączy się z telefonem przez Bluetooth, choć wcześniej działał bez
        problemu. Reset do ustawień fabrycznych nic nie dał.

        {product}: ekran miga i gaśnie po kilku minutach. Zamówienie {order}.
    """),
    questions=paragraphs("""
        Czy mogą Państwo sprawdzić, czy urządzenie ma najnowsze oprogramowanie? Jeśli problem
        nie zniknie, prosimy o krótki film pokazujący usterkę.
    """),
    answers=paragraphs("""
        Aktualizacja nic nie zmieniła, film w załączniku.

        Oprogramowanie jest najnowsze. Przesyłam nagranie.
    """),
    replies=paragraphs("""
        Reklamacja {rma} została uznana. Wymieniamy {product} na nowy egzemplarz – kurier
        przywiezie nowe urządzenie i zabierze wadliwe.

        Serwis naprawił usterkę (wymiana modułu zasilania). {product} wraca do Państwa
        kurierem, numer przesyłki otrzymają Państwo SMS-em.
    """),
    notes=paragraphs("""
        Znana usterka tej serii, producent zaleca wymianę zamiast naprawy.
    """),
    holds=paragraphs("""
        Urządzenie trafiło do serwisu producenta. Czas naprawy to zwykle 7–14 dni roboczych.
        Poinformujemy o wyniku.
    """),
    hold_notes=paragraphs("""
        Przekazane do serwisu, zlecenie {rma}. Serwis potwierdził przyjęcie.
    """),
)

WARRANTY = Scenario(
    key="warranty",
    category=CATEGORY_COMPLAINTS,
    team=TEAM_COMPLAINTS,
    tags=("gwarancja", "reklamacja"),
    weight=4,
    products=("kitchen", "home", "electronics", "audio"),
    subjects=("Naprawa gwarancyjna", "Gwarancja – {product}", "Zgłoszenie gwarancyjne"),
    openings=paragraphs("""
        {product} kupiony u Państwa rok temu przestał działać. Czy naprawę gwarancyjną
        zgłaszam przez sklep, czy bezpośrednio do producenta?

        Chciał{bym} skorzystać z gwarancji na {product}. Urządzenie głośno pracuje i czuć
        zapach spalenizny. Zamówienie {order}.
    """),
    replies=paragraphs("""
        Gwarancję można zgłosić bezpośrednio w serwisie producenta, ale chętnie zrobimy to
        za Państwa – kurier odbierze urządzenie w najbliższy dzień roboczy. Numer zgłoszenia
        to {rma}.

        Serwis producenta zakończył naprawę gwarancyjną. Urządzenie zostało wysłane na adres
        z zamówienia.
    """),
    holds=paragraphs("""
        Urządzenie jest w serwisie gwarancyjnym producenta. Naprawa trwa zwykle do 21 dni,
        poinformujemy o jej zakończeniu.
    """),
    hold_notes=paragraphs("""
        Serwis producenta: szacowany czas naprawy 2–3 tygodnie, brak części.
    """),
)

COMPLAINT_STATUS = Scenario(
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
    openings=paragraphs("""
        Dwa tygodnie temu złożył{em} reklamację {rma} ({product}) i do dziś nie dostał{em}
        odpowiedzi. Przypominam, że sklep ma 14 dni na ustosunkowanie się.

        Jaki jest status reklamacji {rma}? Produkt odesłał{em} {date}.
    """),
    replies=paragraphs("""
        Reklamacja {rma} została rozpatrzona pozytywnie. Nowy {product} został dziś wysłany.

        Reklamacja {rma} została uznana – zwrot {amount} został zlecony na konto użyte do
        płatności.
    """),
    notes=paragraphs("""
        Termin na odpowiedź mija pojutrze – pilne, żeby nie uznać reklamacji z mocy prawa
        bez decyzji.
    """),
)

WRONG_PRODUCT = Scenario(
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
    openings=paragraphs("""
        Zamawiał{em} {product}, a w paczce był zupełnie inny produkt. Zamówienie {order}.

        W paczce z zamówieniem {order} jest produkt w innym kolorze niż zamówiony. Proszę
        o wymianę.
    """),
    replies=paragraphs("""
        Przepraszamy za pomyłkę. Właściwy {product} wysłaliśmy dziś, a kurier odbierze
        błędnie wysłany produkt – prosimy przygotować go w dowolnym kartonie.
    """),
    notes=paragraphs("""
        Pomyłka przy kompletacji – sąsiednie lokalizacje na regale, zgłoszone kierownikowi
        magazynu.
    """),
)

"""Scenarios of the Dostawa category: parcels that are late, lost or missed."""

from okienko.demo.scenarios import Scenario, paragraphs
from okienko.demo.shop import CATEGORY_DELIVERY, TEAM_ORDERS

WHERE_IS_PARCEL = Scenario(
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
    openings=paragraphs("""
        Zamówił{em} {date} {product} z dostawą do paczkomatu InPost {locker}. Od trzech dni
        status przesyłki się nie zmienia – ciągle „Przygotowana przez nadawcę”. Czy paczka
        w ogóle została nadana? Numer zamówienia: {order}.

        Moje zamówienie {order} miało być wczoraj w paczkomacie {locker}, ale nadal nie
        dostał{em} SMS-a z kodem odbioru. Co się dzieje z moją paczką?

        Proszę o informację, gdzie jest moja przesyłka {parcel}. Śledzenie na stronie InPost
        pokazuje, że paczka utknęła w sortowni. Zamówienie {order}, {product}.
    """),
    questions=paragraphs("""
        Aby sprawdzić przesyłkę u przewoźnika, prosimy o potwierdzenie numeru telefonu
        podanego w zamówieniu – na ten numer InPost wysyła kod odbioru.

        Czy mogą Państwo potwierdzić, że paczkomat {locker} jest właściwym punktem odbioru?
        W systemie InPost widzimy próbę doręczenia do innego paczkomatu.
    """),
    answers=paragraphs("""
        Tak, numer jest prawidłowy – ten sam, który podał{em} w zamówieniu.

        Potwierdzam, paczkomat {locker} jest dobry, zawsze tam odbieram paczki.
    """),
    replies=paragraphs("""
        Sprawdziliśmy przesyłkę {parcel} w systemie InPost: paczka była opóźniona w sortowni,
        ale dziś rano wyjechała do doręczenia. Powinna trafić do paczkomatu {locker} jeszcze
        dzisiaj, a SMS z kodem odbioru przyjdzie automatycznie.

        Przesyłka z zamówieniem {order} jest już w paczkomacie {locker}. Kod odbioru
        wysłaliśmy ponownie SMS-em i e-mailem. Paczka czeka na odbiór 48 godzin.

        Przewoźnik potwierdził zagubienie przesyłki w sortowni, dlatego wysłaliśmy {product}
        ponownie, bez dodatkowych kosztów. Nowy numer przesyłki przyjdzie SMS-em jeszcze dziś.
    """),
    notes=paragraphs("""
        Sprawdził{a_em} w panelu InPost – przesyłka {parcel} stoi w sortowni od 2 dni.
        Zgłosił{a_em} opóźnienie u przewoźnika.

        W systemie magazynowym zamówienie {order} spakowane i wydane kurierowi {date}.
    """),
    holds=paragraphs("""
        Wyjaśniamy sprawę z InPost. Przewoźnik ma do 3 dni roboczych na odpowiedź – wrócimy
        z informacją, gdy tylko ją dostaniemy.
    """),
    hold_notes=paragraphs("""
        Reklamacja przesyłki złożona w InPost, czekamy na odpowiedź przewoźnika.
    """),
)

LOCKER_CHANGED = Scenario(
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
    openings=paragraphs("""
        Dostał{em} SMS, że moja paczka z zamówienia {order} została przekierowana do
        paczkomatu tymczasowego, kilka kilometrów od domu. Czy da się ją przenieść z powrotem
        do {locker}?

        Wybrał{em} paczkomat {locker}, a paczka trafiła do zupełnie innego, w drugiej części
        miasta ({city}). Nie mam samochodu – co mogę zrobić?
    """),
    replies=paragraphs("""
        Paczkomat {locker} był przepełniony i InPost automatycznie skierował przesyłkę do
        najbliższego wolnego. Poprosiliśmy przewoźnika o przeniesienie paczki – powinna
        pojawić się w {locker} w ciągu 1–2 dni roboczych.

        Niestety nie możemy zmienić paczkomatu po przekierowaniu przez InPost. Jeśli paczka
        nie zostanie odebrana, wróci do nas, a my wyślemy ją ponownie na nasz koszt do
        wskazanego paczkomatu.
    """),
    notes=paragraphs("""
        Zlecone przekierowanie w panelu InPost Manager, numer zlecenia w historii przesyłki.
    """),
)

COURIER_MISSED = Scenario(
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
    openings=paragraphs("""
        Cały dzień czekał{em} na kuriera z zamówieniem {order} ({product}), a wieczorem
        dostał{em} informację, że „odbiorca nieobecny”. Nikt nie dzwonił ani nie pukał.
        Proszę o ponowne doręczenie.

        Kurier DPD miał dostarczyć {product} wczoraj. W śledzeniu jest „nieudana próba
        doręczenia”, a ja był{em} w domu. Kiedy mogę spodziewać się paczki?
    """),
    questions=paragraphs("""
        Prosimy o potwierdzenie adresu dostawy i numeru telefonu – przekażemy je kurierowi
        razem z prośbą o kontakt przed przyjazdem.
    """),
    answers=paragraphs("""
        Adres się zgadza: {street}, {city}. Numer telefonu ten sam co w zamówieniu.
    """),
    replies=paragraphs("""
        Złożyliśmy u przewoźnika reklamację nieudanego doręczenia i zleciliśmy ponowną dostawę
        na jutro. Kurier zadzwoni przed przyjazdem.

        Przesyłka została dziś ponownie wydana do doręczenia. Przepraszamy za kłopot –
        przewoźnik wyjaśnia zachowanie kuriera.
    """),
    notes=paragraphs("""
        Zgłoszone do opiekuna DPD: trzecia fałszywa „nieudana próba” w tym rejonie w tym
        miesiącu.
    """),
)

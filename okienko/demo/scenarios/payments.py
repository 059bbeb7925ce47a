"""Scenarios of the Płatności category: invoices, failed or double payments, instalments."""

from okienko.demo.scenarios import Scenario, paragraphs
from okienko.demo.shop import CATEGORY_PAYMENTS, TEAM_ORDERS

INVOICE_NIP = Scenario(
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
    openings=paragraphs("""
        Proszę o wystawienie faktury VAT do zamówienia {order} na firmę {company},
        NIP {nip}. Przy zamówieniu zapomniał{em} zaznaczyć opcję faktury.

        Potrzebuję faktury na firmę do zamówienia {order}: {company}, NIP {nip}. Proszę
        o przesłanie jej na ten adres e-mail.
    """),
    questions=paragraphs("""
        Prosimy o podanie pełnego adresu siedziby firmy – na fakturze musi się zgadzać
        z danymi w rejestrze.
    """),
    answers=paragraphs("""
        Adres firmy: {street}, {city}.
    """),
    replies=paragraphs("""
        Faktura VAT do zamówienia {order} na {company} (NIP {nip}) została wystawiona
        i wysłana na ten adres e-mail. Jest też dostępna w panelu klienta.

        W załączeniu faktura VAT do zamówienia {order}. Ponieważ paragon był już wystawiony,
        faktura zawiera jego numer zgodnie z przepisami.
    """),
    notes=paragraphs("""
        NIP sprawdzony w białej liście VAT – podatnik czynny.
    """),
)

INVOICE_CORRECTION = Scenario(
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
    openings=paragraphs("""
        Na fakturze do zamówienia {order} jest błędny NIP. Prawidłowy to {nip} ({company}).
        Proszę o fakturę korygującą.

        Faktura do zamówienia {order} została wystawiona na osobę prywatną zamiast na firmę
        {company}, NIP {nip}. Proszę o korektę.
    """),
    replies=paragraphs("""
        Wystawiliśmy fakturę korygującą do zamówienia {order} z prawidłowymi danymi {company},
        NIP {nip}. Dokument jest w załączniku i w panelu klienta.
    """),
    notes=paragraphs("""
        Korekta wystawiona w systemie księgowym, przekazane do działu księgowości do wiadomości.
    """),
)

BLIK_FAILED = Scenario(
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
    openings=paragraphs("""
        Płacił{em} BLIK-iem za zamówienie {order}. W aplikacji banku płatność jest
        zatwierdzona i {amount} zniknęło z konta, a w sklepie zamówienie ma status
        „oczekuje na płatność”.

        Kod BLIK został przyjęty, ale strona wyświetliła błąd płatności. Czy mam zapłacić
        jeszcze raz? Nie chcę płacić dwa razy za {product}.
    """),
    questions=paragraphs("""
        Prosimy o przesłanie potwierdzenia transakcji z aplikacji banku (data, godzina,
        kwota) – sprawdzimy ją u operatora płatności.
    """),
    answers=paragraphs("""
        Przesyłam zrzut ekranu z aplikacji banku – płatność {amount}, {date}.
    """),
    replies=paragraphs("""
        Operator płatności potwierdził wpłatę. Zamówienie {order} zostało oznaczone jako
        opłacone i przekazane do realizacji – nie trzeba płacić ponownie.

        Płatność nie została ostatecznie zaksięgowana, a bank zwolnił blokadę środków –
        pieniądze wrócą na konto w ciągu 1–2 dni. Zamówienie {order} można opłacić ponownie
        z poziomu panelu klienta.
    """),
    notes=paragraphs("""
        W panelu Przelewy24 transakcja ma status „zaakceptowana”, webhook do sklepu nie
        doszedł. Oznaczone ręcznie jako opłacone.
    """),
    holds=paragraphs("""
        Zgłosiliśmy transakcję do operatora płatności. Wyjaśnienie trwa zwykle do 2 dni
        roboczych – prosimy w tym czasie nie płacić ponownie.
    """),
    hold_notes=paragraphs("""
        Reklamacja transakcji wysłana do Przelewy24, czekamy na odpowiedź operatora.
    """),
)

DOUBLE_CHARGE = Scenario(
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
    openings=paragraphs("""
        Za zamówienie {order} został{em} obciążon{y} dwukrotnie kwotą {amount}. Proszę
        o pilny zwrot jednej płatności.

        Na wyciągu widzę dwie płatności kartą po {amount} za to samo zamówienie {order}.
        Proszę o wyjaśnienie.
    """),
    replies=paragraphs("""
        Potwierdzamy zdublowaną płatność. Drugą transakcję ({amount}) zwróciliśmy na kartę;
        w zależności od banku środki wrócą w ciągu 3–5 dni roboczych.

        Druga płatność była tylko blokadą autoryzacyjną i bank zwolni ją automatycznie w ciągu
        kilku dni. Obciążenie za zamówienie {order} jest jedno.
    """),
    notes=paragraphs("""
        Dwie transakcje w panelu operatora, druga zwrócona przeze mnie.
    """),
    holds=paragraphs("""
        Poprosiliśmy operatora płatności o wyjaśnienie drugiej transakcji. Wrócimy z odpowiedzią
        najpóźniej w ciągu 2 dni roboczych.
    """),
    hold_notes=paragraphs("""
        Zapytanie do operatora kart wysłane – czy druga transakcja to obciążenie, czy tylko
        blokada.
    """),
)

BANK_TRANSFER = Scenario(
    key="bank_transfer",
    category=CATEGORY_PAYMENTS,
    team=TEAM_ORDERS,
    tags=("platnosc", "przelew"),
    weight=3,
    subjects=("Przelew nie zaksięgowany", "Zapłacił{em} przelewem – brak potwierdzenia"),
    openings=paragraphs("""
        Zapłacił{em} tradycyjnym przelewem za zamówienie {order} trzy dni temu, a status
        nadal „oczekuje na płatność”. Pieniądze zeszły z konta.
    """),
    questions=paragraphs("""
        Prosimy o potwierdzenie przelewu w PDF – sprawdzimy, czy w tytule był numer
        zamówienia.
    """),
    answers=paragraphs("""
        Potwierdzenie w załączeniu. W tytule wpisał{em} chyba tylko swoje nazwisko.
    """),
    replies=paragraphs("""
        Znaleźliśmy wpłatę {amount} bez numeru zamówienia w tytule i przypisaliśmy ją do
        zamówienia {order}. Zamówienie jest już w realizacji.
    """),
)

INSTALLMENTS = Scenario(
    key="installments",
    category=CATEGORY_PAYMENTS,
    team=TEAM_ORDERS,
    tags=("raty",),
    weight=2,
    has_order=False,
    products=("electronics", "phone", "kitchen"),
    subjects=("Zakup na raty", "Raty 0% na {product}?"),
    openings=paragraphs("""
        Czy {product} można kupić na raty 0%? W koszyku nie widzę takiej opcji.
    """),
    replies=paragraphs("""
        Raty 0% są dostępne dla zamówień od 500 zł – opcja pojawia się na etapie wyboru
        płatności. Wniosek rozpatrywany jest online w kilka minut.
    """),
)

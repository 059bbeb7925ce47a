"""What customers and agents write: the turns every ticket shares, and the list of scenarios.

The planner draws from ``SCENARIOS`` by weight, so their order is part of what a seed gives.
The placeholders the templates use are described in ``okienko.demo.scenarios``.
"""

from okienko.demo.scenarios import (
    account,
    complaints,
    delivery,
    orders,
    paragraphs,
    payments,
    returns,
)

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
GENERIC_HOLDS = paragraphs("""
    Przekazaliśmy sprawę do działu, który się nią zajmuje. Gdy tylko otrzymamy odpowiedź,
    wrócimy z informacją – zwykle trwa to do 3 dni roboczych.

    Sprawa wymaga wyjaśnienia z dostawcą. Wstrzymujemy zgłoszenie do czasu jego odpowiedzi
    i odezwiemy się najpóźniej w ciągu kilku dni.
""")
GENERIC_HOLD_NOTES = paragraphs("""
    Mail do właściwego działu wysłany. Przypomnieć się za 3 dni, jeśli będzie cisza.

    Sprawa u kierowniczki zmiany, czeka na decyzję do końca tygodnia.
""")
NUDGES = paragraphs("""
    Czy ktoś zajmie się moim zgłoszeniem? Piszę ponownie, bo nie dostał{em} jeszcze żadnej
    odpowiedzi.

    Przypominam się w sprawie mojej wiadomości. Sprawa jest dla mnie pilna.

    Halo? Czekam na odpowiedź.
""")
THANKS = paragraphs("""
    Dziękuję, wszystko już działa. Pozdrawiam!

    Super, dziękuję za szybką pomoc.

    Otrzymał{em}, wszystko się zgadza. Dziękuję.

    Dziękuję bardzo, sprawa załatwiona.
""")
REOPENINGS = paragraphs("""
    Niestety sprawa nie jest zakończona – nadal nie otrzymał{em} tego, co było obiecane.
    Proszę o ponowne sprawdzenie.

    Problem wrócił. Myślał{em}, że wszystko jest w porządku, ale znów to samo.

    Przepraszam, ale to nie rozwiązuje mojego problemu. Czy ktoś może jeszcze raz na to
    spojrzeć?
""")
REOPEN_REPLIES = paragraphs("""
    Bardzo przepraszamy, że sprawa się przeciąga. Sprawdziliśmy wszystko jeszcze raz i tym razem
    osobiście dopilnowaliśmy realizacji. Potwierdzenie otrzymają Państwo w osobnej wiadomości.

    Przepraszamy za kłopot. Przekazaliśmy sprawę do kierownika zmiany, który zajął się nią od
    razu – problem powinien być już rozwiązany.
""")
PHONE_NOTES = paragraphs("""
    Zgłoszenie przyjęte telefonicznie, rozmowa ok. 4 min. {klient} prosi o odpowiedź mailem.

    Rozmowa telefoniczna, {klient} był{c_a} zdenerwowan{c_y}, obiecał{a_em} oddzwonić lub
    odpisać jeszcze dziś.

    Przyjęte przez telefon. Dane do kontaktu potwierdzone.
""")
# Polish declines names after "do", so the colleague's name only appears in the nominative.
TRANSFER_NOTES = paragraphs("""
    Przekazuję sprawę dalej: {to} prowadzi już zgłoszenia tego klienta.

    {to}, przejmiesz? Od jutra jestem na urlopie.

    Przekazuję – {to} zna temat z poprzedniego zgłoszenia.
""")
TEAM_TRANSFER_NOTES = paragraphs("""
    To jednak reklamacja, przenoszę do zespołu Reklamacje i zwroty.

    {klient} chce reklamować zamówienie – przekazuję do zespołu Reklamacje i zwroty.
""")
ESCALATION_NOTES = paragraphs("""
    {klient} czeka już długo, podnoszę priorytet.

    Wysoka kwota zamówienia, podnoszę priorytet.

    {klient} zapowiada wpis w Opiniach Google – podnoszę priorytet.
""")
MERGE_NOTES = paragraphs("""
    {klient} napisał{c_a} drugi raz w tej samej sprawie innym kanałem – scalił{a_em} zgłoszenia.

    Duplikat zgłoszenia, scalone.
""")
DUPLICATE_SUBJECTS = ("Ponownie: {subject}", "PILNE: {subject}", "{subject} (ponownie)")
DUPLICATE_OPENINGS = paragraphs("""
    Wysyłam jeszcze raz przez formularz, bo nie jestem pewn{y}, czy mail doszedł. Chodzi
    o zamówienie {order}.

    Piszę drugi raz w tej samej sprawie co wcześniej – proszę o kontakt. Zamówienie {order}.
""")

SCENARIOS = (
    delivery.WHERE_IS_PARCEL,
    delivery.LOCKER_CHANGED,
    delivery.COURIER_MISSED,
    complaints.DAMAGED_IN_TRANSPORT,
    orders.CHANGE_ADDRESS,
    orders.CANCEL_ORDER,
    orders.MISSING_ITEM,
    orders.NOT_SHIPPED,
    payments.INVOICE_NIP,
    payments.INVOICE_CORRECTION,
    payments.BLIK_FAILED,
    payments.DOUBLE_CHARGE,
    payments.BANK_TRANSFER,
    orders.PROMO_CODE,
    account.ACCOUNT_LOGIN,
    account.ACCOUNT_DELETE,
    account.NEWSLETTER,
    orders.PRODUCT_QUESTION,
    payments.INSTALLMENTS,
    orders.B2B_ORDER,
    returns.RETURN_14_DAYS,
    returns.REFUND_MISSING,
    returns.RETURN_LABEL,
    complaints.KETTLE_BROKEN,
    complaints.DEVICE_FAULT,
    complaints.WARRANTY,
    complaints.COMPLAINT_STATUS,
    complaints.WRONG_PRODUCT,
    returns.EXCHANGE,
)

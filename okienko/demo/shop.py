"""The shop the demo plays: its teams, ticket categories, automation rules, products and places."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Product:
    """Something the shop sells; ``kind`` lets a scenario pick fitting products."""

    name: str
    price: int
    kind: str


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

# The automation rules that act on tickets, by the names they are shown under.
RULE_VIP = "Klienci premium: tag vip"
RULE_NO_ANSWER = "Brak odpowiedzi klienta przez 7 dni"
RULE_AUTO_CLOSE = "Automatyczne zamknięcie 4 dni po rozwiązaniu"

"""The demo data set: "Sklep Okienko", a Polish online shop, with 90 days of customer service."""

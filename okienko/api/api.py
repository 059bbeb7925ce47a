from ninja import NinjaAPI

api = NinjaAPI(title="Okienko API", version="1")

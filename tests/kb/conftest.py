from tests.api.conftest import admin, admin_api  # noqa: F401  (fixtures shared with the API tests)

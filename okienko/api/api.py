"""The REST API v1: one router per domain app, token or session auth, problem+json errors."""

from ninja import NinjaAPI

from okienko.accounts.api import router as accounts_router
from okienko.api.auth import AgentSessionAuth, TokenAuth
from okienko.api.problems import register_problem_handlers
from okienko.automation.api import router as automation_router
from okienko.customers.api import router as customers_router
from okienko.inboxes.api import router as inboxes_router
from okienko.kb.api import router as kb_router
from okienko.routing.api import router as routing_router
from okienko.search.api import router as search_router
from okienko.sla.api import router as sla_router
from okienko.tickets.api import router as tickets_router

api = NinjaAPI(
    title="Okienko API",
    version="1",
    description="Tickets, customers, organisations and the knowledge base of an Okienko helpdesk.",
    auth=[TokenAuth(), AgentSessionAuth()],
    urls_namespace="api-v1",
)
register_problem_handlers(api)
api.add_router("", tickets_router)
api.add_router("", customers_router)
api.add_router("", accounts_router)
api.add_router("", inboxes_router)
api.add_router("", sla_router)
api.add_router("", routing_router)
api.add_router("", automation_router)
api.add_router("", search_router)
api.add_router("", kb_router)

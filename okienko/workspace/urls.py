from django.urls import path
from django.views.generic import RedirectView

from okienko.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workspace:inbox"), name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<slug:view>/", views.inbox, name="inbox_view"),
    path("tickets/new/", views.new_ticket, name="new_ticket"),
    path("tickets/<int:ticket_id>/", views.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/messages/", views.post_message, name="post_message"),
    path("tickets/<int:ticket_id>/properties/", views.update_properties, name="update_properties"),
    path("tickets/<int:ticket_id>/escalate/", views.escalate, name="escalate"),
    path("tickets/<int:ticket_id>/macro/", views.apply_macro, name="apply_macro"),
    path("presence/", views.set_presence, name="presence"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<int:item_id>/reprocess/", views.reprocess, name="reprocess"),
]

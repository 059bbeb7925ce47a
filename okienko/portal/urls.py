from django.urls import path
from django.views.generic import RedirectView

from okienko.portal import survey_views, views

app_name = "portal"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="portal:requests"), name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/sent/", views.link_sent, name="link_sent"),
    path("sign-in/<str:token>/", views.sign_in_link, name="sign_in_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("language/", views.set_language, name="language"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/new/suggestions/", views.suggestions, name="suggestions"),
    path(
        "requests/new/articles/<int:article_id>/",
        views.suggested_article,
        name="suggested_article",
    ),
    path("requests/<int:ticket_id>/", views.request_page, name="request"),
    path("requests/<int:ticket_id>/reply/", views.reply, name="reply"),
    path("requests/<int:ticket_id>/solve/", views.mark_solved, name="solve"),
    path("requests/<int:ticket_id>/reopen/", views.reopen, name="reopen"),
    path("feedback/<str:token>/", survey_views.csat, name="csat"),
    path("attachments/<int:attachment_id>/", views.download_attachment, name="attachment"),
]

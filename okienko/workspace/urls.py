from django.urls import path
from django.views.generic import RedirectView

from okienko.workspace import (
    catalogue_views,
    customer_views,
    inbox_views,
    message_views,
    rule_views,
    search_views,
    settings_views,
    views,
)

app_name = "workspace"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workspace:inbox"), name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/bulk/", inbox_views.bulk, name="bulk"),
    path("inbox/<slug:view>/", inbox_views.inbox, name="inbox_view"),
    path("inbox/saved/<int:saved_view_id>/", inbox_views.inbox, name="saved_inbox"),
    path("inbox/views/new/", inbox_views.saved_view_edit, name="new_saved_view"),
    path("inbox/views/<int:view_id>/", inbox_views.saved_view_edit, name="saved_view"),
    path(
        "inbox/views/<int:view_id>/delete/",
        inbox_views.saved_view_delete,
        name="delete_saved_view",
    ),
    path("tickets/new/", views.new_ticket, name="new_ticket"),
    path("tickets/<int:ticket_id>/", views.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/messages/", views.post_message, name="post_message"),
    path("tickets/<int:ticket_id>/properties/", views.update_properties, name="update_properties"),
    path("tickets/<int:ticket_id>/escalate/", views.escalate, name="escalate"),
    path("tickets/<int:ticket_id>/macro/", views.apply_macro, name="apply_macro"),
    path("tickets/<int:ticket_id>/live/", views.ticket_live, name="ticket_live"),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/formatted/",
        message_views.message_formatted,
        name="message_formatted",
    ),
    path(
        "tickets/<int:ticket_id>/messages/<int:message_id>/html/",
        message_views.message_html,
        name="message_html",
    ),
    path("search/", search_views.search_page, name="search"),
    path("search/suggestions/", search_views.search_suggestions, name="search_suggestions"),
    path("customers/", customer_views.customers, name="customers"),
    path("customers/<int:customer_id>/", customer_views.customer_page, name="customer"),
    path("customers/<int:customer_id>/edit/", customer_views.customer_edit, name="customer_edit"),
    path(
        "customers/<int:customer_id>/identities/",
        customer_views.identity_add,
        name="identity_add",
    ),
    path(
        "customers/<int:customer_id>/identities/<int:identity_id>/delete/",
        customer_views.identity_remove,
        name="identity_remove",
    ),
    path(
        "customers/<int:customer_id>/merge/", customer_views.customer_merge, name="customer_merge"
    ),
    path("customers/merges/<int:merge_id>/undo/", customer_views.merge_undo, name="merge_undo"),
    path("organisations/", customer_views.organisations, name="organisations"),
    path(
        "organisations/<int:organisation_id>/",
        customer_views.organisation_page,
        name="organisation",
    ),
    path("presence/", views.set_presence, name="presence"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.read_notifications, name="read_notifications"),
    path(
        "notifications/<int:notification_id>/",
        views.open_notification,
        name="open_notification",
    ),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("settings/agents/", settings_views.agent_list, name="settings_agents"),
    path("settings/agents/new/", settings_views.agent_edit, name="settings_new_agent"),
    path("settings/agents/<int:agent_id>/", settings_views.agent_edit, name="settings_agent"),
    path("settings/teams/", settings_views.team_list, name="settings_teams"),
    path("settings/teams/<int:team_id>/", settings_views.team_edit, name="settings_team"),
    path("settings/tags/", catalogue_views.tag_list, name="settings_tags"),
    path("settings/tags/<int:tag_id>/delete/", catalogue_views.tag_delete, name="delete_tag"),
    path("settings/rules/", rule_views.rule_list, name="rules"),
    path("settings/rules/new/<slug:kind>/", rule_views.rule_edit, name="new_rule"),
    path("settings/rules/<int:rule_id>/", rule_views.rule_edit, name="rule"),
    path("settings/rules/<int:rule_id>/delete/", rule_views.rule_delete, name="delete_rule"),
    path("settings/macros/", rule_views.macro_list, name="macros"),
    path("settings/macros/new/", rule_views.macro_edit, name="new_macro"),
    path("settings/macros/<int:macro_id>/", rule_views.macro_edit, name="macro"),
    path("settings/macros/<int:macro_id>/delete/", rule_views.macro_delete, name="delete_macro"),
    path("quarantine/<int:item_id>/reprocess/", views.reprocess, name="reprocess"),
    # After the named settings pages: tiers, categories and custom fields share one page shape.
    path("settings/<slug:kind>/", catalogue_views.catalogue, name="settings_catalogue"),
    path(
        "settings/<slug:kind>/<int:item_id>/",
        catalogue_views.catalogue,
        name="settings_catalogue_item",
    ),
]

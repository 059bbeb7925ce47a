from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from okienko.api.api import api
from okienko.portal import help_views

admin.site.site_header = _("Okienko: administration")
admin.site.site_title = _("Okienko")
admin.site.index_title = _("Settings and data")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("inbound/", include("anymail.urls")),
    path("portal/", include("okienko.portal.urls")),
    path("help/", include("okienko.portal.help_urls")),
    path("chat/", include("okienko.inboxes.chat.urls")),
    path("sitemap.xml", help_views.sitemap, name="sitemap"),
    path("", include("okienko.workspace.urls")),
]

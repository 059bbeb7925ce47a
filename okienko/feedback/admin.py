from django.contrib import admin

from okienko.core.admin_mixins import ReadOnlyAdmin
from okienko.feedback.models import CsatSurvey


@admin.register(CsatSurvey)
class CsatSurveyAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "email", "sent_at", "rating", "answered_at"]
    list_filter = ["rating"]
    search_fields = ["email", "comment"]
    date_hierarchy = "sent_at"

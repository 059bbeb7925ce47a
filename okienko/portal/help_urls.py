from django.urls import path

from okienko.portal import help_views

app_name = "help"

urlpatterns = [
    path("", help_views.home_redirect, name="index"),
    path("files/<int:attachment_id>/", help_views.download_file, name="file"),
    path("logo/", help_views.logo, name="logo"),
    path("<str:language>/", help_views.home, name="home"),
    path("<str:language>/search/", help_views.search_page, name="search"),
    path("<str:language>/categories/<slug:slug>/", help_views.category_page, name="category"),
    path("<str:language>/articles/<slug:slug>/", help_views.article_page, name="article"),
    path("<str:language>/articles/<slug:slug>/feedback/", help_views.feedback, name="feedback"),
]

from django.urls import path

from okienko.inboxes.chat import views

app_name = "chat"

urlpatterns = [
    path("files/<str:token>/", views.visitor_file, name="file"),
    path("try/<str:public_key>/", views.try_widget, name="try"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
]

from django.urls import path

from okienko.feedback import views

app_name = "feedback"

urlpatterns = [path("csat/<str:token>/", views.csat, name="csat")]

from django.urls import path

from kouprey.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.table, name="table"),
    path("records/", views.records, name="records"),
]

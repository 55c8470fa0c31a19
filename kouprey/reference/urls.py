"""Reference data for the pages: the list of places that place fields offer."""

from django.urls import path

from kouprey.reference import views

app_name = "reference"

urlpatterns = [
    path("places/datalist", views.place_options, name="place_options"),
]

from django.urls import path

from kouprey.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_form, name="create"),
    path("seizure-choices/", views.seizure_choices, name="seizure_choices"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_form, name="edit"),
    path("<int:pk>/events/new/", views.add_event, name="add_event"),
]

from django.urls import path

from kouprey.seizures import views

app_name = "seizures"
urlpatterns = [
    path("", views.seizure_list, name="list"),
    path("new/", views.seizure_create, name="create"),
    path("<int:pk>/", views.seizure_detail, name="detail"),
    path("<int:pk>/edit/", views.seizure_edit, name="edit"),
    path("<int:pk>/delete/", views.seizure_delete, name="delete"),
]

from django.urls import path

from kouprey.seizures import views
from kouprey.seizures.importers import views as import_views

app_name = "seizures"
urlpatterns = [
    path("", views.seizure_list, name="list"),
    path("new/", views.seizure_create, name="create"),
    path("import/", import_views.import_page, name="import"),
    path("<int:pk>/", views.seizure_detail, name="detail"),
    path("<int:pk>/edit/", views.seizure_edit, name="edit"),
    path("<int:pk>/delete/", views.seizure_delete, name="delete"),
]

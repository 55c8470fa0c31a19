from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.i18n import set_language

from kouprey.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", views.SignOut.as_view(), name="logout"),
    path("language/", set_language, name="set_language"),
]

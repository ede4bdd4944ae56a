from django.urls import path

from encaisse.web.views import home

urlpatterns = [
    path("", home.home, name="home"),
]

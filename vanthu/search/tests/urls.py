"""The site's addresses plus the search page, until the layout includes it at the root."""

from django.urls import include, path

from vanthu.urls import urlpatterns as site

urlpatterns = [path("", include("vanthu.search.urls")), *site]

from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path

from vanthu.api import api


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


urlpatterns = [
    path("healthz", healthz),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("exchange/", include("vanthu.exchange.urls")),
    path("reports/", include("vanthu.reports.urls")),
    path("", include("vanthu.web.urls")),
]

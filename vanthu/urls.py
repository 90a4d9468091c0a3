from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from vanthu.api import api
from vanthu.web import ops

urlpatterns = [
    path("healthz", ops.healthz),
    path("readyz", ops.readyz),
    path("metrics", ops.metrics_view),
    path("api/v1/", api.urls),
    # The admin signs in through the site's own login (lockout, two-factor, audit).
    path("admin/login/", RedirectView.as_view(url="/login/", query_string=True)),
    path("admin/", admin.site.urls),
    path("exchange/", include("vanthu.exchange.urls")),
    path("reports/", include("vanthu.reports.urls")),
    path("programme/", include("vanthu.programme.urls")),
    path("audit/", include("vanthu.audit.urls")),
    path("calendar/", include("vanthu.calendar.urls")),
    path("archive/", include("vanthu.archive.urls")),
    path("notifications/", include("vanthu.notifications.urls")),
    path("direction/", include("vanthu.direction.urls")),
    path("members/", include("vanthu.membership.urls")),
    path("migration/", include("vanthu.migration.urls")),
    path("signatures/", include("vanthu.signatures.urls")),
    path("", include("vanthu.search.urls")),
    path("", include("vanthu.web.urls")),
]

"""The provider's addresses: its sign-in form and django-oauth-toolkit's endpoints under /o/."""

from __future__ import annotations

from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def login_view(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next") or request.GET.get("next") or "/"
    if request.method == "POST":
        user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
        if user is not None:
            login(request, user)
            return HttpResponseRedirect(nxt if nxt.startswith("/") else "/")
        return HttpResponse("wrong password", status=403)
    return HttpResponse(f'<form method="post"><input name="username"><input name="password" type="password">'
                        f'<input type="hidden" name="next" value="{escape(nxt)}"><button>Sign in</button></form>')


urlpatterns = [
    path("login/", login_view),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]

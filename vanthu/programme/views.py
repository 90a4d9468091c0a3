"""Pages of the programme (filled in by the pages slice)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from vanthu.ui.shortcuts import page_errors


@login_required
@page_errors
def index(request: HttpRequest) -> HttpResponse:
    return redirect("/")


@login_required
@page_errors
def organization(request: HttpRequest, org_id: int) -> HttpResponse:
    return redirect("/")

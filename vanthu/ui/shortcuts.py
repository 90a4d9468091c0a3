"""Helpers the page views share: errors from actions, pagination, redirects, htmx."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from vanthu.errors import NotAllowed, NotFound, VanThuError

PAGE_SIZE = 25


def page_errors(view: Callable) -> Callable:
    """Not found and not allowed become the 404 and 403 pages (never a stack trace)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def paginate(request: HttpRequest, qs, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def back_to(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to ?next= or the form's next field if it is ours, else to the fallback."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def flash_error(request: HttpRequest, exc: VanThuError) -> None:
    messages.error(request, exc.message)


def is_partial(request: HttpRequest) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    # The same URL answers a fragment or a page: caches (and the back button) must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response

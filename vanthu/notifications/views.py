"""The notification pages: the list, the bell, opening one, marking read, preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanthu.errors import VanThuError
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import back_to, page_errors, paginate

from . import access, actions, kinds
from .forms import PreferencesForm
from .models import Notification


@login_required
def list_page(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    qs = Notification.objects.for_user(request.user)
    if unread_only:
        qs = qs.unread()
    page = paginate(request, qs.newest_first())
    for n in page:
        n.kind_label = kinds.label(n.notice.kind)
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only,
                                                       "unread": access.unread_count(request.user)})


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The header's bell, refreshed by htmx every minute."""
    return render(request, "notifications/_bell.html", {"unread": access.unread_count(request.user)})


@login_required
@page_errors
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link: it is read now."""
    n = actions.mark_read(access.get_notification(request.user, notification_id), user=request.user)
    return redirect(n.notice.url or "notifications:list")


@login_required
@require_POST
@page_errors
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    actions.mark_read(access.get_notification(request.user, notification_id), user=request.user)
    return back_to(request, "/notifications/")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    n = actions.mark_all_read(user=request.user)
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": n})
    return back_to(request, "/notifications/")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, current=actions.channels_of(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_preferences(user=request.user, channels=form.cleaned_data)
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu cách nhận thông báo."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "mail_enabled": settings.VANTHU_EMAIL_ENABLED})

"""The calendar pages: a year's days off and make-up days (installation administrators), and a
small preview of "N working days after a date" for forms that take a deadline."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vanthu.errors import NotAllowed, VanThuError
from vanthu.organizations.access import is_installation_admin
from vanthu.ui.forms import apply_error
from vanthu.ui.shortcuts import flash_error, page_errors

from . import actions, lunar, workdays
from .defaults import DayKind
from .forms import DayForm, PreviewForm, SeedForm
from .models import FIRST_YEAR, LAST_YEAR

# Lazy: the names are read per request, in its language (a plain gettext here ran once, at import).
WEEKDAYS = [gettext_lazy("Thứ Hai"), gettext_lazy("Thứ Ba"), gettext_lazy("Thứ Tư"), gettext_lazy("Thứ Năm"),
            gettext_lazy("Thứ Sáu"), gettext_lazy("Thứ Bảy"), gettext_lazy("Chủ nhật")]


def weekday_name(d: date) -> str:
    return str(WEEKDAYS[d.weekday()])


def _admin(request: HttpRequest) -> None:
    if not is_installation_admin(request.user):
        raise NotAllowed(_("Chỉ quản trị hệ thống mới được sửa lịch làm việc."))


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return year


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("calendar:year", timezone.localdate().year)


@login_required
@page_errors
def year_page(request: HttpRequest, year: int, day_form: DayForm | None = None, status: int = 200) -> HttpResponse:
    """The year's days off and make-up days, with the forms to change them."""
    _admin(request)
    view = workdays.year_view(_year_or_404(year))
    rows = []
    for d in view.days:
        ld = lunar.to_lunar(d.date)
        rows.append({"day": d, "weekday": weekday_name(d.date), "lunar": f"{ld.day}/{ld.month}{'N' if ld.leap else ''}",
                     "kind_label": DayKind(d.kind).label, "off": d.kind != DayKind.MAKEUP})
    working = workdays.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
    return render(request, "calendar/year.html", {
        "year": year, "view": view, "rows": rows, "working_days": working,
        "tet": lunar.tet(year), "day_form": day_form or DayForm(initial={"kind": DayKind.DAY_OFF}),
        "seed_form": SeedForm(initial={"tet_rule": view.tet_rule}),
        "prev_year": year - 1 if year > FIRST_YEAR else None, "next_year": year + 1 if year < LAST_YEAR else None,
    }, status=status)


@login_required
@require_POST
@page_errors
def seed(request: HttpRequest, year: int) -> HttpResponse:
    _admin(request)
    form = SeedForm(request.POST)
    if form.is_valid():
        try:
            actions.seed_year(_year_or_404(year), user=request.user, tet_rule=form.cleaned_data["tet_rule"],
                              replace=form.cleaned_data["replace"])
        except (NotAllowed, Http404):
            raise
        except VanThuError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("Đã lập lịch năm %(year)s theo mặc định.") % {"year": year})
    return redirect("calendar:year", year)


@login_required
@require_POST
@page_errors
def set_day(request: HttpRequest, year: int) -> HttpResponse:
    _admin(request)
    form = DayForm(request.POST)
    if form.is_valid():
        f = form.cleaned_data
        try:
            actions.set_day(_year_or_404(year), user=request.user, day=f["date"], kind=f["kind"], name=f["name"])
        except NotAllowed:
            raise
        except VanThuError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Đã lưu ngày %(date)s.") % {"date": f["date"].strftime("%d/%m/%Y")})
            return redirect("calendar:year", year)
    return year_page(request, year, day_form=form, status=422)


@login_required
@require_POST
@page_errors
def remove_day(request: HttpRequest, year: int, day: str) -> HttpResponse:
    _admin(request)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    try:
        actions.remove_day(_year_or_404(year), user=request.user, day=when)
    except NotAllowed:
        raise
    except VanThuError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Đã xóa ngày %(date)s khỏi lịch.") % {"date": when.strftime("%d/%m/%Y")})
    return redirect("calendar:year", year)


@login_required
def preview(request: HttpRequest) -> HttpResponse:
    """A fragment for forms: "N working days after D is …" (htmx, as the person types)."""
    form = PreviewForm(request.GET)
    due = None
    if form.is_valid():
        try:
            due = workdays.add_working_days(form.cleaned_data["start"], form.cleaned_data["working_days"])
        except ValueError:
            due = None
    return render(request, "calendar/_preview.html", {"due": due, "weekday": weekday_name(due) if due else "",
                                                      "days": form.cleaned_data.get("working_days") if form.is_valid() else None})

"""The direction pages: the leader's follow-up, a directive, a task, an organisation's tasks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanthu.ui.shortcuts import page_errors

from . import access


@login_required
def followup_page(request: HttpRequest) -> HttpResponse:
    return render(request, "direction/followup.html", {})


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    return render(request, "direction/my_tasks.html", {})


@login_required
@page_errors
def directive_page(request: HttpRequest, directive_id: int) -> HttpResponse:
    return render(request, "direction/directive.html", {"directive": access.get_directive(request.user, directive_id)})


@login_required
@page_errors
def task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    return render(request, "direction/task.html", {"task": access.get_task(request.user, task_id)})

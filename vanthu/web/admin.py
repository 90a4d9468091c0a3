"""The task queue's dead letters for administrators: django-tasks-db's list of task results
(filter "status: FAILED"), with an action that queues the chosen failed tasks again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from .queues import retry_failed

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    actions = ["retry"]

    @admin.action(description=_("Chạy lại các tác vụ lỗi đã chọn"))
    def retry(self, request, queryset) -> None:
        count = retry_failed(queryset.values_list("pk", flat=True), user=request.user)
        messages.success(request, ngettext("Đã đưa %(n)d tác vụ lỗi trở lại hàng đợi.",
                                           "Đã đưa %(n)d tác vụ lỗi trở lại hàng đợi.", count) % {"n": count})

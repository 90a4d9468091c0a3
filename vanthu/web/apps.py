from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "vanthu.web"
    label = "web"
    verbose_name = "Giao diện web"

    def ready(self) -> None:
        # The .po files live in the repository; their .mo are built here, at start, when missing
        # or older than the .po (no gettext tools needed on the server).
        from .i18n import compile_all

        compile_all()
        # A task cut short by a worker's stop goes back to the queue, not to the dead letters.
        from django_tasks.signals import task_finished

        from .queues import requeue_interrupted

        task_finished.connect(requeue_interrupted, dispatch_uid="vanthu.requeue_interrupted")

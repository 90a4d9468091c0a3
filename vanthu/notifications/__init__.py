"""Notifications for every app: in the app (the bell, the list), by e-mail, or in a daily digest.

    from vanthu.notifications import kinds
    from vanthu.notifications.actions import notify

    kinds.register("assigned", _("Được phân công xử lý văn bản"), default=kinds.Channel.EMAIL)  # in ready()
    notify(users_or_ids, kind="assigned", title=..., body=..., url="/documents/7/", obj=delivery, org=org)

`notify()` writes inside the caller's transaction; the worker mails after the commit (mail.py).
An app below documents cannot subscribe to their events: the app that publishes them, or one
above it, turns an event into a `notify()` call (workflow/notices.py).
"""

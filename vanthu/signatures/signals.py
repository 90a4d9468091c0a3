"""What the signatures app tells other apps, without depending on them."""

from django.dispatch import Signal

# Sent with `document=` inside the transaction that stored a new report for it on demand (a
# re-verification): its verdict may now differ from the one other apps computed with. The
# statistics listen, so that the authenticated share follows without waiting for a delivery to move.
verdict_changed = Signal()

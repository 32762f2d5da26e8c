"""Domain events other modules listen to, so that the services need not know them.

``seats_changed`` is sent, inside the transaction, whenever the seats taken
may have changed: an approval, the cancellation of an approved registration,
an approved delegate's change of sessions, the deletion of registrations.
The cached public pages (``caching``) listen to it.
"""

from django.dispatch import Signal

seats_changed = Signal()

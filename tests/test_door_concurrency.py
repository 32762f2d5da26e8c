"""Doors scanning the same badge at the same moment let its holder in once."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from registrations import services
from registrations.models import CheckIn
from tests.factories import BadgeFactory
from tests.marks import needs_postgresql_locks

DOORS = 6

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql_locks,
]


def redeem_at_once(badge, nonces):
    """Redeem the badge from one thread per nonce, all released together."""
    start = threading.Barrier(len(nonces))
    answers = []
    lock = threading.Lock()

    def door(number, nonce):
        start.wait()
        try:
            scan = services.Scan(
                nonce=nonce,
                door=f"Door {number}",
                device=f"tablet-{number}",
                scanned_at=timezone.now() - datetime.timedelta(seconds=1),
                badge_hash=badge.secret_sha256,
            )
            answer = services.checkin_redeem(
                event=badge.registration.event, scan=scan, by=None
            )
            with lock:
                answers.append(answer)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=door, args=(number, nonce))
        for number, nonce in enumerate(nonces)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_doors_reading_one_badge_together_admit_once_and_tell_the_others():
    badge = BadgeFactory()
    answers = redeem_at_once(badge, [str(uuid.uuid4()) for _ in range(DOORS)])
    assert sum(answer.admitted for answer in answers) == 1
    refused = [answer.check for answer in answers if not answer.admitted]
    assert refused == [services.ALREADY_IN] * (DOORS - 1)
    assert CheckIn.objects.count() == 1


def test_one_scan_sent_by_several_connections_at_once_is_recorded_once():
    badge = BadgeFactory()
    nonce = str(uuid.uuid4())
    answers = redeem_at_once(badge, [nonce] * DOORS)
    assert all(answer.admitted for answer in answers)
    assert sum(answer.repeated for answer in answers) == DOORS - 1
    assert CheckIn.objects.filter(nonce=nonce).count() == 1

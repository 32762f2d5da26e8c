"""Store every address in the form the registration form now gives it.

Addresses typed before were stored as typed: fullwidth letters, invisible
characters or upper-case domains made look-alikes of one mailbox that the
unique constraint did not see as one. Each address becomes its normalised form
(Unicode NFKC, no hidden characters, the domain lower-cased and IDNA-encoded).
This migration keeps its own copy of the rule, leniently: an address it cannot
make sense of is left as it is rather than stopping the migration.

Where several live registrations of one event turn out to share a mailbox, the
one furthest along (approved, then waitlisted, then pending or rejected; the
oldest among equals) keeps it and the others are cancelled, with the reason
recorded in their history. No email is sent.
"""

import unicodedata
from collections import defaultdict

import idna
from django.db import migrations
from django.utils import timezone

CANCELLED = "cancelled"
KEEP_FIRST = {"approved": 0, "waitlisted": 1, "pending": 2, "rejected": 3}


def normalised(address: str) -> str:
    text = unicodedata.normalize("NFKC", address)
    text = "".join(
        character
        for character in text
        if not character.isspace() and not unicodedata.category(character).startswith("C")
    )
    local, at, domain = text.rpartition("@")
    if not at:
        return address.strip()
    try:
        domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        domain = domain.lower()
    return f"{local}@{domain}"


def normalise_addresses(apps, schema_editor):
    Registration = apps.get_model("registrations", "Registration")
    RegistrationChange = apps.get_model("registrations", "RegistrationChange")
    now = timezone.now()
    new_addresses = {}
    live = defaultdict(list)
    for registration in Registration.objects.order_by("submitted_at", "pk"):
        address = normalised(registration.email)
        if address != registration.email:
            new_addresses[registration.pk] = address
        if registration.status != CANCELLED:
            live[(registration.event_id, address.lower())].append(registration)

    # Cancel the extra registrations first: the constraint holds only among
    # live ones, and it is checked as each address is rewritten.
    for registrations in live.values():
        if len(registrations) < 2:
            continue
        keeper, *others = sorted(
            registrations,
            key=lambda r: (KEEP_FIRST.get(r.status, 9), r.submitted_at, r.pk),
        )
        for other in others:
            RegistrationChange.objects.create(
                registration=other,
                changed_at=now,
                actor="system",
                from_status=other.status,
                to_status=CANCELLED,
                note=(
                    "Cancelled when email addresses were normalised: registration "
                    f"{keeper.pk} has the same mailbox."
                ),
            )
            Registration.objects.filter(pk=other.pk).update(
                status=CANCELLED, status_changed_at=now
            )
    for pk, address in new_addresses.items():
        Registration.objects.filter(pk=pk).update(email=address)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0003_reviewers_group"),
    ]

    operations = [
        migrations.RunPython(normalise_addresses, migrations.RunPython.noop),
    ]

"""Factories for the symposium's models: realistic defaults, overridable per test."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from registrations.models import (
    Badge,
    Delegation,
    Event,
    Organisation,
    OutgoingEmail,
    Registration,
    Session,
    SessionSpeaker,
    Speaker,
    VisaLetterhead,
    VisaRequest,
)
from registrations.models.badges import new_badge_secret, new_short_code, secret_hash


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Regional Symposium {n}")
    title_ja = factory.Sequence(lambda n: f"地域シンポジウム {n}")
    slug = factory.Sequence(lambda n: f"symposium-{n}")
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=30)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=8))
    venue = "A hotel in Tokyo"
    venue_ja = "東京都内のホテル"
    host = "Ministry of Foreign Affairs of Japan"
    host_ja = "外務省"
    description = "A symposium on combating human smuggling."
    contact_email = "secretariat@symposium.example"
    registration_opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=10)
    )
    registration_closes_at = factory.LazyAttribute(
        lambda o: o.starts_at - datetime.timedelta(days=1)
    )
    capacity = 300


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    acronym = factory.Sequence(lambda n: f"ORG{n}")
    kind = Organisation.Kind.NGO
    country = "TH"


class DelegationFactory(factory.django.DjangoModelFactory):
    """A delegation invited to an event; its focal point has an address of its own."""

    class Meta:
        model = Delegation

    event = factory.SubFactory(EventFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    seat_quota = 5
    focal_point_name = "Kanya Suwan"
    focal_point_email = factory.Sequence(lambda n: f"focal{n}@example.org")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Faker("name")
    title = "Director"
    organisation = factory.SubFactory(OrganisationFactory)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    title_ja = factory.Sequence(lambda n: f"セッション {n}")
    # One after another, an hour each: sessions at the same time run in
    # parallel and cannot be chosen together, so a test asks for that itself.
    starts_at = factory.LazyAttribute(
        lambda o: (
            o.event.starts_at
            + datetime.timedelta(hours=o.event.sessions.count() if o.event.pk else 0)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    room = "Main hall"
    capacity = None


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(SpeakerFactory)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    position = "Programme Officer"
    country = "PH"
    category = Registration.Category.NGO
    consent_given_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def sessions(self, create, extracted, **kwargs):
        if create and extracted:
            self.sessions.set(extracted)


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    """An email in the outbox; ``state`` and the times as the test needs them."""

    class Meta:
        model = OutgoingEmail

    registration = factory.SubFactory(RegistrationFactory)
    recipient = factory.LazyAttribute(lambda o: o.registration.email)
    kind = OutgoingEmail.Kind.APPROVED
    language = factory.LazyAttribute(lambda o: o.registration.language)


class StaffUserFactory(factory.django.DjangoModelFactory):
    """A member of staff; ``permissions=["registrations.export_registration"]``."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.Sequence(lambda n: f"staff{n}@mofa.example")
    is_staff = True

    @factory.post_generation
    def permissions(self, create, extracted, **kwargs):
        for name in extracted or ():
            app_label, codename = name.split(".")
            self.user_permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )


class BadgeFactory(factory.django.DjangoModelFactory):
    """A delegate's current badge, as its first print issues it."""

    class Meta:
        model = Badge

    registration = factory.SubFactory(
        RegistrationFactory, status=Registration.Status.APPROVED
    )
    version = 1
    secret = factory.LazyFunction(new_badge_secret)
    secret_sha256 = factory.LazyAttribute(lambda badge: secret_hash(badge.secret))
    short_code = factory.LazyFunction(new_short_code)


class VisaRequestFactory(factory.django.DjangoModelFactory):
    """A delegate's visa request with plausible passport data for the event."""

    class Meta:
        model = VisaRequest

    registration = factory.SubFactory(
        RegistrationFactory, status=Registration.Status.APPROVED
    )
    passport_name = factory.LazyAttribute(
        lambda o: f"{o.registration.family_name.upper()} {o.registration.given_name}"
    )
    passport_number = factory.Sequence(lambda n: f"P{4000000 + n}A")
    nationality = "PH"
    date_of_birth = datetime.date(1980, 5, 17)
    passport_expiry = factory.LazyAttribute(
        lambda o: (
            timezone.localdate(o.registration.event.ends_at)
            + datetime.timedelta(days=900)
        )
    )
    stay_from = factory.LazyAttribute(
        lambda o: (
            timezone.localdate(o.registration.event.starts_at)
            - datetime.timedelta(days=2)
        )
    )
    stay_until = factory.LazyAttribute(
        lambda o: (
            timezone.localdate(o.registration.event.ends_at)
            + datetime.timedelta(days=2)
        )
    )
    mission = "Embassy of Japan in the Philippines, Manila"


class VisaLetterheadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisaLetterhead

    event = factory.SubFactory(EventFactory)
    header = (
        "Ministry of Foreign Affairs of Japan\n"
        "Human Rights and Refugee Division\n"
        "2-2-1 Kasumigaseki, Chiyoda-ku, Tokyo 100-8919"
    )
    header_ja = "外務省\n人権人道課\n〒100-8919 東京都千代田区霞が関2-2-1"
    signatory_name = "Taro Suzuki"
    signatory_name_ja = "鈴木 太郎"
    signatory_title = "Director, Human Rights and Refugee Division"
    signatory_title_ja = "人権人道課長"

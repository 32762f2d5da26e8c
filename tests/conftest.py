from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from tests.factories import EventFactory, OrganisationFactory, SessionFactory


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def seed(db):
    """Return a function that adds ``count`` realistic delegates to one event."""
    event = EventFactory(capacity=5_000)
    SessionFactory.create_batch(5, event=event)
    OrganisationFactory.create_batch(8)

    def seed(count: int):
        call_command(
            "seed_fake_registrations", count=count, seed=count, stdout=StringIO()
        )
        return event

    return seed


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "chief", "chief@mofa.example", "correct horse battery staple"
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache, so that rate limits do not leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _language_reset():
    """End every test in the default language.

    A request for a Japanese page activates Japanese in the test's thread and
    leaves it active; the next test would otherwise reverse /ja/ addresses.
    """
    yield
    translation.deactivate()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can see a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

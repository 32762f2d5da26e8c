import importlib
import os
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation

from tests.browser_helpers import CHROMIUM_PATH
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
def reviewers_group(db):
    """Return the Reviewers group, made again if a transactional test flushed it.

    A migration creates the group; the flush after a test that commits
    empties every table, so tests that commit ask for it here.
    """
    from django.apps import apps

    importlib.import_module(
        "registrations.migrations.0003_reviewers_group"
    ).create_reviewers(apps, None)
    importlib.import_module(
        "registrations.migrations.0012_reviewers_manage_delegations"
    ).grant(apps, None)
    importlib.import_module("registrations.migrations.0015_check_ins").grant_reviewers(
        apps, None
    )
    return Group.objects.get(name="Reviewers")


@pytest.fixture
def door_staff_group(db):
    """Return the Door staff group, made again if a transactional test flushed it."""
    from django.apps import apps

    importlib.import_module(
        "registrations.migrations.0015_check_ins"
    ).create_door_staff(apps, None)
    return Group.objects.get(name="Door staff")


@pytest.fixture
def protocol_group(db):
    """Return the Protocol group, made again if a transactional test flushed it."""
    from django.apps import apps

    importlib.import_module(
        "registrations.migrations.0017_visa_letters"
    ).create_protocol(apps, None)
    return Group.objects.get(name="Protocol")


@pytest.fixture
def protocol_officer(protocol_group):
    """Return a member of staff of the Protocol group (reads passport data)."""
    user = get_user_model().objects.create_user(
        "protocol", "protocol@mofa.example", "a long protocol passphrase", is_staff=True
    )
    user.groups.add(protocol_group)
    return user


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser(
        "chief", "chief@mofa.example", "correct horse battery staple"
    )


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Keep every test's uploads in a folder of its own, removed after it."""
    root = tmp_path / "private-media"
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {**settings.STORAGES["private"]["OPTIONS"], "location": root},
        },
    }
    return root


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache, so that rate limits do not leak.

    The process's own copies of cached pages and choices go with it.
    """
    from django.core.cache import cache

    from registrations import caching

    cache.clear()
    caching.forget_local_copies()
    yield
    cache.clear()
    caching.forget_local_copies()


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


@pytest.fixture(scope="module")
def browser():
    # Playwright's synchronous API runs an event loop in this thread; the
    # tests' own database calls are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]

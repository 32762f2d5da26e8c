"""The event page and the blank form come from the cache, yet never show old seats.

Changes drop the cached copies when their transaction commits; each test runs
in one transaction, so changes are made inside
``django_capture_on_commit_callbacks(execute=True)``, as a commit would.
"""

import datetime
import re

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from registrations import caching, services
from registrations.models import Organisation, Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
)
from tests.test_registration_views import form_data, register_url

pytestmark = pytest.mark.django_db
Status = Registration.Status
HOME = "/en/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user("reviewer", password="x" * 20)


@pytest.fixture
def session(event):
    return SessionFactory(event=event, title="Legal framework", capacity=3)


def page(client, url=HOME) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def anonymous_request(url):
    """Return a request for ``url`` from a visitor without a session."""
    request = RequestFactory().get(url)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_event_page_is_served_again_without_a_query(
    client, session, django_assert_num_queries
):
    first = page(client)
    with django_assert_num_queries(0):
        assert page(client) == first
    assert "3 seats left" in first


def test_the_form_page_is_served_again_without_a_query(
    client, event, session, django_assert_num_queries
):
    first = page(client, register_url(event))
    with django_assert_num_queries(0):
        again = page(client, register_url(event))
    assert "Legal framework" in again and "Send my registration" in again
    assert TOKEN.sub("", again) == TOKEN.sub("", first)


def test_each_visitor_of_the_kept_form_page_gets_a_token_that_works(event, session):
    visitors = [Client(enforce_csrf_checks=True) for _ in range(2)]
    tokens = [
        TOKEN.search(page(visitor, register_url(event)))[1] for visitor in visitors
    ]
    assert tokens[0] != tokens[1]
    assert caching.CSRF_PLACEHOLDER not in "".join(tokens)
    for number, (visitor, token) in enumerate(zip(visitors, tokens, strict=True)):
        data = form_data(event, email=f"visitor{number}@example.org")
        data["email_confirmation"] = data["email"]
        response = visitor.post(
            register_url(event), {**data, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302, response.content.decode()[:500]
    assert Registration.objects.filter(event=event).count() == 2


def test_the_kept_form_page_holds_no_visitors_token(client, event, session):
    token = TOKEN.search(page(client, register_url(event)))[1]
    request = anonymous_request(register_url(event))
    kept = cache.get(caching.page_key(request))[1].decode()
    assert caching.CSRF_PLACEHOLDER in kept and token not in kept


def test_a_copy_built_while_a_change_commits_is_not_served(event):
    request = anonymous_request(HOME)
    key = caching.page_key(request)
    copy, version = caching.cached_page(key)
    assert copy is None
    # The change commits after the page read its data, before it is kept.
    cache.set(caching.VERSION_KEY, "after the change", timeout=None)
    caching.keep_page(key, HttpResponse("old seats"), event=event, version=version)
    assert caching.cached_page(key)[0] is None
    caching.keep_page(
        key, HttpResponse("new seats"), event=event, version="after the change"
    )
    assert caching.cached_page(key)[0].content == b"new seats"


class Unreachable:
    """A cache that fails the test when it is asked anything."""

    def __getattr__(self, name):
        raise AssertionError(f"the cache was asked ({name})")


def test_a_page_read_from_the_cache_is_served_again_without_asking_it(
    client, session, monkeypatch
):
    built = page(client)
    assert page(client) == built
    monkeypatch.setattr(caching, "cache", Unreachable())
    assert page(client) == built


class CountedReads:
    """The cache, counting its reads; ``during_read`` runs inside each one."""

    def __init__(self, during_read=None):
        self.reads = 0
        self.during_read = during_read

    def get_many(self, keys):
        self.reads += 1
        found = cache.get_many(keys)
        if self.during_read:
            self.during_read()
        return found

    def __getattr__(self, name):
        return getattr(cache, name)


def test_a_copy_read_while_this_process_commits_a_change_is_not_held(
    client, session, monkeypatch
):
    page(client)
    # Another thread's change commits while this request reads the old copy.
    racing = CountedReads(during_read=caching.new_version)
    monkeypatch.setattr(caching, "cache", racing)
    page(client)
    racing.during_read = None
    page(client)
    assert racing.reads == 2


def test_a_change_another_server_committed_shows_here_within_a_second(client, session):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        page(client)
        page(client)
        # Another process renames the session: no signal here, only the
        # version it changes in the shared cache after its commit.
        type(session).objects.filter(pk=session.pk).update(title="Border cooperation")
        cache.set(caching.VERSION_KEY, "after the other server's commit", timeout=None)
        assert "Legal framework" in page(client)
    with time_machine.travel(now + datetime.timedelta(seconds=1.5), tick=False):
        assert "Border cooperation" in page(client)


def test_a_change_this_server_committed_shows_on_a_held_page_at_once(
    client, session, django_capture_on_commit_callbacks
):
    page(client)
    page(client)
    with django_capture_on_commit_callbacks(execute=True):
        session.title = "Border cooperation"
        session.save()
    assert "Border cooperation" in page(client)


def test_a_page_is_held_no_longer_than_its_copy_is_kept(client, settings):
    settings.PUBLIC_PAGE_LOCAL_SECONDS = 60
    now = timezone.now()
    EventFactory(registration_closes_at=now + datetime.timedelta(seconds=5))
    assert "Register to attend" in page(client)
    assert "Register to attend" in page(client)
    with time_machine.travel(now + datetime.timedelta(seconds=6)):
        closed = page(client)
    assert "Registration for this event is closed." in closed


def test_pages_are_not_held_when_the_setting_is_zero(client, session, settings):
    settings.PUBLIC_PAGE_LOCAL_SECONDS = 0
    page(client)
    page(client)
    type(session).objects.filter(pk=session.pk).update(title="Border cooperation")
    cache.set(caching.VERSION_KEY, "after the other server's commit", timeout=None)
    assert "Border cooperation" in page(client)


def test_a_copy_an_earlier_release_kept_is_built_again(client, session):
    request = anonymous_request(HOME)
    version = caching.current_version()
    cache.set(caching.page_key(request), (version, b"kept by the last release"))
    assert "Legal framework" in page(client)


def test_each_language_has_its_own_copy(client, session):
    assert "Legal framework" in page(client, "/en/")
    assert session.title_ja in page(client, "/ja/")
    assert "Legal framework" in page(client, "/en/")


def test_an_approval_shows_in_the_seats_left_at_once(
    client, event, session, reviewer, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=event, sessions=[session])
    assert "3 seats left" in page(client)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=reviewer)
    assert "2 seats left" in page(client)


def test_the_last_seat_taken_marks_the_session_full_in_the_form(
    client, event, reviewer, django_capture_on_commit_callbacks
):
    small = SessionFactory(event=event, title="Small room", capacity=1)
    registration = RegistrationFactory(event=event, sessions=[small])
    assert "Full: choosing it puts" not in page(client, register_url(event))
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=reviewer)
    assert "Full: choosing it puts" in page(client, register_url(event))
    assert "Full: waiting list only" in page(client)


def test_a_cancelled_approval_frees_its_seat_on_the_page(
    client, event, session, django_capture_on_commit_callbacks
):
    seated = RegistrationFactory(
        event=event, status=Status.APPROVED, sessions=[session]
    )
    assert "2 seats left" in page(client)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seated)
    assert "3 seats left" in page(client)


def test_an_edited_session_shows_on_the_page_and_in_the_form(
    client, event, session, django_capture_on_commit_callbacks
):
    detail = reverse("registrations:event", kwargs={"slug": event.slug})
    for url in (HOME, detail, register_url(event)):
        assert "Legal framework" in page(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        session.title = "The UN protocol on smuggling"
        session.save()
    for url in (HOME, detail, register_url(event)):
        assert "The UN protocol on smuggling" in page(client, url)


def test_a_newly_invited_organisation_shows_on_the_page(
    client, event, django_capture_on_commit_callbacks
):
    assert "ECPAT International" not in page(client)
    with django_capture_on_commit_callbacks(execute=True):
        OrganisationFactory(name="ECPAT International", invited=True)
    assert "ECPAT International" in page(client)


def test_a_new_pending_registration_keeps_the_copies(
    client,
    event,
    session,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    data = form_data(event)
    page(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(event), data)
    assert response.status_code == 302
    with django_assert_num_queries(0):
        assert "3 seats left" in page(client)


def test_the_copies_stay_until_the_change_commits(client, event, session, reviewer):
    """A request that read the page meanwhile would otherwise keep the old seats."""
    registration = RegistrationFactory(event=event, sessions=[session])
    page(client)
    # Never committed: the test's transaction is rolled back at its end.
    services.registration_approve(registration=registration, by=reviewer)
    assert "3 seats left" in page(client)


def test_the_copy_expires_when_registration_closes(client):
    now = timezone.now()
    EventFactory(registration_closes_at=now + datetime.timedelta(seconds=5))
    assert "Register to attend" in page(client)
    with time_machine.travel(now + datetime.timedelta(seconds=6)):
        closed = page(client)
    assert "Registration for this event is closed." in closed
    assert "Register to attend" not in closed


def test_a_page_with_a_query_string_is_built_afresh(
    client, session, django_assert_max_num_queries
):
    page(client, HOME + "?utm_source=newsletter")
    with django_assert_max_num_queries(6) as context:
        page(client, HOME + "?utm_source=newsletter")
    assert len(context.captured_queries) > 0


def test_a_page_showing_a_message_is_neither_served_nor_kept_from_the_cache():
    request = anonymous_request(HOME)
    assert caching.page_key(request) is not None
    messages.success(request, "Your registration has been cancelled.")
    assert caching.page_key(request) is None


def test_the_cache_can_be_switched_off(
    client, session, settings, django_assert_max_num_queries
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    page(client)
    with django_assert_max_num_queries(6) as context:
        page(client)
    assert len(context.captured_queries) > 0


# A sent form is checked against what the blank form offers, kept in each
# process (``caching.form_choices``), and sees every change the pages see.


def submit(client, event, number: int, **fields):
    address = f"delegate{number}@example.org"
    data = form_data(event, email=address, email_confirmation=address, **fields)
    return client.post(register_url(event), data)


def registered(number: int) -> bool:
    return Registration.objects.filter(email=f"delegate{number}@example.org").exists()


def test_a_session_added_can_be_chosen_by_the_next_submission(
    client, event, session, django_capture_on_commit_callbacks
):
    listed = OrganisationFactory()
    chosen = {"organisation": listed, "sessions": [session.pk]}
    assert submit(client, event, 1, **chosen).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        added = SessionFactory(event=event, title="Border management")
    chosen["sessions"] = [added.pk]
    assert submit(client, event, 2, **chosen).status_code == 302
    assert registered(2)


def test_a_deleted_organisation_is_refused_to_the_next_submission(
    client, event, django_capture_on_commit_callbacks
):
    listed = OrganisationFactory()
    organisation = OrganisationFactory(name="Closed Foundation")
    assert submit(client, event, 1, organisation=listed).status_code == 302
    closed = organisation.pk
    with django_capture_on_commit_callbacks(execute=True):
        organisation.delete()
    response = submit(client, event, 2, organisation=closed)
    assert response.status_code == 200
    assert "That organisation is not on the list" in response.content.decode()
    assert not registered(2)


def added_by_another_server(name: str) -> Organisation:
    # No signal here, only the version it changes in the shared cache after
    # its commit.
    [added] = Organisation.objects.bulk_create([Organisation(name=name)])
    cache.set(caching.VERSION_KEY, "after the other server's commit", timeout=None)
    return added


def test_a_change_another_server_committed_is_seen_within_a_second(client, event):
    listed = OrganisationFactory()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert submit(client, event, 1, organisation=listed).status_code == 302
        added = added_by_another_server("Newly listed")
        # The version read for the first submission is held for a second.
        assert submit(client, event, 2, organisation=added).status_code == 200
    with time_machine.travel(now + datetime.timedelta(seconds=1.5), tick=False):
        assert submit(client, event, 3, organisation=added).status_code == 302
    assert registered(3)
    assert not registered(2)


def test_a_change_another_server_committed_is_seen_at_once_when_nothing_is_held(
    client, event, settings
):
    settings.PUBLIC_PAGE_LOCAL_SECONDS = 0
    assert (
        submit(client, event, 1, organisation=OrganisationFactory()).status_code == 302
    )
    added = added_by_another_server("Newly listed")
    assert submit(client, event, 2, organisation=added).status_code == 302
    assert registered(2)


def test_a_submission_within_the_second_asks_the_cache_nothing_for_its_choices(
    client, event, monkeypatch
):
    listed = OrganisationFactory()
    asked = []
    with time_machine.travel(timezone.now(), tick=False):
        assert submit(client, event, 1, organisation=listed).status_code == 302
        monkeypatch.setattr(caching, "current_version", lambda: asked.append(1) or "")
        assert submit(client, event, 2, organisation=listed).status_code == 302
    assert asked == []


@time_machine.travel(timezone.now(), tick=False)
def test_a_version_this_process_changes_is_held_no_more():
    held = caching.held_version()
    caching.new_version()  # What a commit here runs.
    assert caching.held_version() not in ("", held)


@time_machine.travel(timezone.now(), tick=False)
def test_a_version_read_while_this_process_commits_a_change_is_not_held(
    monkeypatch,
):
    read = caching.current_version

    def racing():
        # Another thread's change commits while this one reads the old version.
        version = read()
        caching.new_version()
        return version

    monkeypatch.setattr(caching, "current_version", racing)
    old = caching.held_version()
    monkeypatch.setattr(caching, "current_version", read)
    assert caching.held_version() not in ("", old)


def test_the_kept_choices_expire_after_the_pages_timeout(client, event, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    listed = OrganisationFactory()
    assert submit(client, event, 1, organisation=listed).status_code == 302
    # Added by SQL typed by hand: neither a signal nor a new version.
    [added] = Organisation.objects.bulk_create([Organisation(name="Typed by hand")])
    assert submit(client, event, 2, organisation=added).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31)):
        assert submit(client, event, 3, organisation=added).status_code == 302
    assert registered(3)


def test_the_done_page_names_a_full_session_by_the_counts_the_form_shows(
    client, event, reviewer, django_capture_on_commit_callbacks
):
    small = SessionFactory(event=event, title="Small room", capacity=1)
    seated = RegistrationFactory(event=event, sessions=[small])
    chosen = {"organisation": OrganisationFactory(), "sessions": [small.pk]}
    response = submit(client, event, 1, **chosen)
    assert "Small room" not in client.get(response.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=seated, by=reviewer)
    response = submit(client, event, 2, **chosen)
    assert "Small room" in client.get(response.url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_session_deleted_behind_the_kept_choices_is_refused_with_the_answers_kept(
    client, event
):
    listed = OrganisationFactory()
    going = SessionFactory(event=event, title="Cancelled workshop")
    assert submit(client, event, 1, organisation=listed).status_code == 302
    # Deleted by SQL typed by hand: no signal, no new version; the kept
    # choices still offer it.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registrations_session WHERE id = %s", [going.pk])
    response = submit(client, event, 2, organisation=listed, sessions=[going.pk])
    page = response.content.decode()
    assert response.status_code == 200
    assert "A session or the organisation you chose is no longer offered" in page
    assert 'value="delegate2@example.org"' in page
    # The form shown again offers what is left, not what was kept.
    assert "Cancelled workshop" not in page
    assert not registered(2)
    # The choices are read again: the session is not offered any more.
    response = submit(client, event, 3, organisation=listed, sessions=[going.pk])
    assert "One of the chosen sessions is not in this programme" in (
        response.content.decode()
    )

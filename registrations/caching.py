"""Short-lived copies of the public pages, dropped as soon as what they show changes.

The event page (the site's home page) and the blank registration form are the
same for every visitor of one language, yet building them counts the approved
seats of every session over all the registrations. They are kept in the cache
(Redis in production, shared by every worker and server) for at most
``PUBLIC_PAGE_CACHE_SECONDS``.

Every cached copy is filed under a version token; changing the token drops them
all at once. It changes after the transaction commits that

- saves or deletes an event, a session, a speaker, a speaker's place in a
  session or an organisation (the signal receivers below: the admin, the
  management commands and the shell alike), or
- changes the seats taken: an approval, the cancellation of an approved
  registration, an approved delegate's change of sessions, the deletion of
  expired registrations (``services`` sends ``signals.seats_changed``).

Each process also keeps what a sent form is checked against (the event, its
sessions with their seats taken, the organisations: ``form_choices``) under
the same token, and drops it at once when this process makes such a change.

Each process serves a page it has just read from the cache again, without
asking, for ``PUBLIC_PAGE_LOCAL_SECONDS`` (a second): when many visitors come
at once, as when registration opens, most are then served from the process's
memory; a sent form's choices are checked against the token read in that
second too. A change this process commits drops what it holds at once; one
that another process commits shows here within that second.

A new pending registration takes no seat and keeps the copies. What changes in
other ways (a registration deleted in the admin, SQL typed by hand) shows within
the timeout, which is therefore the longest a page can be out of date. A copy of
an event page also expires when the event's registration opens or closes, or
the event ends, so that the page never offers a closed form.
"""

import datetime
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from registrations import signals
from registrations.models import Event, Organisation, Session, SessionSpeaker, Speaker

VERSION_KEY = "public-pages:version"


def public_pages_changed() -> None:
    """Drop every cached public page once the current transaction commits.

    Changing the token only after the commit means that a request which reads
    the new token also reads the committed data, so no copy of the old data can
    be filed under the new token.
    """
    transaction.on_commit(new_version, robust=True)


def new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    drop_held_pages()


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY, "")
    return version


def enabled() -> bool:
    return settings.PUBLIC_PAGE_CACHE_SECONDS > 0


def release() -> str:
    # The manifest's hash changes with every release of the static files, whose
    # hashed names the pages link to.
    return getattr(staticfiles_storage, "manifest_hash", "")


def cache_key(*parts) -> str:
    return ":".join(
        ["public-page", current_version(), release(), get_language(), *map(str, parts)]
    )


# Whole pages


def page_key(request: HttpRequest) -> str | None:
    """Return the key of the page ``request`` asks for, or None if not cacheable.

    A page with a query string, or one that will show a message to this visitor
    alone, is built afresh and not kept. A copy is kept with the version of the
    data it was built from, so that one read of the cache finds both.
    """
    if not enabled() or request.method not in ("GET", "HEAD") or request.GET:
        return None
    if len(get_messages(request)):
        return None
    return ":".join(["public-page", release(), get_language(), "page", request.path])


# By page key: (until when, the version, the page), each a copy this process
# read from the cache and found current. A copy read while they were dropped
# (another thread's, under an older generation) is not held.
_held_pages: dict[str, tuple[float, str, bytes]] = {}
_held_generation = 0


# The version a sent form's choices were last checked against: (until when,
# the version), held as the pages are.
_held_version: tuple[float, str] | None = None


def drop_held_pages() -> None:
    global _held_generation, _held_version
    _held_generation += 1
    _held_pages.clear()
    _held_version = None


def held_version() -> str:
    """Return the version, read from the cache once a ``PUBLIC_PAGE_LOCAL_SECONDS``.

    As a held page is served: a change this process commits shows at once,
    one another process commits within that second.
    """
    global _held_version
    now = time.time()
    held = _held_version
    if held is not None and now < held[0]:
        return held[1]
    generation = _held_generation
    version = current_version()
    if version and generation == _held_generation:
        _held_version = (now + settings.PUBLIC_PAGE_LOCAL_SECONDS, version)
    return version


def cached_page(key: str | None) -> tuple[HttpResponse | None, str]:
    """Return the kept copy of a page if it shows the current data, and the version.

    The version is read before the page would be built, and a copy built now
    is kept under it (``keep_page``): a change committed meanwhile leaves that
    copy out of date at once. A copy found current is held by this process
    for ``PUBLIC_PAGE_LOCAL_SECONDS``, never past the copy's own end, and
    served again meanwhile without a read of the cache.
    """
    if key is None:
        return None, ""
    now = time.time()
    held = _held_pages.get(key)
    if held is not None and now < held[0]:
        return HttpResponse(held[2]), held[1]
    generation = _held_generation
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or current_version()
    kept = found.get(key)
    # A copy of another shape was kept by an earlier release of the code.
    if not (isinstance(kept, tuple) and len(kept) == 3 and kept[0] == version):
        return None, version
    _version, content, until = kept
    hold_until = min(now + settings.PUBLIC_PAGE_LOCAL_SECONDS, until)
    if hold_until > now and generation == _held_generation:
        _held_pages[key] = (hold_until, version, content)
    return HttpResponse(content), version


# A page with a form is the same for every visitor but for the form's CSRF
# token: it is built and kept with this in the token's place, and each
# response carries the visitor's own token there.
CSRF_PLACEHOLDER = "csrf-token-of-this-visitor"


def form_page_context(context: dict) -> dict:
    """Return ``context`` for building a page with a form that can be kept."""
    return {**context, "csrf_token": CSRF_PLACEHOLDER}


def with_visitor_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Put the visitor's CSRF token where a form page holds the placeholder."""
    response.content = response.content.replace(
        CSRF_PLACEHOLDER.encode(), get_token(request).encode()
    )
    return response


def keep_page(
    key: str | None, response: HttpResponse, *, event: Event, version: str
) -> None:
    """Keep the response's page, built from ``version``'s data, for a while.

    Until the timeout or the event's next milestone, whichever comes first.
    """
    if key is None or response.status_code != 200 or response.cookies:
        return
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    now = timezone.now()
    milestones = [
        event.registration_opens_at,
        event.registration_closes_at,
        event.ends_at,
    ]
    for moment in milestones:
        if moment > now:
            seconds = min(seconds, (moment - now) / datetime.timedelta(seconds=1))
    if seconds >= 1:
        seconds = int(seconds)
        until = time.time() + seconds
        cache.set(key, (version, response.content, until), timeout=seconds)


def served_page(
    request: HttpRequest, build: Callable[[], tuple[HttpResponse, Event | None]]
) -> HttpResponse:
    """Serve the page ``request`` asks for from the cache, or build and keep it.

    ``build`` returns the page and the event it shows, whose milestones end
    the copy; None for a page that is not kept (the one saying there is no
    event).
    """
    key = page_key(request)
    response, version = cached_page(key)
    if response is None:
        response, event = build()
        if event is not None:
            keep_page(key, response, event=event, version=version)
    return response


# Parts of pages


def cached_fragment(name: str, *parts, build: Callable[[], str]) -> SafeString:
    """Return the HTML ``build`` makes, from the cache when a copy is there."""
    if not enabled():
        return mark_safe(build())
    key = cache_key(name, *parts)
    html = cache.get(key)
    if html is None:
        html = str(build())
        cache.set(key, html, timeout=settings.PUBLIC_PAGE_CACHE_SECONDS)
    return mark_safe(html)


# What a sent form is checked against


@dataclass(frozen=True)
class FormChoices:
    """An event and the choices its registration form offers, by id.

    The sessions carry their seats taken (``approved_count``) as the blank form
    counts them: enough to tell a delegate which sessions are full. Whether a
    seat is free is decided again by the services, under their locks.
    """

    event: Event
    sessions: dict[int, Session]
    organisations: dict[int, Organisation]

    @classmethod
    def of_event(cls, slug: str) -> "FormChoices":
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            raise Http404("No event has this address.")
        return cls(
            event=event,
            sessions={s.pk: s for s in event.sessions.with_approved_count()},
            organisations={o.pk: o for o in Organisation.objects.all()},
        )


# By event slug: (the version they were read at, until when, the choices).
_kept_choices: dict[str, tuple[str, float, FormChoices]] = {}


def form_choices(slug: str) -> FormChoices:
    """Return the event ``slug`` names and its form's choices; 404 if there is none.

    Each process keeps them while the version of the public pages stands, for
    ``PUBLIC_PAGE_CACHE_SECONDS`` at most, as it keeps the blank form they are
    shown in: a submission reads the version, held as the pages are
    (``held_version``), not the event, its sessions and the organisations.
    They are read-only: share them, never change them.
    """
    version = held_version() if enabled() else None
    if not version:
        # Not kept: without a cache to say when they change (Redis away,
        # say), each submission reads them.
        return FormChoices.of_event(slug)
    now = time.time()
    kept = _kept_choices.get(slug)
    if kept is not None and kept[0] == version and now < kept[1]:
        return kept[2]
    choices = FormChoices.of_event(slug)
    _kept_choices[slug] = (version, now + settings.PUBLIC_PAGE_CACHE_SECONDS, choices)
    return choices


def forget_local_copies() -> None:
    """Drop what this process keeps of the cache: the choices and the held pages.

    When a submission finds one of its choices gone, say.
    """
    _kept_choices.clear()
    drop_held_pages()


# What the pages show


@receiver(signals.seats_changed)
@receiver(post_save, sender=Event)
@receiver(post_delete, sender=Event)
@receiver(post_save, sender=Session)
@receiver(post_delete, sender=Session)
@receiver(post_save, sender=Speaker)
@receiver(post_delete, sender=Speaker)
@receiver(post_save, sender=SessionSpeaker)
@receiver(post_delete, sender=SessionSpeaker)
@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
def shown_data_changed(sender, **kwargs) -> None:
    # This process's choices at once, every process's copies after the commit.
    forget_local_copies()
    public_pages_changed()

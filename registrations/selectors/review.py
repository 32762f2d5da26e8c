"""The reviewers' list: its rows, its search, and what its filters offer.

Written for 100,000 registrations: each read here is one query whose cost
follows the page, the periods or the distinct values shown, not the number of
registrations (``benchmarks/paths_benchmark.py`` measures them).
"""

import datetime
import itertools
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import (
    Count,
    Exists,
    F,
    Lookup,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, Upper
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal

from registrations.models import Organisation, Registration, RegistrationSession
from registrations.models.searching import SEARCHED_FIELDS, SEARCHED_FIELDS_APART

Status = Registration.Status

# What the reviewers' search looks in: each word must be in one of them.
REGISTRATION_SEARCH_FIELDS = [
    *SEARCHED_FIELDS,
    "organisation__name",
    "organisation__acronym",
]
# The organisation's fields, searched in its own table first: the
# registration's own are read together, upper-cased, from ``search_text``.
ORGANISATION_SEARCH_FIELDS = {
    field.removeprefix("organisation__")
    for field in REGISTRATION_SEARCH_FIELDS
    if field.startswith("organisation__")
}


def waitlist_positions(registrations: Iterable[Registration]) -> dict[int, int]:
    """Return the waiting-list place of each waitlisted registration, in one query.

    1 is next on the list; the list is in the order registrations joined it
    (``status_changed_at``), oldest first, ties broken by id. For each event,
    those ahead of the earliest asked are counted, and only the stretch of
    the list from the earliest to the latest asked is numbered: a page of the
    reviewers' list holds a short stretch of it, and numbering the whole
    list (40,000 at the largest) cost more than counting it, both from the
    waiting-order index alone.
    """
    waiting = {r.pk: r for r in registrations if r.status == Status.WAITLISTED}
    if not waiting:
        return {}
    stretches, params = [], []
    by_event = itertools.groupby(
        sorted(waiting.values(), key=lambda r: r.event_id), key=lambda r: r.event_id
    )
    for event_id, asked in by_event:
        joined = [r.status_changed_at for r in asked]
        on_list = Registration.objects.filter(
            event_id=event_id, status=Status.WAITLISTED
        )
        ahead = (
            on_list.filter(status_changed_at__lt=min(joined))
            .order_by()
            .values("event_id")
            .annotate(total=Count("*"))
            .values("total")
        )
        stretch = (
            on_list.filter(
                status_changed_at__gte=min(joined), status_changed_at__lte=max(joined)
            )
            .annotate(
                row_id=F("pk"),
                place=Window(
                    RowNumber(), order_by=[F("status_changed_at").asc(), F("pk").asc()]
                ),
                ahead=Coalesce(Subquery(ahead), 0),
            )
            .order_by()
            .values_list("row_id", "place", "ahead")
        )
        sql, stretch_params = stretch.query.sql_with_params()
        stretches.append(f"SELECT * FROM ({sql}) AS stretch")
        params += stretch_params
    # The places are numbered over each stretch before the rows asked for are
    # picked out, so the pick is a query around the numbered ones.
    ids = list(waiting)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_id, place + ahead FROM ({' UNION ALL '.join(stretches)})"
            f" AS numbered WHERE row_id IN ({marks})",
            [*params, *ids],
        )
        return dict(cursor.fetchall())


def status_counts(queryset: QuerySet) -> dict[str, int]:
    """Return how many registrations of ``queryset`` are in each status.

    Filtered, one grouped query. Unfiltered, one count per status in one
    query, each read from the status index alone: grouping every
    registration by its status took half as long again at 100,000.
    """
    if queryset.query.has_filters():
        grouped = queryset.order_by().values_list("status").annotate(total=Count("pk"))
        counts = dict(grouped)
        return {status: counts.get(status, 0) for status in Status.values}
    counted, params = [], []
    for status in Status.values:
        statuses = queryset.filter(status=status).order_by().values("status")
        sql, status_params = statuses.query.get_compiler(using=queryset.db).as_sql()
        counted.append(f"(SELECT COUNT(*) FROM ({sql}) AS of_status)")
        params += status_params
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(counted)}", params)
        return dict(zip(Status.values, cursor.fetchone(), strict=True))


def registrations_for_review(registrations: QuerySet) -> QuerySet:
    """Annotate what the reviewers' list shows: the number of sessions chosen.

    A correlated subquery: the database evaluates it for the rows of the page
    only, not for the whole filtered list. The waiting-list places come from
    ``waitlist_positions``, once for the page.
    """
    sessions_chosen = (
        RegistrationSession.objects.filter(registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(total=Count("*"))
        .values("total")
    )
    return registrations.annotate(sessions_total=Coalesce(Subquery(sessions_chosen), 0))


# On PostgreSQL, a word found in at most this many registrations is looked
# up once, on the trigram index of ``search_text``, and the list's other
# queries (its counts, its page, its dates) read those rows by their ids
# rather than searching again. A word in more (a tenth of the registrations,
# at 100,000) is searched by each query, which reads the table for it.
SEARCH_BY_IDS = 10_000
# pg_trgm finds in its index only words of at least three characters.
TRIGRAM = 3
# A list of at most this many registrations is read row by row for the
# periods of its date hierarchy, rather than probed period by period.
SHORT_LIST = 10_000


class _AmongIds(Lookup):
    """``lhs IN (SELECT unnest(%s))``: the ids as one array parameter (PostgreSQL).

    ``pk__in`` writes, and has Django prepare, one parameter per id: with a
    few thousand, in each of the list's queries, that cost more than the
    queries. As ``= ANY(%s)`` the array is searched from its start for each
    row the database reads (for the first submission, every row of the
    submission index: seconds); as a set of rows, it is joined on the
    primary key.
    """

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT unnest(%s))", [*params, list(self.rhs)]


def registrations_searched(registrations: QuerySet, text: str) -> QuerySet:
    """Return the registrations in which every word of ``text`` is found.

    A word is found when a field of ``REGISTRATION_SEARCH_FIELDS`` contains it,
    in any letter case; "quoted words" are searched as one. The admin's
    search box and the exports of its list both search this way.
    """
    words = []
    for word in smart_split(text):
        if word[:1] in "\"'" and word[0] == word[-1] and len(word) > 1:
            word = unescape_string_literal(word)
        words.append((word, _found(word)))
    if connection.vendor != "postgresql":
        return registrations.filter(*(condition for _word, condition in words))
    found, left = None, []
    for word, condition in words:
        ids = _ids_meeting(condition) if len(word) >= TRIGRAM else None
        if ids is None:
            left.append((word, condition))
        else:
            found = ids if found is None else found & ids
    short = next((item for item in left if len(item[0]) < TRIGRAM), None)
    if found is None and short is not None:
        # No word the index finds in few: a short one is looked for once, in
        # one reading of the table, rather than by each of the list's queries.
        found = _ids_meeting(short[1])
        if found is not None:
            left.remove(short)
    if found:
        registrations = registrations.filter(_AmongIds(F("pk"), sorted(found)))
    elif found is not None:
        return registrations.none()
    return registrations.filter(*(condition for _word, condition in left))


def _found(word: str) -> Q:
    """Return the condition of ``word`` being in a searched field."""
    # The organisations first, by their ids: the condition then stays on the
    # registrations' table, where the index serves it.
    organisations = list(
        Organisation.objects.filter(
            Q.create(
                [(f"{field}__icontains", word) for field in ORGANISATION_SEARCH_FIELDS],
                connector=Q.OR,
            )
        ).values_list("pk", flat=True)
    )
    # No single field holds a line break, which separates them in the text.
    in_text = (
        Q(pk__in=[])
        if SEARCHED_FIELDS_APART in word
        else Q(search_text__contains=Upper(Value(word)))
    )
    return in_text | Q(organisation__in=organisations)


def _ids_meeting(condition: Q) -> set[int] | None:
    """Return the ids of the registrations meeting ``condition``, if few.

    None when more than ``SEARCH_BY_IDS`` do.
    """
    meeting = Registration.objects.filter(condition).order_by()
    found = set(meeting.values_list("pk", flat=True)[: SEARCH_BY_IDS + 1])
    return found if len(found) <= SEARCH_BY_IDS else None


def submission_dates(
    registrations: QuerySet,
    kind: str,
    bounds: dict | None = None,
    *,
    short: bool = False,
) -> list[datetime.datetime]:
    """Return the years, months or days in which ``registrations`` were submitted.

    What ``registrations.datetimes("submitted_at", kind)`` returns (the start
    of each period, in the current time zone), found by probing the
    submission index once per period between the first and the last rather
    than truncating every registration's date. ``bounds`` are the first and
    last submission if already read. A ``short`` list (of at most
    ``SHORT_LIST``) is read once and each period probed in the rows read.
    """
    if bounds is None:
        bounds = submission_bounds(registrations, short=short)
    if bounds["first"] is None:
        return []
    starts = period_starts(
        timezone.localtime(bounds["first"]), timezone.localtime(bounds["last"]), kind
    )
    # The list's query is written once and each probe reads it for its
    # period: one Exists() of the list per period had the ORM copy, relabel
    # and compile the whole list (its annotations included) twelve times.
    listed = registrations.order_by().values("submitted_at")
    try:
        sql, params = listed.query.get_compiler(using=listed.db).as_sql()
    except EmptyResultSet:
        return []
    database = connections[listed.db]
    adapt = database.ops.adapt_datetimefield_value
    column = database.ops.quote_name("submitted_at")
    if short:
        # Read once: each probe through the index would find the rows again
        # (a search's by their ids, thousands of look-ups a period).
        kept = "MATERIALIZED " if database.vendor == "postgresql" else ""
        head, source = f"WITH listed AS {kept}({sql}) ", "listed"
        values, each = [*params], []
    else:
        head, source = "", f"({sql}) AS listed"
        values, each = [], params
    probe = (
        f"EXISTS(SELECT 1 FROM {source}"
        f" WHERE listed.{column} >= %s AND listed.{column} < %s)"
    )
    periods = list(itertools.pairwise(starts))
    for start, end in periods:
        values += [*each, adapt(start), adapt(end)]
    with database.cursor() as cursor:
        cursor.execute(head + "SELECT " + ", ".join([probe] * len(periods)), values)
        found = cursor.fetchone()
    return [start for (start, _end), used in zip(periods, found, strict=True) if used]


def submission_bounds(registrations: QuerySet, *, short: bool = False) -> dict:
    """Return the ``first`` and the ``last`` submission of ``registrations``.

    Each read from one end of the submission index: ``MIN``/``MAX`` over a
    filtered list (a session's, say) read every row the filters let through,
    which for a ``short`` list is the cheaper way: two walks of the index
    looked each of a search's ids up again.
    """
    if short:
        return registrations.aggregate(
            first=Min("submitted_at"), last=Max("submitted_at")
        )
    ends = {
        "first": registrations.order_by("submitted_at"),
        "last": registrations.order_by("-submitted_at"),
    }
    found = Registration.objects.order_by().values(
        **{
            end: Subquery(ordered.values("submitted_at")[:1])
            for end, ordered in ends.items()
        }
    )[:1]
    return found[0] if found else {"first": None, "last": None}


def period_starts(
    first: datetime.datetime, last: datetime.datetime, kind: str
) -> list[datetime.datetime]:
    """Return the local starts of the periods from ``first``'s to past ``last``'s."""
    zone = timezone.get_current_timezone()
    day = first.date().replace(
        month=1 if kind == "year" else first.month,
        day=1 if kind != "day" else first.day,
    )
    starts = []
    while True:
        starts.append(datetime.datetime.combine(day, datetime.time(), zone))
        if starts[-1] > last:
            return starts
        if kind == "day":
            day += datetime.timedelta(days=1)
        elif kind == "month":
            day = (day + datetime.timedelta(days=32)).replace(day=1)
        else:
            day = day.replace(year=day.year + 1)


def registration_countries() -> set[str]:
    """Return the country codes that registrations name, each once.

    A walk from each value of the country index to the next (a loose index
    scan): one probe per country named rather than reading every registration.
    """
    quote = connection.ops.quote_name
    table = quote(Registration._meta.db_table)
    column = quote(Registration._meta.get_field("country").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE named(code) AS ("
            f" SELECT MIN({column}) FROM {table}"
            f" UNION ALL SELECT (SELECT MIN({column}) FROM {table}"
            f" WHERE {column} > named.code) FROM named WHERE named.code IS NOT NULL"
            ") SELECT code FROM named WHERE code IS NOT NULL"
        )
        return {code for (code,) in cursor.fetchall()}


def with_registrations(model_field) -> Q:
    """Return the condition that a related row has registrations through the field."""
    return Q(
        Exists(
            Registration.objects.filter(**{model_field.name: OuterRef("pk")}).order_by()
        )
    )

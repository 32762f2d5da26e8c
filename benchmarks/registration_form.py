"""The registration form as a browser fills it in, for the benchmarks' delegates.

``locustfile.py`` (the load benchmark) and ``fault_benchmark.py`` both submit
the real form: the CSRF token of the page fetched, a listed organisation, a few
of the sessions it offers, a fresh address.
"""

import re

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ORGANISATION_SELECT = re.compile(r'<select name="organisation".*?</select>', re.S)
OPTION_VALUE = re.compile(r'<option value="(\d+)"')
SESSION_VALUE = re.compile(r'name="sessions" value="(\d+)"')


def csrf_token(page: str) -> str | None:
    """Return the CSRF token of the form on ``page``, if there is one."""
    found = CSRF_TOKEN.search(page)
    return found.group(1) if found else None


def organisation_fields(organisations: list[str], number: int) -> list[tuple]:
    """Choose a listed organisation, or type one when the list is empty."""
    if organisations:
        chosen = organisations[number % len(organisations)]
        return [("organisation", chosen), ("organisation_other", "")]
    return [("organisation", ""), ("organisation_other", "Benchmark NGO")]


def filled_in(form: str, *, email: str, number: int) -> list[tuple] | None:
    """Return the fields a delegate sends for the form on ``form``, or None."""
    token = csrf_token(form)
    if token is None:
        return None
    select = ORGANISATION_SELECT.search(form)
    organisations = OPTION_VALUE.findall(select.group(0)) if select else []
    sessions = SESSION_VALUE.findall(form)
    return [
        ("csrfmiddlewaretoken", token),
        ("honorific", "dr"),
        ("given_name", "Load"),
        ("family_name", f"Tester {chr(ord('A') + number % 26)}"),
        ("name_ja", ""),
        ("email", email),
        ("email_confirmation", email),
        *organisation_fields(organisations, number),
        ("position", "Programme Officer"),
        ("country", "TH"),
        ("category", "ngo"),
        *[("sessions", pk) for pk in sessions[number % 3 :: 3]],
        ("dietary_needs", ""),
        ("accessibility_needs", ""),
        ("interpretation", "none"),
        ("consent", "on"),
        ("website", ""),
    ]

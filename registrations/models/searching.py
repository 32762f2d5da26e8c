"""What the reviewers' search reads of a registration (``selectors.review``)."""

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Upper

# The registration's own fields that the search looks in, and what separates
# them in ``Registration.search_text``: a line break, which no single-line
# field holds.
SEARCHED_FIELDS = (
    "family_name",
    "given_name",
    "name_ja",
    "email",
    "organisation_other",
)
SEARCHED_FIELDS_APART = "\n"


def searched_text() -> Upper:
    """Return the searched fields, one after another, upper-cased."""
    parts = [
        part
        for name in SEARCHED_FIELDS
        for part in (Value(SEARCHED_FIELDS_APART), F(name))
    ]
    return Upper(Concat(*parts[1:], output_field=models.TextField()))

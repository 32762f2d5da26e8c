"""The attendee list's cells as PostgreSQL computes them.

The expressions with which ``columns.COLUMNS`` declare each cell for the
database, beside the function that makes it in Python: given the export's
``Labels``, each gives for one registration the value the Python cell gives
for its values. PostgreSQL then writes the CSV file's lines from them
(``csv_lines``).
"""

import json
from collections.abc import Mapping

from django.db.models import (
    Expression,
    Func,
    JSONField,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from registrations.models.bilingual import japanese_is_active


class LabelOf(Func):
    """The text that ``labels`` give ``key``, or NULL when they give none.

    ``labels`` go to the database once per query, as a JSON object that
    PostgreSQL reads once, rather than as a ``CASE`` of every value: the
    countries alone are 250.
    """

    template = "(%(expressions)s)"
    arg_joiner = " ->> "
    output_field = TextField()

    def __init__(self, labels: Mapping, key: Expression):
        table = json.dumps({str(value): label for value, label in labels.items()})
        super().__init__(Cast(Value(table), JSONField()), Cast(key, TextField()))


def choice_label(labels: Mapping, value: Expression) -> Expression:
    """A choice's label; an unknown (old) value shows as stored, None as nothing."""
    return Coalesce(LabelOf(labels, value), Cast(value, TextField()))


def in_active_language(english: Expression, japanese: Expression) -> Expression:
    """``bilingual.in_active_language`` for the language active now.

    The Japanese where there is one when Japanese is active, else the English.
    """
    if japanese_is_active():
        return Coalesce(NullIf(japanese, Value("")), english)
    return english

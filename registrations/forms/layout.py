"""Parts of a form's layout written once, for the blank form, and then reused.

The blank registration form is the same for every visitor of one language
but for the choices some of its fields offer: the organisations, the event's
categories, the sessions with the full ones marked. crispy-forms renders each
field through several templates on every request that builds the form afresh
(after any change to the programme, and at every expiry of the cached page).
``KeptPart`` renders its part of the layout once for each language and set
of choices in each process, and only for a blank form: one that shows
nobody's values or errors (``is_blank``). Any other form, sent or pre-filled,
renders the part as usual.

A part may hold only fields whose HTML changes with nothing but the code, the
translations (a release and a new process) and the choices given to it: not
the ``HTML`` of a template, which may show the event's data.
"""

import threading

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.utils.safestring import SafeString
from django.utils.translation import get_language

# The parts written, by form class, language, fields and their choices; the
# oldest is dropped when the choices of too many programmes have been seen.
_kept: dict[tuple, SafeString] = {}
_keeping = threading.Lock()
MOST_KEPT = 64


def choices_shown(field) -> tuple:
    """Fix a field's choices for this form, and return what they show.

    A model choice field's choices would query the database each time they
    are read; from here on the form reads the same list.
    """
    # Not list(): it would ask a model choice iterator to count its rows first.
    choices = [*iter(field.choices)]
    field.choices = choices
    return tuple(
        (str(value), choices_shown_in_group(label)) for value, label in choices
    )


def choices_shown_in_group(label):
    if isinstance(label, (list, tuple)):
        return tuple((str(value), str(text)) for value, text in label)
    return str(label)


class KeptPart(LayoutObject):
    """Layout objects or fields rendered as usual, one after the other.

    On a form whose ``is_blank`` is true, their HTML is kept from the first
    rendering in the language with the same choices for the fields named in
    ``with_choices``.
    """

    def __init__(self, *fields, with_choices: frozenset[str] = frozenset()):
        self.fields = list(fields)
        self.names = tuple(pointer.name for pointer in self.get_field_names())
        self.with_choices = with_choices

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        if not getattr(form, "is_blank", False):
            return self.get_rendered_fields(form, context, template_pack, **kwargs)
        names = self.names
        choices = tuple(
            choices_shown(form.fields[name])
            for name in names
            if name in self.with_choices
        )
        key = (type(form), str(template_pack), get_language(), names, choices)
        html = _kept.get(key)
        if html is not None:
            # As if rendered: crispy-forms renders a field once, and after the
            # layout the fields it did not meet, if asked to.
            form.rendered_fields.update(names)
            return html
        html = self.get_rendered_fields(form, context, template_pack, **kwargs)
        with _keeping:
            if len(_kept) >= MOST_KEPT:
                del _kept[next(iter(_kept))]
            _kept[key] = html
        return html


def keep_unchanging_parts(
    layout: LayoutObject,
    same_for_everyone: frozenset[str],
    with_choices: frozenset[str] = frozenset(),
) -> None:
    """Wrap in ``KeptPart`` each run of parts that hold only such fields.

    A part is kept if it is the name of a field of ``same_for_everyone`` or
    of ``with_choices`` (whose HTML changes only with its choices), or a layout
    object whose parts are all kept; any other part (another field, an
    ``HTML``) is left as it is, and the parts of a layout object that holds
    one are looked at in turn.
    """
    fields = same_for_everyone | with_choices
    parts, run = [], []
    for part in layout.fields:
        if holds_only(part, fields):
            run.append(part)
            continue
        if run:
            parts.append(KeptPart(*run, with_choices=with_choices))
            run = []
        if isinstance(part, LayoutObject) and hasattr(part, "fields"):
            keep_unchanging_parts(part, same_for_everyone, with_choices)
        parts.append(part)
    if run:
        parts.append(KeptPart(*run, with_choices=with_choices))
    layout.fields = parts


def holds_only(part, fields: frozenset[str]) -> bool:
    if isinstance(part, str):
        return part in fields
    if not hasattr(part, "fields"):
        return False  # ``HTML``, buttons: what they show is not known here
    return all(holds_only(child, fields) for child in part.fields)

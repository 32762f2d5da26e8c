"""Parts of a form's layout written once per language, for the blank form.

Most of the registration form is the same for every visitor of one language:
the labels, help texts and inputs of the fields that list nothing from the
database (names, email, needs, the country list, the consent). crispy-forms
renders each of them through several templates on every request that builds
the form afresh (after any change to the programme, and at every expiry of
the cached page). ``KeptPerLanguage`` renders its part of the layout once per
language and form class in each process, and only for a blank form: one that
shows nobody's values or errors (``is_blank``). Any other form, sent or
pre-filled, renders the part as usual.

What such a part shows changes only with the code and the translations, that
is, with a release and a new process; what a part shows from the database or
the event must stay outside it.
"""

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.utils.safestring import SafeString
from django.utils.translation import get_language

_kept: dict[tuple, SafeString] = {}


class KeptPerLanguage(LayoutObject):
    """Layout objects or fields rendered as usual, one after the other.

    On a form whose ``is_blank`` is true, their HTML is kept from the first
    rendering in the language.
    """

    def __init__(self, *fields):
        self.fields = list(fields)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        if not getattr(form, "is_blank", False):
            return self.get_rendered_fields(form, context, template_pack, **kwargs)
        names = tuple(pointer.name for pointer in self.get_field_names())
        key = (type(form), str(template_pack), get_language(), names)
        html = _kept.get(key)
        if html is None:
            html = _kept[key] = self.get_rendered_fields(
                form, context, template_pack, **kwargs
            )
        else:
            # As if rendered: crispy-forms renders a field once, and after the
            # layout the fields it did not meet, if asked to.
            form.rendered_fields.update(names)
        return html


def keep_per_language(layout: LayoutObject, fields: frozenset[str]) -> None:
    """Wrap in ``KeptPerLanguage`` each run of parts that hold only ``fields``.

    A part is kept if it is the name of one of ``fields`` or a layout object
    whose parts are all kept; any other part (another field, an ``HTML`` that
    may show the event's data) is left as it is, and the parts of a layout
    object that holds one are looked at in turn.
    """
    parts, run = [], []
    for part in layout.fields:
        if holds_only(part, fields):
            run.append(part)
            continue
        if run:
            parts.append(KeptPerLanguage(*run))
            run = []
        if isinstance(part, LayoutObject) and hasattr(part, "fields"):
            keep_per_language(part, fields)
        parts.append(part)
    if run:
        parts.append(KeptPerLanguage(*run))
    layout.fields = parts


def holds_only(part, fields: frozenset[str]) -> bool:
    if isinstance(part, str):
        return part in fields
    if not hasattr(part, "fields"):
        return False  # ``HTML``, buttons: what they show is not known here
    return all(holds_only(child, fields) for child in part.fields)

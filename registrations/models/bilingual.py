"""Bilingual fields: English in ``<field>``, Japanese in ``<field>_ja``."""

from django.db import models
from django.utils.translation import get_language


def japanese_is_active() -> bool:
    """Return whether the active language is Japanese."""
    return (get_language() or "").startswith("ja")


def in_active_language(english: str, japanese: str | None) -> str:
    """Return the Japanese text on a Japanese page where there is one, else English."""
    if japanese and japanese_is_active():
        return japanese
    return english


class Localized:
    """Read a model's bilingual fields in the active language.

    Staff type English into ``<field>`` and Japanese into ``<field>_ja``; a
    Japanese page shows the Japanese text where there is one and the English
    text otherwise. Templates write ``{{ event.localized.title }}``.
    """

    def __init__(self, instance: models.Model):
        self._instance = instance

    def __getattr__(self, field: str) -> str:
        return in_active_language(
            getattr(self._instance, field), getattr(self._instance, f"{field}_ja", "")
        )


class BilingualMixin:
    """Give a model with ``<field>_ja`` columns its ``localized`` view."""

    @property
    def localized(self) -> Localized:
        return Localized(self)

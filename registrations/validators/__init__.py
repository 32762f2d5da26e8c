"""The rules for what people type, shared by the public forms, the admin and services.

The public form, the delegate's edit form and the admin's correction form all
clean a registration's fields with these rules, so that a staff edit cannot
store what a delegate could not (``tests/test_validation_parity.py`` proves it
field by field). Each raises ``ValidationError`` with a code.

- ``text``: free text is stored as typed, except that characters nobody can
  see or that rearrange the text around them are refused; personal names in
  letters, Japanese names in Japanese script.
- ``addresses``: an email address is normalised once, to the one form that
  reaches its mailbox; every comparison, the database constraint and the
  per-address limit see that form.
- ``registration``: the rules between fields (one organisation, the event's
  own sessions, no two sessions at the same time).
- ``images``: a badge photo proven a picture by decoding it, then written
  anew without its metadata; a stamp image for the visa letters.
- ``visas``: a visa request's passport number, birth date, stay and expiry.

No module here imports the models, so that the models may use these rules.
"""

from registrations.validators.addresses import (
    EMAIL_MAX_LENGTH,
    NormalisedEmailField,
    email_key,
    mixes_scripts,
    normalise_email,
)
from registrations.validators.images import (
    PHOTO_MAX_BYTES,
    Portrait,
    read_portrait,
    read_stamp,
    too_large,
)
from registrations.validators.registration import (
    overlapping_pair,
    validate_no_overlapping_sessions,
    validate_one_organisation,
    validate_sessions_of_event,
)
from registrations.validators.text import (
    HIDDEN_CATEGORIES,
    LARGEST_ID,
    MultiLineTextField,
    SingleLineTextField,
    clean_japanese_name,
    clean_multi_line,
    clean_personal_name,
    clean_single_line,
    describe_character,
    first_hidden_character,
    is_japanese_character,
    is_possible_id,
    refuse_hidden_characters,
    tidy_spaces,
)
from registrations.validators.visas import (
    normalise_passport_number,
    stay_errors,
    validate_date_of_birth,
    validate_passport_number,
)

__all__ = [
    "EMAIL_MAX_LENGTH",
    "HIDDEN_CATEGORIES",
    "LARGEST_ID",
    "MultiLineTextField",
    "PHOTO_MAX_BYTES",
    "Portrait",
    "NormalisedEmailField",
    "SingleLineTextField",
    "clean_japanese_name",
    "clean_multi_line",
    "clean_personal_name",
    "clean_single_line",
    "describe_character",
    "email_key",
    "first_hidden_character",
    "is_japanese_character",
    "is_possible_id",
    "mixes_scripts",
    "normalise_email",
    "normalise_passport_number",
    "read_portrait",
    "read_stamp",
    "stay_errors",
    "validate_date_of_birth",
    "validate_passport_number",
    "refuse_hidden_characters",
    "tidy_spaces",
    "too_large",
    "overlapping_pair",
    "validate_no_overlapping_sessions",
    "validate_one_organisation",
    "validate_sessions_of_event",
]

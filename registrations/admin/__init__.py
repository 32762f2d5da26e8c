"""The Django admin: where ministry staff review registrations all day.

Every decision goes through ``registrations.services``; the admin only shows
the data, asks for confirmation and reports what the services did. Its
modules: ``programme`` (events, sessions, speakers, organisations),
``registrations`` (the list and the change page), ``review`` (the decisions),
``exports`` (the attendee lists and their record), ``filters``,
``delegations`` (their list, page and actions, with ``delegation_exports``),
``invite`` (organisations invited in bulk), ``invitations`` (personal ones),
``checkins`` (the door's record), ``visas`` (the protocol office's visa
requests and letters), ``visa_records`` (letterheads, and the log of who
read passport data), ``participants`` (the List of Participants) and
``messages`` (to delegates).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registrations.admin import (  # noqa: F401
    checkins,
    delegations,
    exports,
    invitations,
    messages,
    programme,
    registrations,
    visa_records,
    visas,
)

admin.site.site_header = _("Symposium registration")
admin.site.site_title = _("Symposium registration")
admin.site.index_title = _("Registrations and programme")
# The list of registrations needs the width; the breadcrumbs and the index
# lead everywhere the sidebar did.
admin.site.enable_nav_sidebar = False

"""Documents made from a selection of registrations: today, the attendee list.

One row generator (``columns.attendee_rows``) feeds every way a list leaves
the system: the admin action on selected registrations, the admin's export of
the filtered changelist, a session's attendee list and the
``export_attendees`` command. ``selection`` says which registrations, under
which name; ``audit`` records who took them, when, which filter and how many;
``csv`` writes the file, whose lines PostgreSQL writes itself
(``csv_lines``). Rows stream from a database cursor in one SELECT (on
PostgreSQL, the CSV's lines through a temporary file), so memory and the
number of queries stay the same whatever the row count.
"""

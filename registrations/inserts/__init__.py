"""New rows written with less of the web process's work than ``Model.save()``.

A registration sent through the open form writes its rows (the registration,
its sessions, its history, its email) on the site's busiest write. For each,
``save()`` builds an INSERT query and compiles it field by field, which costs
the web process more than the database's own work costs the database.
``insert`` writes the same rows with one statement per model and number of
rows, kept once made. Each value is prepared by its field as ``save()``
prepares it (``pre_save``, so ``auto_now`` and the like, then
``get_db_prep_save``), and each instance gets its new primary key, as
``save()`` gives it: the database's, or, for a model whose key Python gives
(a UUID's default, say), the one it has.

Whatever ``save()`` would do beyond that is not skipped: instances of a model
with ``pre_save`` or ``post_save`` receivers (unless the caller has done their
work: ``without_signals``), with a parent model, with a field the database
fills in (``db_default``, a generated field) or whose value is an expression
are saved by the ORM, as are those of a database that cannot return the new
keys.

``in_one_statement`` (``together``) goes further for rows that belong together (a
registration, its sessions, its history and its email): those that ``insert``
is given inside the block are written at its end in one statement, the later
ones pointing to the keys the database gives the earlier ones. Outside any
transaction that statement is a transaction of its own, so the web process
waits on the database once instead of seven times (BEGIN, five INSERTs,
COMMIT).
"""

from registrations.inserts.rows import Key, insert
from registrations.inserts.together import in_one_statement

__all__ = ["Key", "in_one_statement", "insert"]

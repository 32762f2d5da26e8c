"""Emails to delegates: the outbox that records them, the task that sends them.

``models`` holds ``OutgoingEmail``, one row per email, written in the same
transaction as the decision that causes it; ``outbox`` records, sends and
retries them; ``recovery`` takes back what a dead worker left and says how the
outbox stands; ``admin`` shows them to staff. What an email says is rendered
by ``registrations.emails`` when it is sent.
"""

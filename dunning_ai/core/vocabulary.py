"""The suite's words, once: the keys that the core, the Odoo models, the reports and the
channel addons all speak.

Only keys live here, in their meaningful order (a tone's index is its step on the
escalation ladder, a segment's index is the row of the learners' segment priors). The
Odoo selections keep their translatable labels next to their fields and assert that
their keys equal these, so that a key added on one side only fails at import time
instead of being silently unknown to the other.
"""

#: tones of a reminder, softest first; courtesy (before due) and escalation never shift
TONES = ("courtesy", "friendly", "firm", "final", "escalation")
#: payment segments of a customer, from the scoring; "new" is the unknown one
SEGMENTS = ("new", "reliable", "occasional", "habitual", "high_risk")

#: life of a dunning action
ACTION_STATES = ("draft", "to_approve", "scheduled", "done", "cancelled", "failed")
#: planned and not sent yet: a customer with one is not planned again
PENDING_STATES = ("draft", "to_approve", "scheduled")
#: planned and waiting for a person's approval before they can be scheduled
AWAITING_APPROVAL = ("draft", "to_approve")
#: nothing more will happen to the action
FINISHED_STATES = ("done", "cancelled", "failed")
#: outcomes of a sent reminder that count as a response for the learners
SUCCESS_OUTCOMES = ("paid", "partial", "replied")

#: why a collector is asked to act (escalation triggers of ``mail.activity``)
TRIGGERS = (
    "final_stage", "no_channel", "broken_promise", "dispute", "hardship", "high_value",
    "low_confidence", "unclassified_reply", "paid_claim", "approval", "call_logged",
)

#: why a customer with something due was not reminded by a planning run
SKIP_REASONS = (
    "not_due", "waiting", "done", "no_slot", "do_not_contact", "excluded", "paused",
    "promise", "disputed", "covered", "below_minimum", "archived",
)

#: what a customer's reply means, as the intent classifier tells it
INTENTS = ("paid_already", "promise_to_pay", "dispute", "hardship", "copy_request", "out_of_office", "other")

assert set(PENDING_STATES) | set(FINISHED_STATES) == set(ACTION_STATES)
assert not set(PENDING_STATES) & set(FINISHED_STATES)
assert set(AWAITING_APPROVAL) < set(PENDING_STATES)

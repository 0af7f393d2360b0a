from dataclasses import dataclass, field

from odoo import api, fields, models
from odoo.tools import SQL


@dataclass
class SendResult:
    """What a channel did with the actions it was given: ``sent`` and ``postponed`` are
    ``dunning.action`` recordsets, ``failed`` maps an action id to its error text."""

    sent: models.BaseModel
    postponed: models.BaseModel
    failed: dict = field(default_factory=dict)


class DunningChannel(models.AbstractModel):
    """A way of reaching a customer, and the registry of all of them.

    Each channel is one plug-in model ``dunning.channel.<key>`` (``_inherit = "dunning.channel"``)
    whose ``<key>`` is a value of ``dunning.action.channel``; ``dunning_ai`` ships ``email``,
    ``letter`` and ``call``, ``dunning_ai_sms`` adds ``sms``. The planner, the executor, the
    privacy export and the retention ask the registry and never name a channel, so a channel
    addon adds its selection value, its ``allow_<key>`` stage field and its plug-in, nothing else.

    Registry (call on ``env["dunning.channel"]``):

    - ``_channels()`` -> ``{key: plug-in model}`` in the order of the action's channel selection;
    - ``_get(key)`` -> the plug-in of ``key`` (``KeyError`` when none);
    - ``_handover_key()`` -> key of the channel planned when none reaches the customer (``"call"``);
    - ``_availability_all(partners)`` -> ``{partner_id: {key: (ok, why)}}``;
    - ``_costs(company)`` -> ``{key: cost}``; ``_hours_all(company)`` -> ``{key: (start, end, weekdays)}``;
    - ``_planner_inputs()`` -> ``{"channels": [key, ...], "prior": [float, ...],
      "intensity": [float, ...], "handover": index of the handover key in channels, or -1}``;
    - ``_privacy_fields_all()`` -> action field names the channels store, without duplicates;
    - ``_anonymise_all(actions)`` -> every channel blanks what it stored about ``actions``;
    - ``_fallback(action, availability=None)`` -> cheapest other channel the stage allows and the
      customer can receive (never the handover channel), or ``False``.

    Per plug-in (set-wise; ``actions`` are ``dunning.action`` records of this channel):

    - ``_availability_checks()`` -> ``[(SQL condition on the customer p, why)]`` that rule the
      channel out, read for every channel in one query; or ``_availability(partners)`` ->
      ``{partner_id: (ok, why)}`` for a channel SQL cannot describe (do-not-contact included);
    - ``_cost(company)`` -> float in the company currency;
    - ``_hours(company)`` -> ``(start, end, weekdays)``, float hours in the customer's time zone
      (default: the company's business hours on its working days);
    - ``_planner_defaults()`` -> ``{"prior": float, "intensity": float}``;
    - ``_allowed_on(stage)`` -> whether ``stage`` allows the channel (its ``allow_<key>`` field);
    - ``_send(actions)`` -> ``SendResult(sent, postponed, failed)``. Sent actions are marked done
      and logged by the executor; postponed ones stay scheduled (the plug-in moved
      ``planned_at`` and said why); a failed action must carry no side effect of the attempt,
      the executor falls back once. Any exception rolls back the whole call: the executor
      then sends each action alone, in its own savepoint, and one whose send raises again is
      failed with the error (after one fallback), never tried again at the next run;
    - ``_log_label()`` -> what the action's log says was done ("Email sent");
    - ``_send_one(action)`` -> ``SendResult``: the slow path's send of one action (in its own
      savepoint); ``_send(action)`` unless the channel sends one action differently (an email
      rendered alone says which template broke);
    - ``_executor_logs`` (class attribute): whether the executor logs a sent action on the
      action's chatter (the letter logs its own note, with the letter attached);
    - ``_privacy_fields()`` -> action field names this channel stores (exported);
      ``_anonymise(actions)`` blanks them by default (retention); a plug-in that keeps more
      (texts and numbers in its gateway's records) removes that too;
    - ``_on_delivery_failure(actions, failure)`` -> the follow-up actions: a message that left but
      never arrived (a bounced SMS) is planned again once on the fallback channel, or a collector
      takes over (``no_channel``). ``_fallback_field`` names the action's Many2one that keeps
      the follow-up, so a second report of the same failure plans nothing more.

    Helpers for plug-ins: ``_result(sent=, postponed=, failed=)`` builds a ``SendResult``;
    ``_postpone(action, when, line)`` keeps an action scheduled at ``when`` with ``line`` added to
    its reasons (``_reason_with``); ``_label()`` is the channel's name as the selection shows it.
    Class attributes: ``_channel_key``, ``_handover`` (the collector channel, sent whatever
    the customer's availability), ``_executor_logs``, ``_fallback_field``, and the defaults of
    ``_cost`` (``_cost_field``) and ``_planner_defaults`` (``_prior``, ``_intensity``).
    """

    _name = "dunning.channel"
    _description = "Dunning Channel"

    _channel_key = None
    _handover = False
    _executor_logs = True
    _fallback_field = None
    _cost_field = None  # res.company field holding the cost of one contact
    _prior = 0.3  # the planner's prior response rate, before any history
    _intensity = 0.0  # how much more the channel weighs at the last stages (letters, calls)

    # ------------------------------------------------------------ registry

    @api.model
    def _channels(self):
        keys = self.env["dunning.action"]._fields["channel"].get_values(self.env)
        return {key: self.env[f"dunning.channel.{key}"] for key in keys if f"dunning.channel.{key}" in self.env}

    @api.model
    def _get(self, key):
        channels = self._channels()
        if key not in channels:
            raise KeyError(f"no dunning channel plug-in for {key!r}")
        return channels[key]

    @api.model
    def _handover_key(self):
        return next((key for key, channel in self._channels().items() if channel._handover), False)

    @api.model
    def _availability_all(self, partners):
        """Whether each channel can reach each customer: ``{partner_id: {key: (ok, why)}}``.

        The channels described by ``_availability_checks`` are read together, in one query;
        the others answer through their own ``_availability``.
        """
        result = {pid: {} for pid in partners.ids}
        if not partners:
            return result
        channels = self._channels()
        checks = {key: channel._availability_checks() for key, channel in channels.items()}
        by_checks = {key: rules for key, rules in checks.items() if rules is not None}
        for pid, availability in self._availability_read(partners, by_checks).items():
            result[pid].update(availability)
        for key in channels.keys() - by_checks.keys():
            for pid, availability in channels[key]._availability(partners).items():
                result.setdefault(pid, {})[key] = availability
        return result

    @api.model
    def _availability_read(self, partners, checks):
        """``{partner_id: {key: (ok, why)}}`` for ``checks`` (``{key: [(condition, why)]}``) in one
        query; a customer marked do-not-contact is reached by no channel."""
        rules = [(key, SQL("p.dunning_do_not_contact"), self.env._("do not contact")) for key in checks]
        for key, key_rules in checks.items():
            rules += [(key, condition, why) for condition, why in key_rules]
        partners.flush_model()
        self.env["mail.blacklist"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT p.id, %s FROM res_partner p WHERE p.id = ANY(%s)",
            SQL(", ").join(SQL("COALESCE(%s, FALSE)", condition) for _key, condition, _why in rules),
            partners.ids,
        ))
        result = {}
        for pid, *blocked in self.env.cr.fetchall():
            availability = result[pid] = {}
            for (key, _condition, why), hit in zip(rules, blocked, strict=True):
                if hit and key not in availability:
                    availability[key] = (False, why)
            for key in checks:
                availability.setdefault(key, (True, ""))
        return result

    @api.model
    def _costs(self, company):
        return {key: channel._cost(company) for key, channel in self._channels().items()}

    @api.model
    def _hours_all(self, company):
        return {key: channel._hours(company) for key, channel in self._channels().items()}

    @api.model
    def _planner_inputs(self):
        channels = self._channels()
        defaults = [channel._planner_defaults() for channel in channels.values()]
        keys = list(channels)
        handover = self._handover_key()
        return {
            "channels": keys,
            "prior": [d["prior"] for d in defaults],
            "intensity": [d["intensity"] for d in defaults],
            "handover": keys.index(handover) if handover in keys else -1,
        }

    @api.model
    def _privacy_fields_all(self):
        names = []
        for channel in self._channels().values():
            names += [name for name in channel._privacy_fields() if name not in names]
        return names

    @api.model
    def _anonymise_all(self, actions):
        for channel in self._channels().values():
            channel._anonymise(actions)

    @api.model
    def _fallback(self, action, availability=None):
        """Cheapest other channel the action's stage allows and its customer can receive, else False."""
        if availability is None:
            availability = self._availability_all(action.partner_id)[action.partner_id.id]
        allowed = action.stage_id._dunning_allowed_channels() if action.stage_id else []
        costs = self._costs(action.company_id)
        handover = self._handover_key()
        candidates = [c for c in allowed if c != action.channel and c != handover
                      and availability.get(c, (False, ""))[0]]
        return min(candidates, key=lambda c: costs.get(c, 0.0)) if candidates else False

    # ------------------------------------------------------------ plug-in defaults

    @api.model
    def _availability_checks(self):
        """``[(SQL condition on the customer ``p`` (res_partner) that rules the channel out, why)]``,
        the first that holds gives the reason; do-not-contact comes first by itself. ``None``:
        the plug-in answers ``_availability`` itself (a check SQL cannot express)."""
        return None

    @api.model
    def _availability(self, partners):
        checks = self._availability_checks()
        if checks is None or not partners:
            return dict.fromkeys(partners.ids, (False, ""))
        return {pid: found[self._channel_key]
                for pid, found in self._availability_read(partners, {self._channel_key: checks}).items()}

    @api.model
    def _cost(self, company):
        return company[self._cost_field] if self._cost_field else 0.0

    @api.model
    def _hours(self, company):
        """The company's business hours (float hours) on its working weekdays."""
        return (company.dunning_business_hour_start, company.dunning_business_hour_end,
                frozenset(company._dunning_working_weekdays()))

    @api.model
    def _planner_defaults(self):
        return {"prior": self._prior, "intensity": self._intensity}

    @api.model
    def _allowed_on(self, stage):
        name = f"allow_{self._channel_key}"
        return bool(name in stage._fields and stage[name])

    @api.model
    def _send(self, actions):
        raise NotImplementedError(f"dunning.channel.{self._channel_key} cannot send")

    @api.model
    def _send_one(self, action):
        return self._send(action)

    @api.model
    def _preview(self, action):
        """What ``action`` sends to the customer, for the preview and the approval queue.

        ``{"text": the message as sent, "segments": parts billed (0 when not counted),
        "info": its length in words}``; raises ``UserError`` when it cannot be sent as it is.
        ``None``: the channel previews nothing of its own (the preview wizard shows the email).
        """
        return None

    @api.model
    def _result(self, sent=None, postponed=None, failed=None):
        """A ``SendResult``; plug-ins build theirs with it (no import needed)."""
        empty = self.env["dunning.action"]
        return SendResult(sent if sent is not None else empty, postponed if postponed is not None else empty,
                          failed or {})

    @api.model
    def _label(self):
        """The channel's name as the action's selection shows it."""
        selection = dict(self.env["dunning.action"]._fields["channel"]._description_selection(self.env))
        return selection.get(self._channel_key, self._channel_key)

    @api.model
    def _log_label(self):
        return self.env._("Sent by %s", self._channel_key)

    @api.model
    def _privacy_fields(self):
        return []

    @api.model
    def _anonymise(self, actions):
        names = [name for name in self._privacy_fields() if name in actions._fields]
        if actions and names:
            actions.write(dict.fromkeys(names, False))

    @api.model
    def _reason_with(self, action, line):
        """The action's reasons with ``line`` added."""
        return f"{action.reason}\n{line}" if action.reason else line

    @api.model
    def _postpone(self, action, when, line):
        """Keep ``action`` scheduled, planned at ``when``, with ``line`` added to its reasons."""
        action.write({"planned_at": when, "reason": self._reason_with(action, line)})

    # ------------------------------------------------------------ delivery failures

    @api.model
    def _on_delivery_failure(self, actions, failure):
        """Plan each action again on its fallback channel, once; a collector takes over when
        the customer has no other channel. Returns the follow-up actions."""
        followups = self.env["dunning.action"]
        for action in actions:
            previous = action[self._fallback_field] if self._fallback_field else action.browse()
            if previous:
                followups |= previous
                continue
            channel = self._fallback(action)
            if not channel:
                action._dunning_escalate("no_channel", note=self.env._(
                    "The %(channel)s was not delivered (%(failure)s) and no other channel can reach the customer.",
                    channel=self._label(), failure=failure))
                continue
            followup = self._followup(action, channel, failure)
            if self._fallback_field:
                action[self._fallback_field] = followup
            followups |= followup
        return followups

    @api.model
    def _followup(self, action, channel, failure):
        return action.create({
            "company_id": action.company_id.id,
            "partner_id": action.partner_id.id,
            "move_ids": [fields.Command.set(action.move_ids.ids)],
            "policy_id": action.policy_id.id,
            "stage_id": action.stage_id.id,
            "tone": action.tone,
            "channel": channel,
            "state": "scheduled",
            "planned_at": fields.Datetime.now(),
            "confidence": action.confidence,
            "model_version": action.model_version,
            "reason": self.env._(
                "Fallback to %(channel)s: the %(label)s of action %(action)s failed (%(failure)s).",
                channel=channel, label=self._label(), action=action.id, failure=failure or ""),
        })

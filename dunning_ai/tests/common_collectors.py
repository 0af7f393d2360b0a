from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from .common import DunningCommon


class DunningCollectorsCommon(DunningCommon):
    """Collectors, a team, a manager and a plain user of the main company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.today = fields.Date.today()
        collector_group = "base.group_user,account.group_account_invoice,dunning_ai.group_dunning_collector"
        cls.collector_a, cls.collector_b, cls.collector_c = (
            new_test_user(cls.env, login=login, groups=collector_group, tz="Europe/Brussels",
                          company_id=cls.company.id, company_ids=[cls.company.id])
            for login in ("coll_a", "coll_b", "coll_c")
        )
        cls.plain_user = new_test_user(
            cls.env, login="dun_user", groups="base.group_user,dunning_ai.group_dunning_user",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        # an employee without any dunning group: reads customers, never collections notes
        cls.employee = new_test_user(
            cls.env, login="dun_employee", groups="base.group_user",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.manager = new_test_user(
            cls.env, login="dun_manager", groups="base.group_user,dunning_ai.group_dunning_manager",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.team = cls.env["dunning.team"].create({
            "name": "Collections",
            "company_id": cls.company.id,
            "member_ids": [fields.Command.set((cls.collector_a | cls.collector_b | cls.collector_c).ids)],
        })
        cls.customer.dunning_collector_id = cls.collector_a
        cls.invoice_old = cls._dunning_invoice(
            cls.customer, 1200.0, cls.today - timedelta(days=75), cls.today - timedelta(days=45))
        cls.invoice_new = cls._dunning_invoice(
            cls.customer, 300.0, cls.today - timedelta(days=40), cls.today - timedelta(days=10))

    @classmethod
    def _customer(cls, name, collector=None, **values):
        return cls.env["res.partner"].create({
            "name": name, "phone": "+32 470 00 00 00", "tz": "Europe/Brussels",
            "dunning_collector_id": collector and collector.id, **values,
        })

    def _customer_chatter_text(self, partner, user):
        """Everything ``user`` reads on the customer's chatter, both ways of reading it."""
        messages = partner.with_user(user).message_ids | self.env["mail.message"].with_user(user).search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)])
        return " ".join(messages.mapped(lambda m: f"{m.body or ''} {m.subject or ''}"))

    def _open_activities(self, partner, xmlid=None):
        domain = [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        if xmlid:
            domain.append(("activity_type_id", "=", self.env.ref(xmlid).id))
        return self.env["mail.activity"].sudo().search(domain)

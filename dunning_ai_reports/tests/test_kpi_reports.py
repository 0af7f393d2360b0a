from datetime import date

from freezegun import freeze_time
from odoo import SUPERUSER_ID, fields
from odoo.addons.dunning_ai.tests.common import DunningCommon
from odoo.tests import new_test_user, tagged

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
TRACKING = {"tracking_disable": False, "mail_notrack": False}


@tagged("post_install", "-at_install")
class TestDunningReports(DunningCommon):
    """Every KPI on a small hand-built ledger, with the expected figures worked out by hand.

    March 2026, 31 days. Customer A (reliable, collector), B (habitual), C (not scored).
      inv1 A 1000  2026-01-10 due 02-09, paid 03-05     inv2 A 2000 2026-03-10 due 04-09, open
      ref  A -200  2026-03-15 due 04-15, open (credit)  inv3 B 1500 2026-02-01 due 02-15, 500 paid 03-20
      inv4 B  800  2026-03-01 due 03-11, paid 04-05     inv5 C  400 2025-11-15 due 12-15, open
      inv6 C  300  2025-12-20 due 12-31, paid 04-08
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({
            "dunning_minutes_per_reminder": 6.0,
            "dunning_collect_window_days": 14,
            "dunning_enabled_since": "2026-03-01",
        })
        cls.collector = new_test_user(
            cls.env, login="dunning_collector", groups="dunning_ai.group_dunning_collector",
            email="collector@example.com")
        cls.partner_a = cls.customer
        cls.partner_a.sudo().write({"dunning_segment": "reliable", "dunning_collector_id": cls.collector.id})
        cls.partner_b = cls.customer.copy({"name": "Customer B"})
        cls.partner_b.sudo().write({"dunning_segment": "habitual"})
        cls.partner_c = cls.customer.copy({"name": "Customer C", "tz": False})

        inv = cls._dunning_invoice
        cls.inv1 = inv(cls.partner_a, 1000.0, "2026-01-10", "2026-02-09")
        cls.inv2 = inv(cls.partner_a, 2000.0, "2026-03-10", "2026-04-09")
        cls.refund = inv(cls.partner_a, 200.0, "2026-03-15", "2026-04-15", move_type="out_refund")
        cls.inv3 = inv(cls.partner_b, 1500.0, "2026-02-01", "2026-02-15")
        cls.inv4 = inv(cls.partner_b, 800.0, "2026-03-01", "2026-03-11")
        cls.inv5 = inv(cls.partner_c, 400.0, "2025-11-15", "2025-12-15")
        cls.inv6 = inv(cls.partner_c, 300.0, "2025-12-20", "2025-12-31")
        cls._dunning_pay(cls.inv1, 1000.0, "2026-03-05")
        cls._dunning_pay(cls.inv3, 500.0, "2026-03-20")
        cls._dunning_pay(cls.inv4, 800.0, "2026-04-05")
        cls._dunning_pay(cls.inv6, 300.0, "2026-04-08")

        Action = cls.env["dunning.action"].with_user(SUPERUSER_ID)
        # act1: email to A, 23 days before inv1 is paid (outside the 14-day window)
        cls.act1 = Action.create(cls._action_vals(cls.partner_a, cls.inv1, "email", "friendly", "2026-02-10 09:00:00"))
        # act2: firm email to B, went through approval by a person; inv3 is still partly open
        cls.act2 = Action.create({**cls._action_vals(cls.partner_b, cls.inv3, "email", "firm", "2026-03-15 10:00:00"),
                                  "state": "to_approve"})
        cls.act5 = Action.create({**cls._action_vals(cls.partner_c, cls.inv5, "email", "firm", False),
                                  "state": "to_approve", "planned_at": "2026-03-28 09:00:00"})
        cls._end_transaction()  # state changes are tracked from the transaction after creation
        cls.act2.with_user(cls.collector).with_context(**TRACKING).sudo(False).action_approve()
        cls.act2.write({"state": "done"})
        # act3: letter to B, inv4 paid 4 days later
        cls.act3 = Action.create(cls._action_vals(cls.partner_b, cls.inv4, "letter", "friendly", "2026-04-01 08:00:00"))
        # act4: a call logged by the collector by hand (manual), inv6 paid 14 days later
        cls.act4 = cls.env["dunning.action"].with_user(cls.collector).sudo().create(
            cls._action_vals(cls.partner_c, cls.inv6, "call", "final", "2026-03-25 09:00:00"))
        # act5: planned for approval and cancelled by the collector (an override)
        cls.act5.with_user(cls.collector).with_context(**TRACKING).sudo(False).action_reject()
        cls._end_transaction()

    @classmethod
    def _end_transaction(cls):
        """Run what a commit would run (creation logs, tracking) without committing."""
        cls.env.flush_all()
        cls.env.cr.precommit.run()

    @classmethod
    def _action_vals(cls, partner, move, channel, tone, executed_at):
        return {
            "partner_id": partner.id,
            "company_id": cls.company.id,
            "move_ids": [fields.Command.set(move.ids)],
            "channel": channel,
            "tone": tone,
            "planned_at": executed_at,
            "executed_at": executed_at,
            "state": "done" if executed_at else "draft",
        }

    def _kpis(self, groupby=None, period=MARCH):
        rows = self.env["dunning.kpi"]._dunning_period_kpis(self.company, *period, groupby=groupby)
        return {row["key"]: row for row in rows} if groupby else rows[0]

    # ----- receivables ---------------------------------------------------------------
    def test_aging_buckets_as_of_period_end(self):
        aging = self.env["dunning.report.aging"].with_context(dunning_as_of="2026-03-31")
        lines = aging.search([("company_id", "=", self.company.id)])
        by_move = {line.move_id: line for line in lines}
        self.assertEqual(lines.move_id, self.inv2 | self.refund | self.inv3 | self.inv4 | self.inv5 | self.inv6,
                         "inv1 was paid on 03-05; inv4 and inv6 were still open on 03-31")
        self.assertEqual(by_move[self.inv3].amount_open, 1000.0)
        self.assertEqual(by_move[self.inv3].days_overdue, 44)
        self.assertEqual(by_move[self.inv6].days_overdue, 90)
        self.assertEqual(by_move[self.inv6].bucket, "61_90")
        self.assertEqual(by_move[self.refund].amount_current, -200.0)
        kpis = self._kpis()
        self.assertEqual(
            (kpis["current_receivables"], kpis["amount_1_30"], kpis["amount_31_60"],
             kpis["amount_61_90"], kpis["amount_90_plus"], kpis["receivables"]),
            (1800.0, 800.0, 1000.0, 300.0, 400.0, 4300.0),
        )
        self.assertAlmostEqual(kpis["overdue_share"], 2500.0 / 4300.0, places=6)

    def test_aging_rebuilds_the_past_from_partials(self):
        aging = self.env["dunning.report.aging"].with_context(dunning_as_of="2026-02-28")
        lines = aging.search([("company_id", "=", self.company.id)])
        self.assertEqual(sum(lines.mapped("amount_open")), 3200.0, "inv1 1000 + inv3 1500 + inv5 400 + inv6 300")
        self.assertEqual(lines.filtered(lambda line: line.move_id == self.inv1).days_overdue, 19)
        self.assertEqual(sum(lines.mapped("amount_61_90")), 400.0, "inv5 was 75 days overdue")

    def test_dso_best_dso_add_cei_for_the_company(self):
        kpis = self._kpis()
        self.assertEqual(kpis["days"], 31)
        self.assertEqual(kpis["credit_sales"], 2600.0, "2000 + 800 - 200")
        self.assertEqual(kpis["receivables_begin"], 3200.0)
        self.assertAlmostEqual(kpis["dso"], 4300.0 / 2600.0 * 31, places=6)  # 51.27 days
        self.assertAlmostEqual(kpis["best_dso"], 1800.0 / 2600.0 * 31, places=6)  # 21.46 days
        self.assertAlmostEqual(kpis["add_days"], 2500.0 / 2600.0 * 31, places=6)  # 29.81 days
        self.assertAlmostEqual(kpis["cei"], (3200 + 2600 - 4300) / (3200 + 2600 - 1800) * 100, places=6)  # 37.5
        # count-back: March 2600 (31 d), February 1500 (28 d), then 200 of January's 1000 (31 d)
        self.assertAlmostEqual(kpis["dso_countback"], 31 + 28 + 200.0 / 1000.0 * 31, places=6)  # 65.2

    def test_kpis_per_segment_and_collector(self):
        seg = self._kpis("segment")
        self.assertAlmostEqual(seg["reliable"]["dso"], 31.0, places=6)
        self.assertAlmostEqual(seg["reliable"]["cei"], 100.0, places=6)
        self.assertAlmostEqual(seg["habitual"]["dso"], 1800.0 / 800.0 * 31, places=6)  # 69.75
        self.assertAlmostEqual(seg["habitual"]["best_dso"], 0.0, places=6)
        self.assertAlmostEqual(seg["habitual"]["cei"], 500.0 / 2300.0 * 100, places=6)
        self.assertAlmostEqual(seg["habitual"]["dso_countback"], 31 + 1000.0 / 1500.0 * 28, places=6)
        self.assertIs(seg[False]["dso"], False, "no sales in the period: DSO is undefined, not zero")
        self.assertEqual(seg[False]["receivables"], 700.0)
        collectors = self._kpis("collector_id")
        self.assertEqual(collectors[self.collector]["receivables"], 1800.0)
        customers = self._kpis("partner_id")
        self.assertEqual(customers[self.partner_b]["amount_31_60"], 1000.0)

    def test_collected_and_collected_after_reminder(self):
        kpis = self._kpis()
        self.assertEqual(kpis["collected"], 1500.0, "1000 on 03-05 and 500 on 03-20")
        self.assertEqual(kpis["collected_after_reminder"], 500.0,
                         "inv3's 500 came 5 days after act2; inv1 came 23 days after act1 (window 14)")
        april = self._kpis(period=(date(2026, 4, 1), date(2026, 4, 30)))
        self.assertEqual(april["collected_after_reminder"], 1100.0, "inv4 4 days after act3, inv6 14 after act4")

    # ----- effectiveness and impact ---------------------------------------------------
    @freeze_time("2026-06-01")
    def test_effectiveness_shares_and_median(self):
        Kpi = self.env["dunning.kpi"]
        year = (date(2026, 1, 1), date(2026, 12, 31))
        overall = Kpi._dunning_effectiveness(self.company, *year, "company_id")[0]
        self.assertEqual(overall["count"], 4)
        self.assertAlmostEqual(overall["paid_7"], 1 / 4, places=6, msg="only act3 (4 days)")
        self.assertAlmostEqual(overall["paid_14"], 2 / 4, places=6, msg="act3 (4) and act4 (14)")
        self.assertEqual(overall["median_days"], 14.0, "median of 23, 4 and 14; act2 is unpaid")
        by_channel = {row["key"]: row for row in Kpi._dunning_effectiveness(self.company, *year, "channel")}
        self.assertEqual(by_channel["email"]["paid_14"], 0.0)
        self.assertEqual(by_channel["email"]["median_days"], 23.0)
        self.assertEqual(by_channel["letter"]["paid_7"], 1.0)
        self.assertEqual(by_channel["call"]["median_days"], 14.0)
        rows = self.env["dunning.report.action"].search([("action_id", "=", self.act2.id)])
        self.assertEqual(rows.send_hour, 11, "10:00 UTC is 11:00 in Brussels in March")
        self.assertEqual(self.env["dunning.report.action"].search([("action_id", "=", self.act4.id)]).send_hour, 9,
                         "no time zone: UTC")

    @freeze_time("2026-03-18")
    def test_recent_action_does_not_count_as_unpaid_yet(self):
        Report = self.env["dunning.report.action"]
        verdict = Report._read_group([("action_id", "=", self.act2.id)], [], ["paid_7:avg", "paid_14:avg"])
        self.assertIs(verdict[0][0], False, "executed three days ago and not paid: no verdict yet (NULL)")
        self.assertIs(verdict[0][1], False)
        act1 = Report.search([("action_id", "=", self.act1.id)])
        self.assertEqual((act1.paid_7, act1.paid_14, act1.days_to_pay), (0.0, 0.0, 23.0))

    def test_impact_counts_hours_and_dso_before(self):
        impact = self.env["dunning.kpi"]._dunning_impact(self.company, *MARCH)
        self.assertEqual(impact["sent_count"], 2, "act2 and act4 were sent in March")
        self.assertEqual((impact["automated_count"], impact["manual_count"]), (1, 1))
        self.assertEqual(impact["approved_count"], 1, "act2 went from to approve to scheduled")
        self.assertEqual(impact["overridden_count"], 1, "act5 was cancelled by the collector")
        self.assertAlmostEqual(impact["hours_saved"], 0.1, places=6, msg="1 automated x 6 minutes")
        # of March's two sent reminders, act4 was paid in 14 days, act2 is still open
        self.assertEqual((impact["paid_7"], impact["paid_14"], impact["median_days"]), (0.0, 0.5, 14.0))
        # before: 29 Jan - 28 Feb (31 days), sales 1500 (inv3), receivables on 28 Feb 3200
        self.assertAlmostEqual(impact["baseline_dso"], 3200.0 / 1500.0 * 31, places=6)
        self.assertAlmostEqual(impact["dso_change"], 4300.0 / 2600.0 * 31 - 3200.0 / 1500.0 * 31, places=6)

    # ----- forecast -------------------------------------------------------------------
    def test_forecast_against_actual_by_week(self):
        self.inv4.dunning_predicted_payment_date = "2026-04-03"  # week of Mon 03-30, paid Sun 04-05
        self.inv6.dunning_predicted_payment_date = "2026-04-10"  # week of 04-06, paid 04-08
        self.inv2.dunning_predicted_payment_date = "2026-04-15"  # week of 04-13, still open
        weeks, mape = self.env["dunning.kpi"]._dunning_forecast(self.company, date(2026, 3, 30), date(2026, 4, 13))
        self.assertEqual(
            [(w["week"], w["forecast"], w["actual"]) for w in weeks],
            [(date(2026, 3, 30), 800.0, 800.0), (date(2026, 4, 6), 300.0, 300.0), (date(2026, 4, 13), 1800.0, 0.0)],
            "week of 04-13: inv2's 2000 less the credit note of 200 due 04-15",
        )
        self.assertEqual(mape, 0.0, "the weeks with cash were forecast exactly")
        # no prediction: the due date stands in (inv3 due Sun 02-15, 1000 still open); cash of 03-20
        forecast = self.env["dunning.report.forecast"].search([("move_id", "=", self.inv3.id)])
        self.assertEqual({(r.week, r.amount_forecast, r.amount_actual, r.is_predicted) for r in forecast},
                         {(date(2026, 2, 9), 1000.0, 0.0, False), (date(2026, 3, 16), 0.0, 500.0, False)})

    def test_past_weeks_keep_the_frozen_forecast(self):
        inv8 = self._dunning_invoice(self.partner_b, 500.0, "2026-05-01", "2026-05-31")
        inv8.dunning_predicted_payment_date = "2026-06-03"  # week of Mon 06-01
        with freeze_time("2026-05-25"):
            self.env["dunning.forecast.snapshot"]._cron_dunning_forecast_snapshot()
        snapshot = self.env["dunning.forecast.snapshot"].search([("company_id", "=", self.company.id)])
        # everything else open on 05-25 was expected earlier, hence this week:
        # inv2 2000 - credit note 200 + inv3 1000 + inv5 400
        self.assertEqual({(s.week, s.amount_forecast) for s in snapshot},
                         {(date(2026, 5, 25), 3200.0), (date(2026, 6, 1), 500.0)})
        self._dunning_pay(inv8, 500.0, "2026-06-02")
        inv8.dunning_predicted_payment_date = False  # what rescoring does to paid invoices
        with freeze_time("2026-06-10"):
            weeks, _mape = self.env["dunning.kpi"]._dunning_forecast(self.company, date(2026, 5, 25), date(2026, 6, 1))
        self.assertEqual([(w["week"], w["forecast"], w["actual"], w["frozen"]) for w in weeks],
                         [(date(2026, 5, 25), 3200.0, 0.0, True), (date(2026, 6, 1), 500.0, 500.0, True)])

    # ----- dashboard, report, digest, security ---------------------------------------
    def test_dashboard_breakdown_and_pdf(self):
        dashboard = self.env["dunning.dashboard"].create({
            "date_from": "2026-03-01", "date_to": "2026-03-31", "group_by": "segment"})
        self.assertAlmostEqual(dashboard.cei, 37.5, places=6)
        self.assertEqual(dashboard.receivables, 4300.0)
        action = dashboard.action_compute_lines()
        lines = self.env["dunning.dashboard.line"].search(action["domain"])
        self.assertEqual(sorted(lines.mapped("receivables")), [700.0, 1800.0, 1800.0])
        habitual = lines.filtered(lambda line: line.segment == "habitual")
        self.assertAlmostEqual(habitual.dso, 69.8, places=6, msg="69.75 days, stored to one decimal")
        self.assertEqual(habitual.name, "Habitually Late")
        html = self.env["ir.actions.report"]._render_qweb_html(
            "dunning_ai_reports.report_dunning_management", dashboard.ids)[0].decode()
        self.assertIn("Collections report", html)
        self.assertIn("37.5", html)
        self.assertIn("Habitually Late", html)

    def test_digest_cron_mails_managers(self):
        manager = new_test_user(self.env, login="dunning_mgr", groups="dunning_ai.group_dunning_manager",
                                email="manager@example.com")
        with freeze_time("2026-04-01 07:00:00"):
            self.env["res.company"]._dunning_send_digest(
                self.company, manager, self.env.ref("dunning_ai_reports.mail_template_dunning_report_digest"))
        mail = self.env["mail.mail"].search([("recipient_ids", "in", manager.partner_id.ids)])
        self.assertEqual(len(mail), 1)
        self.assertIn("collections 2026-03-03 - 2026-04-01", mail.subject)
        self.assertIn("Collector hours saved", mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1, "the management report is attached")

    def test_digest_cron_runs_for_each_company(self):
        manager = new_test_user(self.env, login="dunning_mgr2", groups="dunning_ai.group_dunning_manager",
                                email="manager2@example.com")
        cron = self.env.ref("dunning_ai_reports.ir_cron_dunning_report_digest")
        with freeze_time("2026-04-01 07:00:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        mails = self.env["mail.mail"].search([("subject", "like", "collections 2026-03-03 - 2026-04-01")])
        self.assertEqual(len(mails), 1, "one digest for the company, to all its managers at once")
        self.assertIn(manager.partner_id, mails.recipient_ids)
        self.assertNotIn(self.collector.partner_id, mails.recipient_ids, "collectors do not get the digest")

    def test_demo_reminder_history_only_for_late_invoices(self):
        on_time = self._dunning_invoice(self.partner_a, 100.0, "2026-03-02", "2026-04-01")
        self._dunning_pay(on_time, 100.0, "2026-04-03")
        with freeze_time("2026-04-30"):
            actions = self.env["dunning.demo"]._generate_reminder_history(days=180)
        by_move = {move: actions.filtered(lambda a, m=move: a.move_ids == m) for move in actions.move_ids}
        # inv1 due 02-09 paid 03-05: reminders on 02-14 and 02-28, none on 03-14
        self.assertEqual(sorted(by_move[self.inv1].mapped("channel")), ["email", "letter"])
        # inv4 due 03-11 paid 04-05: 03-16, 03-30; inv2 due 04-09, open: 04-14, 04-28
        self.assertEqual(len(by_move[self.inv4]), 2)
        self.assertEqual(len(by_move[self.inv2]), 2)
        self.assertEqual(set(by_move[self.inv3].mapped("tone")), {"friendly", "firm", "final"})
        self.assertNotIn(on_time, by_move, "paid within 5 days of its due date: no reminder")
        self.assertNotIn(self.refund, by_move)
        self.assertEqual(self.company.dunning_enabled_since, date(2025, 11, 1))

    def test_views_are_company_restricted(self):
        other = self.setup_other_company()["company"]
        self._dunning_invoice(self.partner_a, 999.0, "2026-03-02", "2026-03-10", company=other)
        user = new_test_user(self.env, login="dunning_single", groups="dunning_ai.group_dunning_user",
                             company_id=self.company.id, company_ids=[fields.Command.set(self.company.ids)])
        rows = self.env["dunning.report.receivable"].with_user(user).search([])
        self.assertTrue(rows)
        self.assertEqual(set(rows.mapped("company_id")), {self.company})
        self.assertNotIn(999.0, self.env["dunning.report.aging"].with_user(user).with_context(
            dunning_as_of="2026-03-31").search([]).mapped("amount_open"))

    def test_model_quality_over_time(self):
        """One row per trained model with its metrics; empty while the scoring engine is absent."""
        if "dunning.model" not in self.env:
            self.assertFalse(self.env["dunning.report.model"].search([]))
            return
        Model = self.env["dunning.model"].sudo()  # versions are the engine's to write
        Model.search([]).unlink()
        Model.create([
            {"company_id": self.company.id, "version": 1, "kind": "prior", "trained_at": "2026-02-01 02:00:00",
             "auc": 0.61, "brier": 0.24, "mae_days": 9.5},
            {"company_id": self.company.id, "version": 2, "kind": "model", "trained_at": "2026-03-01 02:00:00",
             "auc": 0.79, "brier": 0.17, "mae_days": 6.0},
        ])
        rows = self.env["dunning.kpi"]._dunning_model_quality(self.company)
        self.assertEqual([(r.auc, r.brier, r.mae_days) for r in rows], [(0.61, 0.24, 9.5), (0.79, 0.17, 6.0)])
        [(auc,)] = self.env["dunning.report.model"]._read_group(
            [("company_id", "=", self.company.id)], [], ["auc:avg"])
        self.assertAlmostEqual(auc, 0.70, places=6)

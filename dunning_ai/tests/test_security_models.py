"""Stored models are never unpickled: planted, tampered and legacy models run no code (audit C1, H1)."""
import hashlib
import io
import logging
import pickle
from unittest.mock import patch

import joblib
import numpy as np

from odoo.addons.dunning_ai.core import intent as core_intent
from odoo.addons.dunning_ai.core import model_io
from odoo.addons.dunning_ai.core import scoring as core_scoring
from odoo.addons.dunning_ai.core.tests.synthetic import portfolio
from odoo.addons.dunning_ai.models import dunning_model, dunning_reply, dunning_scoring
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

REPLY_LOGGER = "odoo.addons.dunning_ai.models.dunning_reply"
MODEL_LOGGER = "odoo.addons.dunning_ai.models.dunning_model"
#: the logger the attacker's payload writes to: it must never be called
MARKER = "dunning.pwn"


class Payload:
    """A pickle that calls ``logging.getLogger("dunning.pwn").error`` when it is read."""

    def __reduce__(self):
        return logging.getLogger(MARKER).error, ("pwned: code ran while loading a stored model",)


PAYLOAD = pickle.dumps(Payload())


class Foreign:
    """A type no trusted list names."""


@tagged("post_install", "-at_install")
class TestSecurityModels(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.employee = new_test_user(cls.env, login="sec_employee", groups="base.group_user", **company)
        cls.collections_user = new_test_user(
            cls.env, login="sec_user", groups="base.group_user,dunning_ai.group_dunning_user", **company)
        cls.manager = new_test_user(
            cls.env, login="sec_manager", groups="base.group_user,dunning_ai.group_dunning_manager", **company)
        cls.history, _profiles = portfolio(n_customers=60, invoices_per_customer=10, seed=3)
        cls.today = 900
        cls.trained = core_scoring.train(cls.history, cls.today)
        assert cls.trained.kind == "model"

    def _stored_intent(self):
        return self.env["dunning.reply"]._intent_attachments(core_intent.fingerprint())

    def _store_scoring_model(self):
        record = self.env["dunning.model"].sudo()._dunning_store(self.company, self.trained)
        dunning_model._MODEL_CACHE.clear()
        return record

    # ------------------------------------------------------------ C1: the reply classifier

    def test_c1_planted_intent_attachment_is_never_unpickled(self):
        """An employee plants the classifier's attachment with a pickle payload: never read, the genuine one is."""
        key = core_intent.fingerprint()
        Attachment = self.env["ir.attachment"].with_user(self.employee)
        planted = Attachment.browse()
        # under every name a loader of the suite looked for (joblib before 19.0.1.2.0, skops now)
        for name in (f"dunning_intent_model-{key}.joblib", f"dunning_intent_model-{key}.skops"):
            for res_model in ("dunning.reply", "dunning.action"):
                planted |= Attachment.create({"name": name, "res_model": res_model, "raw": PAYLOAD})
        genuine = self._stored_intent()
        # the genuine one cannot be rewritten by the employee
        with self.assertRaises(AccessError):
            genuine.with_user(self.employee).write({"raw": PAYLOAD})

        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            patch.object(core_intent, "train", wraps=core_intent.train) as train,
            self.assertNoLogs(MARKER),
            self.assertLogs(REPLY_LOGGER, logging.WARNING) as logs,
        ):
            model = self.env["dunning.reply"].with_user(self.employee)._intent_model()
        train.assert_not_called()  # the genuine model was read, not refused
        self.assertIn("did not write", logs.output[0])
        self.assertIn(str(planted.ids[0]), logs.output[0])
        self.assertEqual(core_intent.classify("We will pay invoice INV/1 on 15/12/2026.", model)[0], "promise_to_pay")
        # the planted attachments are left for the administrator to inspect, and never candidates
        self.assertEqual(len(planted.exists()), 4)
        self.assertFalse(planted & self._stored_intent())
        self.assertEqual(self._stored_intent(), genuine)
        # nor can the employee write the signature
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.employee).set_param(
                dunning_reply.INTENT_SIGNATURE_PARAM, "0" * 64)

    def test_c1_tampered_intent_model_is_refused_and_retrained_signed(self):
        """The stored bytes replaced at the database level (a pickle): refused, logged, retrained and signed."""
        self._stored_intent().sudo().raw = PAYLOAD
        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            self.assertNoLogs(MARKER),
            self.assertLogs(REPLY_LOGGER, logging.WARNING) as logs,
        ):
            model = self.env["dunning.reply"]._intent_model()
        self.assertIn("signature does not match", logs.output[0])
        self.assertEqual(core_intent.classify("We will pay invoice INV/1 on 15/12/2026.", model)[0], "promise_to_pay")
        stored = self._stored_intent()
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored.raw.startswith(b"PK"), "a skops zip, not a pickle")
        signature = self.env["ir.config_parameter"].sudo().get_param(dunning_reply.INTENT_SIGNATURE_PARAM)
        self.assertEqual(signature, self.env["dunning.reply"]._intent_signature(core_intent.fingerprint(), stored.raw))

    # ------------------------------------------------------------ H1: the scoring model

    def test_h1_manager_cannot_forge_a_scoring_model_and_tampered_bytes_are_refused(self):
        record = self._store_scoring_model()
        Model = self.env["dunning.model"].with_user(self.manager)
        own = self.env["ir.attachment"].with_user(self.manager).create({"name": "estimator.pkl", "raw": PAYLOAD})
        with self.assertRaises(AccessError):
            Model.create({"company_id": self.company.id, "version": 999, "kind": "model", "state": "active",
                          "attachment_id": own.id})
        with self.assertRaises(AccessError):
            record.with_user(self.manager).write({"attachment_id": own.id})
        with self.assertRaises(AccessError):
            record.with_user(self.manager).write({"state": "archived"})
        with self.assertRaises(AccessError):
            record.attachment_id.with_user(self.manager).write({"raw": PAYLOAD})
        with self.assertRaises(AccessError):
            self.env["ir.attachment"].with_user(self.manager).create(
                {"name": "estimator.pkl", "res_model": "dunning.model", "res_id": record.id, "raw": PAYLOAD})
        with self.assertRaises(AccessError):
            record.with_user(self.manager).unlink()
        # managers still read the versions and retrain; a Collections User does not retrain
        self.assertEqual(record.with_user(self.manager).version, record.version)
        with self.assertRaises(AccessError):
            record.with_user(self.collections_user).action_retrain()

        # the bytes replaced behind the ORM's back (as the superuser): refused, the prior is used
        record.attachment_id.sudo().raw = PAYLOAD
        dunning_model._MODEL_CACHE.clear()
        with self.assertNoLogs(MARKER), self.assertLogs(MODEL_LOGGER, logging.WARNING) as logs:
            trained, active = self.env["dunning.scoring"]._company_model(self.company)
        self.assertIn("signature does not match", logs.output[0])
        self.assertEqual(active, record)
        self.assertEqual((trained.kind, trained.prior.reason), ("prior", "model_unavailable"))

        # a version pointed at another record's attachment (signed for that record) is refused too
        other = self._store_scoring_model()
        record.sudo().attachment_id = other.attachment_id
        with self.assertNoLogs(MARKER), self.assertLogs(MODEL_LOGGER, logging.WARNING) as logs:
            self.assertIsNone(record._dunning_load())
        self.assertIn("not this model's own", logs.output[0])

    def test_h1_manager_retrains(self):
        record = self._store_scoring_model()
        record.with_user(self.manager).action_retrain()
        self.assertEqual(record.state, "archived")
        new = self.env["dunning.model"]._dunning_active(self.company)
        self.assertEqual(new.version, record.version + 1)
        self.assertTrue(new.sudo().signature)

    # ------------------------------------------------------------ L10: the nightly history in batches

    def test_l10_history_is_read_in_batches(self):
        """The history comes through a server-side cursor a batch at a time, the same as in one go."""
        for i in range(5):
            invoice = self._dunning_invoice(self.customer, 100.0 + i, f"2026-0{i + 1}-01", f"2026-0{i + 1}-28")
            if i % 2:
                self._dunning_pay(invoice, invoice.amount_total, f"2026-0{i + 2}-05")
        Scoring = self.env["dunning.scoring"]
        whole = Scoring._history(self.company)
        self.assertEqual(len(whole), 5)
        with patch.object(dunning_scoring, "HISTORY_BATCH", 2):
            batched = Scoring._history(self.company)
            # twice in one transaction: each read closes its cursor
            Scoring._history(self.company, partner_ids=self.customer.ids)
        for name in ("move_id", "partner", "date", "due", "settle", "amount", "residual", "partials",
                     "reminders", "disputed", "excluded"):
            # the query has no order: compare by invoice
            np.testing.assert_array_equal(getattr(batched, name)[np.argsort(batched.move_id)],
                                          getattr(whole, name)[np.argsort(whole.move_id)], err_msg=name)
            self.assertEqual(getattr(batched, name).dtype, getattr(whole, name).dtype, name)
        self.assertFalse(len(Scoring._history(self.company, partner_ids=[0])))

    # ------------------------------------------------------------ round trips and legacy pickles

    def test_stored_models_round_trip_and_legacy_pickles_are_refused(self):
        # scoring: the stored model predicts what the trained one did
        record = self._store_scoring_model()
        self.assertTrue(record.attachment_id.raw.startswith(b"PK"), "a skops zip, not a pickle")
        self.assertEqual(record.sudo().signature, record._dunning_signature(record.attachment_id.raw))
        loaded = record._dunning_load()
        self.assertIsNot(loaded, self.trained)
        self.assertIs(record._dunning_load(), loaded, "read once per worker")
        before = core_scoring.score(self.history, self.trained, self.today)
        after = core_scoring.score(self.history, loaded, self.today)
        np.testing.assert_array_equal(after.risk, before.risk)
        np.testing.assert_array_equal(after.late_probability, before.late_probability)
        np.testing.assert_array_equal(after.predicted_payment_day, before.predicted_payment_day)
        self.assertEqual(after.explanations, before.explanations)

        # a version of an earlier release (as the engine stored it): a genuine TrainedModel, pickled, unsigned
        legacy = self.env["dunning.model"].sudo().create({
            "company_id": self.company.id, "version": record.version + 1, "kind": "model", "state": "active"})
        legacy.attachment_id = self.env["ir.attachment"].sudo().create({
            "name": f"dunning_model_{self.company.id}_v{legacy.version}.pkl", "res_model": "dunning.model",
            "res_id": legacy.id, "raw": pickle.dumps(self.trained)})
        with self.assertLogs(MODEL_LOGGER, logging.WARNING) as logs:
            self.assertIsNone(legacy._dunning_load())
        self.assertIn("not signed", logs.output[0])
        # even signed, a pickle is not read: skops refuses it before anything runs
        legacy.attachment_id.raw = PAYLOAD
        legacy.signature = legacy._dunning_signature(PAYLOAD)
        with self.assertNoLogs(MARKER), self.assertLogs(MODEL_LOGGER, logging.WARNING) as logs:
            self.assertIsNone(legacy._dunning_load())
        self.assertIn("not a stored model", logs.output[0])
        # a valid skops file naming a type outside the trusted list is refused before it is built
        foreign = model_io.dumps({"model": Foreign()})
        with self.assertRaisesRegex(ValueError, "Untrusted"):
            core_scoring.loads(foreign)
        with self.assertRaisesRegex(ValueError, "Untrusted"):
            core_intent.loads(foreign)

        # the reply classifier: trained, stored, read back with the same probabilities
        Reply = self.env["dunning.reply"]
        key = core_intent.fingerprint()
        texts = [row["text"] for row in core_intent.load_dataset()[::25]]
        with patch.dict(dunning_reply._INTENT_MODELS, clear=True):
            trained = Reply._intent_model_train(key)
        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            patch.object(core_intent, "train", side_effect=AssertionError("retrained")),
        ):
            stored = Reply._intent_model()
        self.assertIsNot(stored, trained)
        np.testing.assert_array_equal(stored.predict_proba(texts), trained.predict_proba(texts))

        # a classifier of an earlier release (joblib pickle) in its place: refused, retrained, signed
        buffer = io.BytesIO()
        joblib.dump(trained, buffer, compress=3)
        self._stored_intent().sudo().raw = buffer.getvalue()
        with (
            patch.dict(dunning_reply._INTENT_MODELS, clear=True),
            self.assertLogs(REPLY_LOGGER, logging.WARNING) as logs,
        ):
            Reply._intent_model()
        self.assertIn("cannot be read", logs.output[0])
        raw = self._stored_intent().raw
        self.assertTrue(raw.startswith(b"PK"))
        self.assertNotEqual(hashlib.sha256(raw).digest(), hashlib.sha256(buffer.getvalue()).digest())
        with self.assertRaises(ValueError):
            core_intent.loads(buffer.getvalue())

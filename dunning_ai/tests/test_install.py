from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_groups_chain(self):
        manager = self.env.ref("dunning_ai.group_dunning_manager")
        user = self.env.ref("dunning_ai.group_dunning_user")
        self.assertIn(user, manager.all_implied_ids)

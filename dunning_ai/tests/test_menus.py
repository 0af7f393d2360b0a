from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import DunningCommon

OUR_MODULES = ("dunning_ai", "dunning_ai_sms", "dunning_ai_reports")
GROUPS = {
    "user": "dunning_ai.group_dunning_user",
    "collector": "dunning_ai.group_dunning_collector",
    "manager": "dunning_ai.group_dunning_manager",
}


@tagged("post_install", "-at_install")
class TestMenus(DunningCommon):
    """Every Collections menu and every window action of the suite opens for each group.

    Menus and actions are discovered from the database, so the ones other parts of the
    suite add are walked too. Each action is loaded the way the web client loads it:
    its views (get_views), then its records (web_search_read for lists and kanbans,
    web_read or a new record's onchange for forms), as the user, with the action's
    domain and context.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        invoice = cls._dunning_invoice(
            cls.customer, 900.0, date.today() - timedelta(days=60), date.today() - timedelta(days=30)
        )
        cls.env["dunning.action"].create({
            "partner_id": cls.customer.id,
            "move_ids": [fields.Command.set(invoice.ids)],
            "state": "to_approve",
            "planned_at": fields.Datetime.now(),
            "reason": "Menu walk",
        })
        cls.users = {
            role: new_test_user(
                cls.env, login=f"dunning_walk_{role}",
                groups=f"base.group_user,account.group_account_invoice,{group}",
            )
            for role, group in GROUPS.items()
        }
        cls.plain_user = new_test_user(
            cls.env, login="dunning_walk_plain", groups="base.group_user,account.group_account_invoice"
        )
        cls.root = cls.env.ref("dunning_ai.menu_dunning_root")

    @classmethod
    def _our_records(cls, model):
        data = cls.env["ir.model.data"].sudo().search([
            ("model", "=", model), ("module", "in", OUR_MODULES),
        ])
        return cls.env[model].sudo().browse(data.mapped("res_id")).exists()

    @staticmethod
    def _shown(menus, visible_ids):
        """Menus the user reaches: visible together with all their ancestors (Odoo's
        _visible_menu_ids also lists a leaf whose folder is hidden by its groups)."""
        return menus.filtered(
            lambda menu: all(int(i) in visible_ids for i in menu.parent_path.strip("/").split("/"))
        )

    def _our_menus(self):
        """The Collections tree and our menus placed in other apps."""
        Menu = self.env["ir.ui.menu"].sudo()
        return Menu.search([("id", "child_of", self.root.id)]) | self._our_records("ir.ui.menu")

    def _eval_context(self, user):
        """What the web client puts at hand when it evaluates a domain or a context."""
        return {
            **self.env["ir.actions.actions"].with_user(user)._get_eval_context(),
            "active_id": False,
            "active_ids": [],
            "active_model": False,
            "allowed_company_ids": user.company_ids.ids,
            "company_id": user.company_id.id,
            "company_ids": user.company_ids.ids,
            "context_today": date.today,
            "current_date": fields.Date.to_string(date.today()),
            "relativedelta": relativedelta,
        }

    @staticmethod
    def _spec(arch, model_fields):
        """A web client specification for the fields of the view's own model."""
        spec = {}
        for node in etree.fromstring(arch).iter("field"):
            if any(parent.tag == "field" for parent in node.iterancestors()):
                continue  # a sub-view's field, on another model
            name = node.get("name")
            if name not in model_fields:
                continue
            relational = model_fields[name]["type"] in ("many2one", "many2many", "one2many")
            spec[name] = {"fields": {"display_name": {}}} if relational else {}
        return spec

    def _walk_window_action(self, user, action):
        """Open a window action (dict) as ``user``: views, then records, as the web client does."""
        eval_ctx = self._eval_context(user)
        context = action.get("context") or {}
        if isinstance(context, str):
            context = safe_eval(context, eval_ctx)
        domain = action.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval(domain, {**eval_ctx, "context": context})
        model = self.env[action["res_model"]].with_user(user).with_context(**context)
        views = [list(view) for view in action.get("views") or []]
        if not views:
            views = [[False, vtype] for vtype in (action.get("view_mode") or "list,form").split(",")]
        search_view = action.get("search_view_id")
        views.append([search_view[0] if isinstance(search_view, list | tuple) else search_view, "search"])
        result = model.get_views(views, {"load_filters": True, "toolbar": True})
        model_fields = result["models"][model._name]["fields"]
        record_ids = []
        for vtype in ("list", "kanban", "calendar", "pivot", "graph"):
            if vtype not in result["views"]:
                continue
            spec = self._spec(result["views"][vtype]["arch"], model_fields)
            found = model.web_search_read(domain, spec, limit=80)
            record_ids = record_ids or [rec["id"] for rec in found["records"]]
        if "form" in result["views"]:
            spec = self._spec(result["views"]["form"]["arch"], model_fields)
            res_id = action.get("res_id") or (record_ids[0] if record_ids else False)
            if res_id:
                self.assertTrue(model.browse(res_id).web_read(spec))
            elif model.has_access("create"):
                model.onchange({}, [], spec)
        return result

    def _walk_action(self, user, action):
        """Load an action record as ``user`` would, whatever its type."""
        if action.type == "ir.actions.act_window":
            self._walk_window_action(user, action.sudo()._get_action_dict())
        elif action.type == "ir.actions.server":
            result = action.with_user(user).run()
            if isinstance(result, dict) and result.get("type") == "ir.actions.act_window":
                self._walk_window_action(user, result)
        else:
            self.assertTrue(self.env[action.type].sudo().browse(action.id).read())

    def _reachable_actions(self, user, visible_menus):
        """Actions of the visible menus, and our window actions the user may open elsewhere
        (smart buttons, links): those with no menu, allowed to the user's groups, on a model
        the user can read."""
        actions = {menu.action for menu in visible_menus if menu.action}
        menus_with_action = self.env["ir.ui.menu"].sudo().search([("action", "!=", False)])
        in_menus = {menu.action for menu in menus_with_action}
        for action in self._our_records("ir.actions.act_window"):
            if action in in_menus or (action.group_ids and not (action.group_ids & user.all_group_ids)):
                continue
            if self.env[action.res_model].with_user(user).has_access("read"):
                actions.add(action)
        return actions

    def test_plain_user_sees_no_collections(self):
        """An employee without a Collections group sees no menu of the app."""
        Menu = self.env["ir.ui.menu"].with_user(self.plain_user)
        tree = self.env["ir.ui.menu"].sudo().search([("id", "child_of", self.root.id)])
        self.assertFalse(self._shown(tree, Menu._visible_menu_ids()))
        self.assertNotIn(self.root.id, Menu.load_menus(debug=False))

    def test_walk_menus_and_actions_per_group(self):
        """Each group sees the Collections app and opens every menu and action it can reach."""
        our_menus = self._our_menus()
        manager_only = self.env.ref("dunning_ai.menu_dunning_config")
        walked = {}
        for role, user in self.users.items():
            visible_ids = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            self.assertIn(self.root.id, visible_ids, f"{role} must see the Collections app")
            self.assertIn(self.root.id, self.env["ir.ui.menu"].with_user(user).load_menus(debug=False))
            self.assertEqual(manager_only.id in visible_ids, role == "manager",
                             "Configuration is for managers only")
            visible = self._shown(our_menus, visible_ids)
            actions = self._reachable_actions(user, visible)
            for action in actions:
                with self.subTest(role=role, action=action.xml_id or action.name):
                    self._walk_action(user, action)
            walked[role] = actions
        self.assertIn(self.env.ref("dunning_ai.dunning_action_action"), walked["user"])
        self.assertIn(self.env.ref("dunning_ai.dunning_policy_action"), walked["manager"])
        self.assertLessEqual(walked["user"], walked["manager"])

{
    "name": "Dunning AI",
    "summary": "Collect overdue invoices with learned payment-behaviour scores, "
    "per-customer timing and channels, and collector escalation",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Dunning AI contributors",
    "website": "https://github.com/dunning-ai/dunning-ai",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "maintainers": ["dunning-ai"],
    "depends": [
        "account",
        "account_payment",
        "portal",
        "mail",
        "resource",
    ],
    "external_dependencies": {
        "python": ["numpy", "scikit-learn", "babel"],
    },
    "data": [
        "security/dunning_ai_security.xml",
        "security/ir.model.access.csv",
        "security/dunning_ai_rules.xml",
        "data/mail_template_data.xml",
        "views/dunning_action_views.xml",
        "views/dunning_policy_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/dunning_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "dunning_ai/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": True,
}

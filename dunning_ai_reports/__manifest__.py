{
    "name": "Dunning AI - Reports",
    "summary": "DSO, collection effectiveness, cash-in forecasts and dashboards for Dunning AI",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Dunning AI contributors",
    "website": "https://github.com/dunning-ai/dunning-ai",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "maintainers": ["dunning-ai"],
    "depends": ["dunning_ai"],
    "data": [],
    "installable": True,
}

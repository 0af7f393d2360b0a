{
    "name": "Dunning AI: test WhatsApp channel",
    "summary": "A fake channel proving the channel contract: installed by tests/test_channel_plugin.py only",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "license": "LGPL-3",
    "author": "Dunning AI contributors",
    "website": "https://github.com/dunning-ai/dunning-ai",
    "depends": ["dunning_ai"],
    "data": [],
    "installable": True,
    "application": False,
}

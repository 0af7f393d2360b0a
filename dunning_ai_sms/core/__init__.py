"""Pure-Python helpers of the SMS channel (no ``odoo`` import): segment counting,
opt-out keywords, quiet-hour windows and Babel formatting."""

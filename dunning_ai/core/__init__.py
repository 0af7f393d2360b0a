"""Pure-Python engine of Dunning AI: features, models and decisions.

Nothing in this package imports ``odoo``: it works on NumPy arrays and plain
Python values so that it can be tested and benchmarked on its own.
"""

"""Pure-Python KPI formulas of the reports addon (no ``odoo`` import)."""

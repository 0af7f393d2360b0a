"""19.0.1.2.0: a customer's pause is per company (``res.partner.dunning_pause_until``).

The date column becomes the JSONB column of a company-dependent field, ``{"<company id>":
"YYYY-MM-DD"}``. PostgreSQL cannot cast a date to JSONB, so the ORM's own conversion would
stop the upgrade. A pause set before the upgrade is kept for every company of the customer:
its own company, or every company when the customer is shared between companies.
"""


def migrate(cr, version):
    cr.execute(
        """
        SELECT data_type FROM information_schema.columns
         WHERE table_name = 'res_partner' AND column_name = 'dunning_pause_until'
        """
    )
    row = cr.fetchone()
    if not row or row[0] == "jsonb":
        return
    cr.execute("ALTER TABLE res_partner ADD COLUMN dunning_pause_until_by_company jsonb")
    cr.execute(
        """
        UPDATE res_partner p
           SET dunning_pause_until_by_company = (
                   SELECT jsonb_object_agg(c.id::text, to_char(p.dunning_pause_until, 'YYYY-MM-DD'))
                     FROM res_company c
                    WHERE p.company_id IS NULL OR c.id = p.company_id)
         WHERE p.dunning_pause_until IS NOT NULL
        """
    )
    cr.execute("ALTER TABLE res_partner DROP COLUMN dunning_pause_until")
    cr.execute("ALTER TABLE res_partner RENAME COLUMN dunning_pause_until_by_company TO dunning_pause_until")

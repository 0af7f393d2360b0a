def post_init_hook(env):
    """Defaults that existing companies and the inbound SMS webhook need."""
    companies = env["res.company"].search([])
    companies.dunning_sms_optout_country_ids = companies._default_dunning_sms_optout_countries()
    env["res.partner"]._dunning_sms_inbound_token()

def post_init_hook(env):
    """Give existing companies the default list of countries requiring an opt-out line."""
    companies = env["res.company"].search([])
    companies.dunning_sms_optout_country_ids = companies._default_dunning_sms_optout_countries()

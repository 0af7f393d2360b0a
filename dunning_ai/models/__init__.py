from . import dunning_policy
from . import dunning_policy_stage
from . import dunning_action
from . import dunning_promise
from . import res_company
from . import res_partner
from . import account_move
from . import res_config_settings

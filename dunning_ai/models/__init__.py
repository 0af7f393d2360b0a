from . import dunning_policy
from . import dunning_policy_stage
from . import dunning_policy_override
from . import dunning_action
from . import dunning_promise
from . import res_company
from . import res_partner
from . import account_move
from . import res_config_settings
from . import dunning_action_engine
from . import dunning_action_message  # after the engine: extends its executor
from . import dunning_action_statement  # after the messages: statements printed ahead
from . import mail_activity
from . import dunning_team
from . import dunning_worklist
from . import mail_message
from . import dunning_demo
from . import dunning_model
from . import res_partner_score
from . import account_partial_reconcile
from . import res_partner_privacy
from . import dunning_action_trust
from . import dunning_skip
from . import ir_qweb

from . import res_company
from . import res_config_settings
from . import res_partner
from . import dunning_policy_stage
from . import dunning_action
from . import dunning_channel_sms
from . import sms_template
from . import sms_tracker

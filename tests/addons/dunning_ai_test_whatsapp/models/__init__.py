from . import dunning_action
from . import dunning_policy_stage
from . import res_partner
from . import dunning_channel_whatsapp

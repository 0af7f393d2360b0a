from . import dunning_action_reschedule
from . import dunning_call_outcome_wizard
from . import dunning_reassign_wizard
from . import dunning_action_preview

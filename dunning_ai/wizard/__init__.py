from . import dunning_action_reschedule

from . import dunning_action_preview

from . import dunning_report_mixin
from . import dunning_report_aging
from . import dunning_report_receivable
from . import dunning_report_action
from . import dunning_report_forecast
from . import dunning_report_model

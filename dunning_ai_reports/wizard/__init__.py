from . import dunning_dashboard
from . import dunning_dashboard_line

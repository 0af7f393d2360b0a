from . import res_company
from . import dunning_kpi
from . import dunning_demo
from . import dunning_forecast_snapshot

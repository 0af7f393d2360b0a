from . import res_company
from . import dunning_kpi

from . import test_kpi_reports

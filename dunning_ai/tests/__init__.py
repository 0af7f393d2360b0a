from . import test_common
from . import test_install
from . import test_escalation
from . import test_assignment
from . import test_talking_points
from . import test_call_outcome
from . import test_collectors_security
from . import test_worklist

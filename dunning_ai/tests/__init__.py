from . import test_common
from . import test_install
from . import test_scores

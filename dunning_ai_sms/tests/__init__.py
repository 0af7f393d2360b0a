from . import test_sms_channel
from . import test_sms_delivery
from . import test_sms_optout
from . import test_sms_template
from . import test_sms_inbound_http
from . import test_sms_engine_flow
from . import test_sms_trust
from . import test_security_sms

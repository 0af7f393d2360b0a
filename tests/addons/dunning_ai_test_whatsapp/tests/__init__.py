from . import test_whatsapp_channel

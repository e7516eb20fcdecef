"""A local emulator of the Customer Management API v13, built from the same WSDL as the client.

Layout, after moto: ``store`` (SQLite persistence), ``backend`` (what each operation does),
two faces over them, ``soap`` (envelopes through the WSDL) and ``rest`` (JSON, as Microsoft's
``msads`` SDK speaks it), ``control`` (call counts and fault injection), ``app`` (WSGI routing and
the one request pipeline both faces share), ``server`` and ``cli`` (waitress, ``msads-emulator``).
"""

from .backend import Backend, Settings
from .server import EmulatorServer

__all__ = ["Backend", "EmulatorServer", "Settings"]

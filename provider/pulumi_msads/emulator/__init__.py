"""A local emulator of the Customer Management API v13, built from the same WSDL as the client.

Layout, after moto: ``store`` (SQLite persistence), ``backend`` (what each operation does),
``soap`` (envelopes through the WSDL), ``control`` (call counts and fault injection), ``app``
(WSGI routing), ``server`` and ``cli`` (waitress, the ``msads-emulator`` command).
"""

from .backend import Backend, Settings
from .server import EmulatorServer

__all__ = ["Backend", "EmulatorServer", "Settings"]

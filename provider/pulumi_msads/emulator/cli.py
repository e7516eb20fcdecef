"""``msads-emulator``: run the local Customer Management service."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence

from .backend import Settings
from .server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS, EmulatorServer, default_db_path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="msads-emulator",
        description="A local emulator of the Microsoft Advertising Customer Management API v13 (SOAP). "
        "The first line printed on stdout is the service URL; append ?wsdl for the WSDL.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s, loopback only)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port; 0 picks a free one (default: %(default)s)"
    )
    parser.add_argument("--db", default=str(default_db_path()), help="SQLite file, or :memory: (default: %(default)s)")
    parser.add_argument("--developer-token", help="accept only this DeveloperToken (default: any non-empty one)")
    parser.add_argument("--access-token", help="accept only this AuthenticationToken (default: any non-empty one)")
    parser.add_argument(
        "--allow-customer-delete",
        action="store_true",
        help="let DeleteCustomer succeed (the real service reserves it to Microsoft staff)",
    )
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="worker threads (default: %(default)s)")
    parser.add_argument("--log-level", default="WARNING", help="logging level on stderr (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings(args.developer_token, args.access_token, args.allow_customer_delete)
    try:
        server = EmulatorServer(args.db, args.host, args.port, settings, threads=args.threads)
    except OSError as error:
        print(f"msads-emulator: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(server.url, flush=True)
    print(
        f"msads-emulator: data in {args.db}; control plane at {server.base_url}/_emulator/health",
        file=sys.stderr,
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``msads-emulator``: run the local Customer Management service."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from . import seed
from .backend import Settings
from .core import MAX_LISTING_DELAY
from .server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_THREADS, EmulatorServer, default_db_path
from .updates import PER_FIELD, SEMANTICS


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
    parser.add_argument(
        "--update-semantics",
        choices=SEMANTICS,
        default=PER_FIELD,
        help="what an Update does to a field left out: 'per-field' keeps it, as the field tables say "
        "(default); 'overwrite' clears it, as the operation pages say",
    )
    parser.add_argument(
        "--listing-delay",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="GetAccountsInfo lists a new account only after SECONDS (the service documents up to five "
        "minutes); default: at once",
    )
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="worker threads (default: %(default)s)")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=LOG_LEVELS,
        help="INFO logs one line per call (operation, result, ms, TrackingId); default: %(default)s",
    )
    parser.add_argument(
        "--calls-per-minute",
        type=_positive,
        metavar="N",
        help="answer calls beyond N in any sliding minute with error 117, as the service throttles (default: no limit)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also serve requests whose Host is NAME (repeatable; '*' for any); by default only the bound address, "
        "127.0.0.1, localhost and [::1], which keeps DNS-rebinding pages out",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="serve browser requests from ORIGIN, e.g. http://localhost:3000 (repeatable; '*' for any); "
        "by default web pages get 403",
    )
    parser.add_argument(
        "--seed",
        type=_fixture,
        metavar="FILE",
        help="load this fixture of customers and accounts (YAML, or JSON if it ends in .json) into a store that "
        "holds no clients yet, and again after every reset of the data; see POST /_emulator/seed",
    )
    return parser.parse_args(argv)


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not 0 <= value <= MAX_LISTING_DELAY:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_LISTING_DELAY:g} seconds, not {value:g}")
    return value


class _Fixture:
    """A ``--seed`` file as read, with its name for the messages."""

    def __init__(self, path: str, content: object) -> None:
        self.path, self.content = path, content


def _fixture(path: str) -> _Fixture:
    """The fixture file, read at once: a missing or unreadable file is a usage error (status 2), not a late crash."""
    try:
        return _Fixture(path, seed.read_file(path))
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {error.strerror or error}") from None
    except seed.SeedError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _seeded_line(fixture: _Fixture, seeded: dict[str, Any] | None) -> str:
    if seeded is None:
        return (
            f"msads-emulator: {fixture.path} not seeded: the store already holds clients (a reset of the data loads it)"
        )
    customers = seeded["customers"]
    accounts = sum(len(c["accounts"]) for c in customers)
    return f"msads-emulator: seeded {len(customers)} customers and {accounts} accounts from {fixture.path}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Only the emulator's own records at the chosen level: zeep, lxml and waitress stay at WARNING, so that
    # DEBUG shows what the emulator does rather than every schema lookup.
    logging.basicConfig(level="WARNING", stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pulumi_msads.emulator").setLevel(args.log_level)
    settings = Settings(
        args.developer_token,
        args.access_token,
        args.allow_customer_delete,
        update_semantics=args.update_semantics,
        listing_delay=args.listing_delay,
    )
    try:
        server = EmulatorServer(
            args.db,
            args.host,
            args.port,
            settings,
            threads=args.threads,
            allow_hosts=tuple(args.allow_host),
            allow_origins=tuple(args.allow_origin),
            calls_per_minute=args.calls_per_minute,
            seed_fixture=args.seed.content if args.seed else None,
        )
    except OSError as error:
        print(f"msads-emulator: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    except seed.SeedError as error:
        print(f"msads-emulator: --seed {args.seed.path}: {error}", file=sys.stderr)
        return 2
    print(server.url, flush=True)
    if args.seed:
        print(_seeded_line(args.seed, server.seeded), file=sys.stderr, flush=True)
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

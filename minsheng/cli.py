"""The ``minsheng`` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from minsheng.logs import configure_logging
from minsheng.settings import Settings


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


def cmd_worker(args: argparse.Namespace) -> int:
    from worker import run_deliveries, run_worker

    settings = _settings()
    settings.validate_config()
    if args.deliveries and not settings.delivery_task_queue:
        print("minsheng worker --deliveries needs MINSHENG_DELIVERY_TASK_QUEUE, the deliveries' own task queue")
        return 2
    asyncio.run(run_deliveries(settings) if args.deliveries else run_worker(settings))
    return 0


def cmd_api(_args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    settings = _settings()
    settings.validate_config()
    app = create_app(settings)
    # uvloop and httptools: the event loop and HTTP parsing in C (bench/README.md).
    uvicorn.run(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        access_log=False,
        loop="uvloop",
        http="httptools",
    )
    return 0


def cmd_migrate(_args: argparse.Namespace) -> int:
    from minsheng.setup import migrate

    asyncio.run(migrate(_settings()))
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    from minsheng.setup import create_key

    key_id, secret = asyncio.run(create_key(_settings(), args.role, args.unit, args.label))
    print(f"# key {key_id}: role {args.role}" + (f", unit {args.unit}" if args.unit else ""), file=sys.stderr)
    print(secret)
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from minsheng.replay import replay_case

    ok, message = asyncio.run(replay_case(_settings(), args.case_id))
    print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def cmd_check(_args: argparse.Namespace) -> int:
    settings = _settings()
    settings.validate_config()
    reference, timing = settings.reference, settings.timing
    print(
        f"{settings.config_dir}: {len(reference.channels)} channels, {len(reference.units)} units, "
        f"{len(reference.domains)} domains, {len(reference.matter_types)} matter types, "
        f"tier policy, calendar years {sorted(timing.calendar.years)}, callback policy, ranking weights, assessment policy, notification recipients: ok"
    )
    return 0


def cmd_schedules_apply(_args: argparse.Namespace) -> int:
    from minsheng.schedules import apply_schedules
    from minsheng.temporal import connect

    settings = _settings()

    async def apply() -> list[str]:
        client = await connect(settings.temporal_address, settings.temporal_namespace, settings.temporal_access)
        return await apply_schedules(client, settings)

    for line in asyncio.run(apply()):
        print(line)
    return 0


def cmd_dev(_args: argparse.Namespace) -> int:
    from minsheng.dev import run_dev

    return asyncio.run(run_dev(_settings()))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="minsheng", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "dev", help="the whole stack on one machine: Temporal dev server, migrations, worker, API"
    ).set_defaults(run=cmd_dev)
    worker = commands.add_parser("worker", help="run a worker")
    worker.add_argument(
        "--deliveries",
        action="store_true",
        help="serve only the outbox's deliveries, on MINSHENG_DELIVERY_TASK_QUEUE (a process of their own)",
    )
    worker.set_defaults(run=cmd_worker)
    commands.add_parser("api", help="run the HTTP API").set_defaults(run=cmd_api)
    commands.add_parser("migrate", help="apply database migrations and load the reference data files").set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("check-config", help="validate the reference data files").set_defaults(run=cmd_check)
    keys = commands.add_parser("keys", help="API keys").add_subparsers(dest="keys_command", required=True)
    create = keys.add_parser("create", help="create an API key and print it (shown once)")
    create.add_argument(
        "--role", required=True, choices=["intake", "dispatcher", "unit", "callback_agent", "leader", "auditor"]
    )
    create.add_argument("--unit", help="the unit code, for --role unit")
    create.add_argument("--label", default="", help="who or what the key is for")
    create.set_defaults(run=cmd_keys_create)
    schedules = commands.add_parser("schedules", help="Temporal Schedules").add_subparsers(
        dest="schedules_command", required=True
    )
    schedules.add_parser(
        "apply", help="create or update the daily ranking and monthly assessment schedules (idempotent)"
    ).set_defaults(run=cmd_schedules_apply)
    replay = commands.add_parser(
        "replay", help="replay a case's history from Temporal against the current workflow code"
    )
    replay.add_argument("case_id")
    replay.set_defaults(run=cmd_replay)
    return root


def _exit(code: int) -> None:
    """Exit without interpreter teardown: the Temporal client's Rust threads can crash a short-lived
    process while Python finalises (temporalio/sdk-python#300); everything is done and flushed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    from domain.reference import ReferenceDataError

    args = parser().parse_args(argv)
    try:
        _exit(args.run(args))
    except ReferenceDataError as exc:
        print(f"minsheng: bad reference data:\n{exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)

"""The ``minsheng`` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

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


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass(f"password for {args.login}: ")
    if getpass.getpass("the same again: ") != first:
        raise SystemExit("minsheng users: the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from minsheng.setup import manage_users
    from services.accounts import AccountError

    password = _password(args) if args.users_command in ("add", "reset-password") else ""
    try:
        for line in asyncio.run(manage_users(_settings(), args, password)):
            print(line)
    except AccountError as exc:
        print(f"minsheng users: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from minsheng.replay import replay_case

    ok, message = asyncio.run(replay_case(_settings(), args.case_id))
    print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from services.audit import verify_with_settings

    result = asyncio.run(verify_with_settings(_settings(), args.case, args.since, not args.no_history))
    print(result.summary(), file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def cmd_audit_anchors(args: argparse.Namespace) -> int:
    from services.audit import printed_anchors

    for line in asyncio.run(printed_anchors(_settings(), args.since)):
        print(line)
    return 0


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


def cmd_classifier_train(args: argparse.Namespace) -> int:
    from minsheng import classifier

    settings = _settings()
    learned = [] if args.no_corrections else asyncio.run(classifier.corrections(settings, args.corrections))
    classifier.train_and_report(
        settings,
        args.files,
        args.holdout,
        args.holdout_share,
        learned,
        args.precision,
        args.output,
        args.activate,
    )
    return 0


def cmd_classifier_evaluate(args: argparse.Namespace) -> int:
    from minsheng import classifier

    classifier.evaluate_and_report(_settings(), args.file, args.model)
    return 0


def cmd_classifier_activate(args: argparse.Namespace) -> int:
    store = _settings().model_store
    store.activate(args.version)
    print(f"switched on: model {args.version} (workers load it within a minute)")
    return 0


def _share(text: str) -> float:
    """A share between 0 and 1 (0.95, not 95)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1 (write 0.95 for 95%)")
    return value


def _classifier_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("classifier", help="the dispatch classifier's models").add_subparsers(
        dest="classifier_command", required=True
    )
    train = group.add_parser(
        "train",
        help="train a model on labelled requests (CSV or JSON lines: text, address, matter_type, unit) and "
        "dispatchers' corrections; print held-out figures",
    )
    train.add_argument("files", nargs="+", type=Path, metavar="FILE")
    train.add_argument("--holdout", type=Path, help="evaluate on this file (default: a share of FILE, by hash)")
    train.add_argument("--holdout-share", type=_share, default=0.2, help="share of FILE held out (default 0.2)")
    train.add_argument(
        "--precision", type=_share, default=0.95, help="share of automatic dispatches to the right unit (default 0.95)"
    )
    train.add_argument("--no-corrections", action="store_true", help="leave dispatchers' corrections out")
    train.add_argument("--corrections", type=int, default=50_000, help="the newest corrections to learn from")
    train.add_argument("--output", type=Path, help="write the model to this file instead of the model store")
    train.add_argument("--activate", action="store_true", help="switch the new model on")
    train.set_defaults(run=cmd_classifier_train)
    evaluate = group.add_parser("evaluate", help="figures of the active model (or --model) on a labelled file")
    evaluate.add_argument("file", type=Path, metavar="FILE")
    evaluate.add_argument("--model", help="a stored version or a .joblib file (default: the active model)")
    evaluate.set_defaults(run=cmd_classifier_evaluate)
    activate = group.add_parser("activate", help="switch a trained model on")
    activate.add_argument("version")
    activate.set_defaults(run=cmd_classifier_activate)


def _user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("users", help="the console's people (docs/console.md)").add_subparsers(
        dest="users_command", required=True
    )
    add = group.add_parser("add", help="add a person; the password is asked for (or read from stdin)")
    add.add_argument("login")
    add.add_argument(
        "--role", required=True, choices=["dispatcher", "unit", "callback_agent", "leader", "auditor", "admin"]
    )
    add.add_argument("--unit", help="the unit code, for --role unit")
    add.add_argument("--name", default="", help="the name the console shows (default: the login)")
    reset = group.add_parser("reset-password", help="a new password (asked for, or from stdin); lifts a lock")
    reset.add_argument("login")
    for command in (add, reset):
        command.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
    listing = group.add_parser("list", help="every person: login, name, role, unit, state")
    disable = group.add_parser("disable", help="stop a person signing in (their sessions end)")
    disable.add_argument("login")
    enable = group.add_parser("enable", help="let a disabled person sign in again")
    enable.add_argument("login")
    for command in (add, reset, listing, disable, enable):
        command.set_defaults(run=cmd_users)


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
    _user_commands(commands)
    schedules = commands.add_parser("schedules", help="Temporal Schedules").add_subparsers(
        dest="schedules_command", required=True
    )
    schedules.add_parser(
        "apply", help="create or update the daily ranking and monthly assessment schedules (idempotent)"
    ).set_defaults(run=cmd_schedules_apply)
    replay = commands.add_parser(
        "replay", help="replay a case's history (from Temporal, else the archive) against the current workflow code"
    )
    replay.add_argument("case_id")
    replay.set_defaults(run=cmd_replay)
    audit = commands.add_parser("audit", help="the tamper-evident record").add_subparsers(
        dest="audit_command", required=True
    )
    verify = audit.add_parser(
        "verify",
        help="check the timelines' hash chains, the anchors, the assessment and accountability ledgers, "
        "and each timeline against its Temporal or archived history; exit 1 naming what is wrong",
    )
    which = verify.add_mutually_exclusive_group()
    which.add_argument("--case", help="one case (its chain, its anchored heads, its history)")
    which.add_argument(
        "--since", type=date.fromisoformat, help="the cases with events since this day (YYYY-MM-DD, city's zone)"
    )
    verify.add_argument(
        "--no-history", action="store_true", help="chains, anchors and ledgers only: no Temporal or archive reads"
    )
    verify.set_defaults(run=cmd_audit_verify)
    anchors = audit.add_parser("anchors", help="print the daily anchors' roots, for an outside witness to keep")
    anchors.add_argument("--since", type=date.fromisoformat, help="from this day (YYYY-MM-DD)")
    anchors.set_defaults(run=cmd_audit_anchors)
    _classifier_commands(commands)
    return root


def _exit(code: int) -> None:
    """Exit without interpreter teardown: the Temporal client's Rust threads can crash a short-lived
    process while Python finalises (temporalio/sdk-python#300); everything is done and flushed."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    from domain.modelstore import ClassifierError
    from domain.reference import ReferenceDataError
    from minsheng.classifier import LabelledFileError

    args = parser().parse_args(argv)
    try:
        _exit(args.run(args))
    except ReferenceDataError as exc:
        print(f"minsheng: bad reference data:\n{exc}", file=sys.stderr)
        sys.exit(2)
    except (ClassifierError, LabelledFileError) as exc:
        print(f"minsheng: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)

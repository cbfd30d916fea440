"""`make bench`: the intake benchmark against the bare engine, open cases at scale, the daily
ranking over a million cases in PostgreSQL, merging and classification on their labelled sets, case
event delivery under intake load, the verify of 100,000 cases' chains and the archive's export; one
table.

Each benchmark also writes its figures to bench/results/*.json with the machine it ran on.
`python -m bench --count 100000 --wave 10000` (`make bench-full`) is the full open-cases size.
"""

import argparse

from bench import audit, classification, events, intake, merging, open_cases, ranking


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--count", type=int, default=20_000, help="open cases (default 20,000)")
    parser.add_argument("--wave", type=int, default=5_000, help="deadlines falling due together")
    parser.add_argument(
        "--ranking-cases", type=int, default=1_000_000, help="cases in PostgreSQL for the ranking (default 1,000,000)"
    )
    args = parser.parse_args()
    ours = intake.main([])
    scale = open_cases.main(["--count", str(args.count), "--wave", str(args.wave)])
    ranked = ranking.main(["--cases", str(args.ranking_cases)])
    merged = merging.main([])
    classified = classification.main([])
    delivered = events.main([])
    audited = audit.main([])
    print("\nsummary")
    for row in ours["rounds"]:
        m = row["minsheng"]
        print(
            f"  intake at concurrency {row['concurrency']:>3}: {m['requests_per_s']:.1f} req/s "
            f"(p99 {m['p99_ms']:.0f} ms), {m['dispatched_per_s']:.1f} dispatched/s; "
            f"÷ bare: starts {row['ratio_starts']:.2f}, completions {row['ratio_completions']:.2f}"
        )
    lag, memory = scale["slip_lag_seconds"], scale["memory_mib_after_create"]
    workers = " + ".join(f"{mib:.0f}" for name, mib in memory.items() if name.startswith("worker"))
    print(
        f"  {scale['count']} open cases created at {scale['create_per_second']}/s; workers "
        f"{workers} MiB, server {memory['temporal_server']:.0f} MiB; "
        f"wave of {scale['wave_cases']} deadlines in {scale['wave_deadline_window_seconds']} s → slips "
        f"lag p99 {lag['p99']} s, each once: {scale['wave_slips_per_case']}"
    )
    days = ", ".join(
        f"{e['day']} {e['rank_day_new_connection']['median_s']:.2f} s "
        f"({e['rank_day_reused_connection']['median_s']:.2f} s on a reused connection)"
        for e in ranked["ranking"].values()
    )
    print(
        f"  daily ranking over {ranked['cases']:,} cases in PostgreSQL ({ranked['database_mib']:,} MiB), median: {days}; "
        f"{'within' if ranked['within_limit'] else 'NOT within'} {ranked['limit_seconds']:.0f} s"
    )
    held, speed = merged["tuned_on_held_out"], merged["speed"]
    print(
        f"  merging (held-out half, tuned thresholds): precision {held['precision']:.3f}, recall "
        f"{held['recall']:.3f}, {held['reduction']:.1%} fewer cases; one match against {speed['cases']:,} open "
        f"cases {speed['indexed_ms']['median']} ms median (brute force {speed['brute_force_ms']['median']} ms)"
    )
    c = classified["held_out"]
    print(
        f"  classification (held-out set): dispatched automatically {c['automatic']:.1%} "
        f"({c['automatic_right_unit']:.1%} to the right unit), top-3 right for {c['rest_top3']:.1%} of the rest; "
        f"p99 {classified['latency']['wall']['p99_ms']} ms"
    )
    print(
        f"  case events to a local subscriber under intake load ({delivered['intake_requests_per_s']} req/s): lag "
        f"from the outbox write p50 {delivered['delivery_lag_s']['p50']} s, p99 {delivered['delivery_lag_s']['p99']} s "
        f"(from the step p99 {delivered['lag_s']['p99']} s); {delivered['deliveries_per_s']} deliveries/s"
    )

    verified, archived = audited["verify"], audited["archive"]
    print(
        f"  verify of {verified['cases']:,} cases' chains ({verified['events']:,} events): {verified['verify_seconds']} s; "
        f"archive export per case: median {archived['export_ms']['median']} ms, "
        f"{archived['archived_gzip_bytes']:,.0f} bytes gzipped"
    )


main()

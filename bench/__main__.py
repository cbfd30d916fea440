"""`make bench`: the intake benchmark against the bare engine, then open cases at scale; one table.

Each benchmark also writes its figures to bench/results/*.json with the machine it ran on.
`python -m bench --count 100000 --wave 10000` (`make bench-full`) is the full open-cases size.
"""

import argparse

from bench import intake, open_cases


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--count", type=int, default=20_000, help="open cases (default 20,000)")
    parser.add_argument("--wave", type=int, default=5_000, help="deadlines falling due together")
    args = parser.parse_args()
    ours = intake.main([])
    scale = open_cases.main(["--count", str(args.count), "--wave", str(args.wave)])
    print("\nsummary")
    for row in ours["rounds"]:
        m = row["minsheng"]
        print(
            f"  intake at concurrency {row['concurrency']:>3}: {m['requests_per_s']:.1f} req/s "
            f"(p99 {m['p99_ms']:.0f} ms), {m['dispatched_per_s']:.1f} dispatched/s; "
            f"÷ bare: starts {row['ratio_starts']:.2f}, completions {row['ratio_completions']:.2f}"
        )
    lag = scale["slip_lag_seconds"]
    print(
        f"  {scale['count']} open cases created at {scale['create_per_second']}/s; worker "
        f"{scale['memory_mib_after_create']['worker']} MiB, server {scale['memory_mib_after_create']['temporal_server']} MiB; "
        f"wave of {scale['wave_cases']} deadlines in {scale['wave_deadline_window_seconds']} s → slips "
        f"lag p99 {lag['p99']} s, each once: {scale['wave_slips_per_case']}"
    )


main()

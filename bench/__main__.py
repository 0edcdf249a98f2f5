"""Run a benchmark: `python -m bench seed|lookup|ledgers|start|writers|keys [...]`."""

from __future__ import annotations

import argparse

from bench import keys, ledgers, lookup, seed_demo, start, writers


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="name", required=True)
    seed = sub.add_parser("seed", help="seed demo --persons N, against a raw COPY")
    seed.add_argument("--persons", type=int, default=100_000)
    seed.add_argument("--seed", type=int, default=1)
    find = sub.add_parser("lookup", help="person lookups and registry pages, RLS vs owner")
    find.add_argument("--persons", type=int, default=100_000)
    ledger = sub.add_parser("ledgers", help="ledger pages, statistics and exports of a city")
    ledger.add_argument("--persons", type=int, default=100_000)
    begin = sub.add_parser("start", help="app start and memory, against a bare Textual app")
    begin.add_argument("--persons", type=int, default=20_000)
    begin.add_argument("--runs", type=int, default=5)
    write = sub.add_parser("writers", help="concurrent writers of one city, chain vs none")
    write.add_argument("--writers", type=int, default=200)
    write.add_argument("--writes", type=int, default=20, help="per writer and round")
    write.add_argument("--pause", type=float, default=0.5, help="mean seconds between writes")
    write.add_argument("--rounds", type=int, default=2)
    write.add_argument("--cold", action="store_true", help="time each connection's first write")
    burst = sub.add_parser("keys", help="a burst of keys into a form, routed vs Textual's own")
    burst.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.name == "seed":
        seed_demo.main(args.persons, args.seed)
    elif args.name == "lookup":
        lookup.main(args.persons)
    elif args.name == "ledgers":
        ledgers.main(args.persons)
    elif args.name == "start":
        start.main(args.persons, args.runs)
    elif args.name == "keys":
        keys.main(args.runs)
    elif args.name == "writers":
        writers.main(args.writers, args.writes, args.pause, args.rounds, args.cold)


if __name__ == "__main__":
    main()

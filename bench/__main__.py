"""Run a benchmark: `python -m bench seed [--persons N] [--seed S]`."""

from __future__ import annotations

import argparse

from bench import seed_demo


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="name", required=True)
    seed = sub.add_parser("seed", help="seed demo --persons N, against a raw COPY")
    seed.add_argument("--persons", type=int, default=100_000)
    seed.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.name == "seed":
        seed_demo.main(args.persons, args.seed)


if __name__ == "__main__":
    main()

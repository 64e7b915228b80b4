"""Lets `python -m bot` behave exactly like the `reflectbot` console script."""

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

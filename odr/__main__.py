"""`python -m odr` is the `odr` command."""

from odr.cli import main

main()

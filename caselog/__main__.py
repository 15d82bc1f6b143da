"""`python -m caselog`: the same as the caselog command."""

from caselog.cli import main

main()

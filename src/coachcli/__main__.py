"""`python -m coachcli` runs the `coach` command."""

from coachcli.cli import main

if __name__ == "__main__":
    main()

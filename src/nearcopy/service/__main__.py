"""`python -m nearcopy.service --index PATH ...`: the same as `nearcopy serve`."""

from nearcopy.cli.index import serve_command
from nearcopy.cli.main import NearcopyGroup

cli = NearcopyGroup(commands={"serve": serve_command})

if __name__ == "__main__":
    cli(["serve", *__import__("sys").argv[1:]], prog_name="nearcopy")

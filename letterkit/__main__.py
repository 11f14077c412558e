"""`python -m letterkit`: the same command as `letterkit`."""

from .cli import app

app(prog_name="letterkit")

"""Command line: thin commands over the pipeline; the only module that prints."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="jixiao (绩效): read budget performance tables and normalize their indicators.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _main() -> None:
    """jixiao (绩效): read budget performance tables and normalize their indicators."""


if __name__ == "__main__":
    app()

"""``qunshang console …``: the console's command-line tools."""

from __future__ import annotations

from pathlib import Path

import click


@click.group("console")
def console_group() -> None:
    """Operator console tools."""


@console_group.command("import-products")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_products(ctx: click.Context, path: Path) -> None:
    """Import products from a CSV file (UTF-8, UTF-8 with BOM or GBK); bad rows are listed."""
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from ..cli import _runtime, with_database
    from . import csvio

    runtime = _runtime(ctx)
    console = Console(stderr=True)
    size = path.stat().st_size

    async def main() -> csvio.ImportReport:
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                      console=console) as progress, path.open("rb") as fh:
            task = progress.add_task(path.name, total=size)
            return await csvio.import_products(fh, lambda done: progress.update(task, completed=done))

    try:
        report = with_database(runtime, main)
    except csvio.BadFile as exc:
        raise click.ClickException(str(exc)) from None
    for error in report.errors:
        click.echo(f"line {error.line}: {error.reason}", err=True)
    if report.rejected > len(report.errors):
        click.echo(f"… and {report.rejected - len(report.errors)} more rejected rows", err=True)
    click.echo(f"{report.created} products created, {report.rejected} rows rejected ({report.encoding})")
    if report.rejected:
        ctx.exit(2)

"""The face of the tool: the `discourse` command, its global options and error handling.

Subcommands live in one module per wing (store, collect, analyse, outputs) and are added to
the group here. Exit codes: 0 ok, 2 bad usage or configuration, 1 failure at run time.
Expected failures print one line; tracebacks only with --debug.
"""

import logging
import sys

import click

from discourse import __version__
from discourse.cli import analyse_commands, collect_commands, output_commands, store_commands
from discourse.cli.context import AppContext
from discourse.errors import DiscourseError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="SQLite store to use (default: $DISCOURSE_DB, else corpus/discourse.sqlite).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or summaries; errors only.")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
@click.version_option(__version__, prog_name="discourse")
@click.pass_context
def cli(ctx: click.Context, db: str | None, quiet: bool, debug: bool) -> None:
    """Collect and measure what UK blogs, speeches, debates and council papers said about
    the Big Society and co-production.

    Typical use: `discourse corpus` collects, `discourse analyse` measures, `discourse charts`
    and `discourse report` export figures; `discourse status` shows what the store holds.
    """
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = AppContext(
        db=db, quiet=quiet, debug=debug, command=" ".join(["discourse", *sys.argv[1:]])
    )
    ctx.call_on_close(ctx.obj.close)


for module in (store_commands, collect_commands, analyse_commands, output_commands):
    for command in module.COMMANDS:
        cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and map errors to one line and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        result = cli.main(args=args, prog_name="discourse", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("interrupted; work committed so far is kept", err=True)
        sys.exit(130)
    except DiscourseError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if debug:
            raise
        click.echo(
            f"error: unexpected {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
            err=True,
        )
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)

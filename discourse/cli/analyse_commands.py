"""Commands that measure the corpus: analyse."""

import click

from discourse.cli.context import AppContext
from discourse.errors import NotBuiltError


@click.command()
@click.pass_obj
def analyse(app: AppContext) -> None:
    """Run the analysis (passages, relevance, topics, stance, sentiment, trends) as one run."""
    raise NotBuiltError("discourse analyse", 5)


COMMANDS = [analyse]

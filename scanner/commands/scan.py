"""``catoscan scan``: scan files and directories into the inventory dataset."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scanner.errors import CatoscanError, ConfigError, EngineError, ModelError, ScanInterrupted
from scanner.exitcodes import (
    EXIT_INCOMPLETE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_UNDECLARED,
    ConfigFailure,
)
from scanner.readers import FORMATS


class _Input(click.ParamType):
    """A scan argument: an existing local path, or a URI for ``--engine spark``."""

    name = "path"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None):  # noqa: ANN201, D102
        from scanner.engines import is_uri

        if isinstance(value, str) and is_uri(value):
            return value
        return click.Path(exists=True, path_type=Path).convert(value, param, ctx)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=_Input())
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Dataset directory; each scan is added to it as a new scan_id partition.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default=None,
    help="Read every input as this format instead of sniffing it.",
)
@click.option(
    "--nlp",
    type=click.Choice(["spacy", "none"]),
    default="spacy",
    show_default=True,
    help="NER for names and places in free text; 'none' uses patterns and field rules only.",
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CATOSCAN_KEY_FILE",
    help="HMAC key for value_hash [env: CATOSCAN_KEY_FILE]; default: created once in the "
    "user config directory.",
)
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory whose fields.yaml, policy.yaml, scanner.yaml or recognizers.yaml "
    "replace the packaged ones.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=None,
    help="Drop findings scored below this [default: scanner.yaml min_score].",
)
@click.option(
    "--include-values",
    is_flag=True,
    help="Also write raw values (a 'value' column). The dataset then holds personal data.",
)
@click.option(
    "--fail-on-undeclared",
    is_flag=True,
    help="Exit 1 when personal data the privacy policy does not declare is found.",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Reuse the rows of files unchanged (size, mtime, sha256) since the newest committed "
    "scan made with the same configuration and key, instead of scanning them again.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Reuse the files an interrupted scan (Ctrl-C, killed, failed) of DIR finished, when "
    "they are unchanged and the settings are the same, instead of scanning them again.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes [default: one per core; small scans run in one process].",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Run the scan in this process and its workers, or as a Spark job (pip install "
    "'catoscan[spark]'); with spark, PATHS may also be s3a://, abfss://, hdfs:// or file: URIs.",
)
@click.option(
    "--master",
    default=None,
    metavar="URL",
    help="--engine spark: the Spark master, e.g. local[2] [default: spark-submit's, else "
    "local[*]].",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress line on stderr [default: when stderr is a terminal].",
)
@click.pass_context
def scan(
    ctx: click.Context,
    paths: tuple[Path | str, ...],
    out: Path,
    fmt: str | None,
    nlp: str,
    key_file: Path | None,
    config_dir: Path | None,
    min_score: float | None,
    include_values: bool,
    fail_on_undeclared: bool,
    progress: bool | None,
    workers: int | None,
    incremental: bool,
    engine: str,
    master: str | None,
    resume: bool,
) -> None:
    """Scan files and directories (recursively, archives included) into a dataset.

    Example:
        catoscan scan sample_data --out inventory --fail-on-undeclared
    """
    if engine == "local":  # before the heavy imports below, so the two overlap
        from scanner.engines.pool import start_early

        start_early([p for p in paths if isinstance(p, Path)], workers)
    from scanner.config import build_scan_config
    from scanner.pipeline import run
    from scanner.summary import StderrProgress, print_summary

    uris = tuple(p for p in paths if isinstance(p, str))
    if engine != "spark":
        if uris:
            raise click.UsageError(f"{uris[0]}: URIs are read with --engine spark")
        if master is not None:
            raise click.UsageError("--master is an option of --engine spark")
    elif workers is not None:
        raise click.UsageError("--workers is an option of the local engine; Spark decides")
    show_progress = sys.stderr.isatty() if progress is None else progress

    def say_new_key(where: str) -> None:
        click.echo(
            f"catoscan: created a new HMAC key at {where} (keep it: "
            "value hashes only join across scans under the same key)",
            err=True,
        )

    try:
        config = build_scan_config(
            key_file=key_file,
            config_dir=config_dir,
            on_new_key=say_new_key,
            paths=tuple(p for p in paths if isinstance(p, Path)),
            out=out,
            nlp=nlp,
            format=fmt,
            include_values=include_values,
            min_score=min_score,
            fail_on_undeclared=fail_on_undeclared,
            progress=show_progress,
            debug=ctx.obj.get("debug", False),
            workers=workers,
            incremental=incremental,
            engine=engine,
            spark_master=master,
            uris=uris,
            resume=resume,
        )
        reporter = StderrProgress(enabled=show_progress)
        result = run(config, reporter)
    except (ConfigError, ModelError) as exc:
        raise ConfigFailure(str(exc)) from None
    except EngineError as exc:
        click.echo(f"catoscan: {exc}; nothing of this scan was committed", err=True)
        ctx.exit(EXIT_INTERNAL)
    except CatoscanError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt as exc:
        kept = exc.kept if isinstance(exc, ScanInterrupted) else 0
        message = "catoscan: interrupted; nothing of this scan was committed"
        if kept:
            message += f"; {kept} finished {'file' if kept == 1 else 'files'} kept for --resume"
        click.echo(message, err=True)
        ctx.exit(EXIT_INTERRUPTED)
    except Exception:
        if ctx.obj.get("debug"):
            raise
        click.echo(
            "catoscan: internal error; nothing of this scan was committed "
            "(run with --debug for the traceback)",
            err=True,
        )
        ctx.exit(EXIT_INTERNAL)
    print_summary(result, include_values=include_values)
    if fail_on_undeclared and result.undeclared:
        # Review decisions (DIR/reviews.yaml) marking findings false positive do not count;
        # the dataset keeps every row.
        from scanner.inventory.reviews import reviews_path, suppressed_undeclared

        try:
            suppressed = suppressed_undeclared(out, result.scan_id)
        except ConfigError as exc:
            raise ConfigFailure(f"{exc} (the scan was committed)") from None
        if suppressed:
            click.echo(
                f"catoscan: {suppressed:,} undeclared findings are marked false positive in "
                f"{reviews_path(out)} and not counted for --fail-on-undeclared",
                err=True,
            )
        if result.undeclared > suppressed:
            ctx.exit(EXIT_UNDECLARED)
    if result.errors:
        ctx.exit(EXIT_INCOMPLETE)

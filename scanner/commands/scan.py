"""``catoscan scan``: scan files and directories into the inventory dataset."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from scanner.errors import (
    CatoscanError,
    ConfigError,
    EngineError,
    ModelError,
    ResourceError,
    ScanInterrupted,
)
from scanner.escaping import for_lines
from scanner.exitcodes import (
    EXIT_INCOMPLETE,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_RESOURCE,
    EXIT_UNDECLARED,
    ConfigFailure,
)
from scanner.readers import FORMATS


class _Input(click.ParamType):
    """A scan argument: an existing local path, or a URI for ``--engine spark``."""

    name = "path"

    def convert(
        self, value: str, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | Path:
        """A URI as it is, anything else as an existing path."""
        from scanner.engines import is_uri

        if isinstance(value, str) and is_uri(value):
            return value
        # click's Path.convert is typed str | bytes | PathLike in some releases and Path in others;
        # fsdecode gives one type whichever is installed.
        return Path(os.fsdecode(click.Path(exists=True).convert(value, param, ctx)))


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
    help="Directory whose fields.yaml, policy.yaml, scanner.yaml, recognizers.yaml or "
    "lists.yaml replace the packaged ones (other files that look like configuration are "
    "named on stderr).",
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
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Read only input files whose path (as in source_path) matches a GLOB; '*' also "
    "matches '/' (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Never read input files whose path matches a GLOB, e.g. '*.tmp' or 'archive/*' "
    "(repeatable).",
)
@click.option(
    "--executor-wait",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="--engine spark: give up when no Spark executor has been alive this long (a cluster "
    "without free workers) [default: 300].",
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
    executor_wait: float | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    resume: bool,
) -> None:
    """Scan files and directories (recursively, archives included) into a dataset.

    Example:
        catoscan scan sample_data --out inventory --fail-on-undeclared
    """
    uris = tuple(p for p in paths if isinstance(p, str))
    if engine != "spark":
        if uris:
            raise click.UsageError(f"{uris[0]}: URIs are read with --engine spark")
        if master is not None:
            raise click.UsageError("--master is an option of --engine spark")
        if executor_wait is not None:
            raise click.UsageError("--executor-wait is an option of --engine spark")
    elif workers is not None:
        raise click.UsageError("--workers is an option of the local engine; Spark decides")
    from scanner.progress import StderrProgress

    show_progress = sys.stderr.isatty() if progress is None else progress
    reporter = StderrProgress(enabled=show_progress)
    reporter.stage("starting")  # at once, before the detection stack is imported
    if engine == "local":  # before the heavy imports below, so the two overlap
        from scanner.engines.pool import start_early

        start_early([p for p in paths if isinstance(p, Path)], workers)

    def say_new_key(where: str) -> None:
        reporter.clear()
        click.echo(
            f"catoscan: created a new HMAC key at {where} (keep it: "
            "value hashes only join across scans under the same key)",
            err=True,
        )

    try:
        try:
            from scanner.config import build_scan_config
            from scanner.pipeline import run

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
                **({} if executor_wait is None else {"executor_wait": executor_wait}),
                uris=uris,
                resume=resume,
                include=include,
                exclude=exclude,
            )
            result = run(config, reporter)
        finally:
            reporter.close()  # the line leaves the screen before any message
    except (ConfigError, ModelError) as exc:
        raise ConfigFailure(str(exc)) from None
    except EngineError as exc:
        click.echo(_not_committed(str(exc), exc.kept), err=True)
        ctx.exit(EXIT_INTERNAL)
    except ResourceError as exc:
        click.echo(_refused(exc), err=True)
        ctx.exit(EXIT_RESOURCE)
    except CatoscanError as exc:
        raise click.ClickException(for_lines(str(exc))) from None
    except KeyboardInterrupt as exc:
        kept = exc.kept if isinstance(exc, ScanInterrupted) else 0
        click.echo(_not_committed("interrupted", kept), err=True)
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
    from scanner.summary import print_summary

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


def _not_committed(what: str, kept: int) -> str:
    """The line a scan that ended without its commit leaves on stderr."""
    message = f"catoscan: {for_lines(what)}; nothing of this scan was committed"
    if kept:
        message += f"; {kept} finished {'file' if kept == 1 else 'files'} kept for --resume"
    return message


def _refused(exc: ResourceError) -> str:
    """The line a scan the system refused a resource leaves on stderr (exit code 74).

    ``catoscan: inv: no space left on the device (this scan had written 1.2 MB there,
    4.1 KB free); nothing of this scan was committed; 2 finished files kept for --resume``
    """
    from scanner.progress import size_text

    sizes = []
    if exc.written is not None:
        sizes.append(f"this scan had written {size_text(exc.written)} there")
    if exc.free is not None:
        sizes.append(f"{size_text(exc.free)} free")
    what = f"{exc} ({', '.join(sizes)})" if sizes else str(exc)
    if exc.journaled:
        # Past its commit point: recover() completes the commit when the dataset is next
        # opened for writing, and until then readers do not see the scan.
        return (
            f"catoscan: {for_lines(what)}; the scan had reached its commit point: the next "
            f"scan or prune of {for_lines(str(exc.path))} completes its commit"
        )
    return _not_committed(what, exc.kept)

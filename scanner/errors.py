"""Exceptions that cross module boundaries; the CLI maps each to an exit code."""


class CatoscanError(Exception):
    """Base class of catoscan's own errors."""


class ConfigError(CatoscanError):
    """A configuration file, option or key is missing or invalid (exit code 2)."""


class ModelError(CatoscanError):
    """The configured spaCy model cannot be loaded (exit code 2)."""


class InputError(CatoscanError):
    """An input file, member or record cannot be read; recorded in ``errors/``, never fatal."""


class EngineError(CatoscanError):
    """The engine could not run the scan (a failed Spark job, a dead worker process).

    Nothing is committed (exit code 70).
    """


class ScanInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a scan before its commit (exit code 130).

    Attributes:
        kept: finished input files kept in the dataset for ``scan --resume`` (0: none).
    """

    def __init__(self, kept: int):
        super().__init__(kept)
        self.kept = kept

"""Spark's Python daemon for executors that run the scan's own Python: PySpark is imported
from its installed, compiled copy instead of Spark's zip, where the two are alike."""

import zipfile

import pytest

from scanner.engines import spark_daemon, spark_env, spark_session


def _installed(site, package, version):
    (site / package).mkdir(parents=True)
    (site / package / "__init__.py").write_text("")
    (site / package / "version.py").write_text(f"__version__ = '{version}'\n")


def _zip(path, package, version):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{package}/__init__.py", "")
        z.writestr(f"{package}/version.py", f"__version__ = '{version}'\n")
    return str(path)


def test_zips_of_packages_installed_alike_go_last_in_order(tmp_path):
    site = tmp_path / "site"
    _installed(site, "pyspark", "4.3.0")
    _installed(site, "py4j", "0.10.9.9")
    lib = tmp_path / "spark" / "python" / "lib"
    pyspark_zip = _zip(lib / "pyspark.zip", "pyspark", "4.3.0")
    py4j_zip = _zip(lib / "py4j-0.10.9.9-src.zip", "py4j", "0.10.9.9")
    other_zip = _zip(tmp_path / "deps.zip", "pyspark", "4.3.0")  # not Spark's zip by name
    path = [pyspark_zip, py4j_zip, "/job", other_zip, str(site)]
    assert spark_daemon.installed_last(path) == [
        "/job",
        other_zip,
        str(site),
        pyspark_zip,
        py4j_zip,
    ]


@pytest.mark.parametrize("installed", ["4.2.0", None])
def test_a_zip_stays_first_unless_its_package_is_installed_of_its_version(tmp_path, installed):
    site = tmp_path / "site"
    site.mkdir()
    if installed:
        _installed(site, "pyspark", installed)
    pyspark_zip = _zip(tmp_path / "lib" / "pyspark.zip", "pyspark", "4.3.0")
    path = [pyspark_zip, str(site)]
    assert spark_daemon.installed_last(path) == path


def test_a_zip_that_cannot_be_read_stays_where_it_is(tmp_path):
    site = tmp_path / "site"
    _installed(site, "pyspark", "4.3.0")
    broken = tmp_path / "lib" / "pyspark.zip"
    broken.parent.mkdir()
    broken.write_bytes(b"not a zip")
    path = [str(broken), str(site)]
    assert spark_daemon.installed_last(path) == path


def test_only_executors_of_this_python_are_given_the_daemon():
    assert spark_env.gives_this_python("local[2]", {})
    assert not spark_env.gives_this_python("local[2]", {"PYSPARK_PYTHON": "/opt/py/bin/python"})
    assert not spark_env.gives_this_python("yarn", {})


def test_workers_of_a_session_import_pyspark_compiled():
    spark = spark_session.session("local[1]")
    try:
        conf = spark.sparkContext.getConf()
        assert conf.get("spark.python.daemon.module") == spark_daemon.__name__
        files = (
            spark.sparkContext.parallelize([0], 1)
            .map(lambda _: (__import__("pyspark").__file__, __import__("py4j").__file__))
            .collect()
        )
    finally:
        spark.stop()
    assert files and all(".zip" not in f for f in files[0]), files

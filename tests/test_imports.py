"""What ``import namelink`` costs: none of the optional extras (spaCy, pandas,
Dask, Starlette and uvicorn) and not the Wikidata builder; and the adapters reach the real libraries
although their modules carry the same names."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("spacy", "pandas", "dask", "distributed", "starlette", "uvicorn")
NOT_AT_IMPORT = (
    *EXTRAS,
    "namelink.wikidata",
    "namelink.spacy",
    "namelink.pandas",
    "namelink.dask",
    "namelink.serve",
)


def fresh_python(code: str) -> str:
    """Run ``code`` in a new interpreter with this checkout first on sys.path."""
    script = f"import sys; sys.path.insert(0, {str(ROOT)!r})\n" + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_namelink_imports_no_extra_and_not_the_builder() -> None:
    loaded = json.loads(
        fresh_python(
            f"""
            import json
            import namelink
            namelink.link("بوتين")
            print(json.dumps(sorted(m for m in {NOT_AT_IMPORT!r} if m in sys.modules)))
            """
        )
    )
    assert loaded == []


# The readers and writers of files, the jobs over them and their libraries are for
# the CLI and bulk work: neither ``import namelink`` nor link() needs any of them.
FILES = (
    "namelink.tables",
    "namelink.bulk",
    "namelink.statuses",
    "namelink.documents",
    "namelink.cli_files",
    "openpyxl",
    "tqdm",
)


def test_import_namelink_and_link_load_no_file_reader_no_bulk_job() -> None:
    loaded = json.loads(
        fresh_python(
            f"""
            import json
            import namelink
            namelink.link("بوتين")
            namelink.link_text("وصل بوتين")
            print(json.dumps(sorted(m for m in {FILES!r} if m in sys.modules)))
            """
        )
    )
    assert loaded == []


def test_link_works_where_no_extra_is_installed() -> None:
    # A finder that refuses the extras stands for an environment without them.
    out = fresh_python(
        f"""
        import importlib.abc

        class NotInstalled(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {EXTRAS!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}}")
                return None

        sys.meta_path.insert(0, NotInstalled())
        import namelink
        print(namelink.link("بوتين").qid, namelink.link_text("وصل بوتين")[0].link.qid)
        """
    )
    assert out.split() == ["Q7747", "Q7747"]


@pytest.mark.parametrize(
    ("adapter", "library"),
    [("namelink.spacy", "spacy"), ("namelink.pandas", "pandas"), ("namelink.dask", "dask")],
)
def test_each_adapter_imports_the_real_library_not_itself(adapter: str, library: str) -> None:
    pytest.importorskip(library)
    where = json.loads(
        fresh_python(
            f"""
            import json, importlib
            importlib.import_module({adapter!r})
            print(json.dumps([sys.modules[{library!r}].__file__, sys.modules[{adapter!r}].__file__]))
            """
        )
    )
    real, own = (Path(p).resolve() for p in where)
    assert ROOT / "namelink" not in real.parents
    assert own == ROOT / "namelink" / f"{adapter.split('.')[1]}.py"


def test_the_command_line_registers_serve_without_starlette_or_uvicorn() -> None:
    loaded = json.loads(
        fresh_python(
            """
            import json
            from namelink.cli import build_parser
            build_parser().parse_args(["serve", "--port", "0"])
            heavy = ("starlette", "uvicorn", "namelink.serve.app")
            print(json.dumps(sorted(m for m in heavy if m in sys.modules)))
            """
        )
    )
    assert loaded == []


def test_serve_without_its_extra_is_a_usage_error_naming_the_extra() -> None:
    out = fresh_python(
        """
        import importlib.abc

        class NotInstalled(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("starlette", "uvicorn"):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, NotInstalled())
        sys.stderr = sys.stdout
        from namelink.cli import main
        print(main(["serve", "--port", "0"]))
        """
    )
    assert out.split()[-1] == "2"
    assert "pip install 'namelink[serve]'" in out


def test_the_first_link_scans_no_table_of_all_unicode() -> None:
    # normalize()'s tables are filled character by character; a scan of every
    # code point (the marks of all Unicode, a fold of the whole BMP) cost ~0.2 s
    # of a first link(), most of a `namelink link` command's run
    built = json.loads(
        fresh_python(
            """
            import json
            import namelink
            from namelink import chars
            namelink.link("پوتن")
            namelink.link("Gerhard Schröder")
            print(json.dumps([chars.delete_table.cache_info().currsize]))
            """
        )
    )
    assert built == [0]

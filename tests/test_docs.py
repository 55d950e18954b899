"""The examples in the core modules' docstrings are true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "namelink",
    "namelink.normalize",
    "namelink.keys",
    "namelink.morphology",
    "namelink.explain",
    "namelink.gazetteer",
]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_run_as_written(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0

"""The Jupyter Server extension that lets the labs open unmodified on any Python patch release
(osmcourse/student/jupyter_server.py); tests/test_jupyterlab.py proves it in a real JupyterLab.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from osmcourse.student import jupyter_server as extension

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "exercises" / "student" / "mass-media-vs-word-of-mouth.ipynb"


def notebook_model(metadata: dict) -> dict:
    return {"type": "notebook", "name": "lab.ipynb", "content": {"metadata": metadata, "cells": []}}


def course_metadata(version: str = "3.11.0") -> dict:
    lab = json.loads(LAB.read_text(encoding="utf-8"))["metadata"]
    lab["language_info"]["version"] = version
    return lab


def test_the_version_is_what_an_ipykernel_of_this_python_reports():
    # ipykernel's language_info: "version": sys.version.split()[0].
    assert extension.KERNEL_PYTHON_VERSION == sys.version.split()[0]


def test_a_course_notebook_is_served_with_this_pythons_version_and_nothing_else_changes():
    metadata = course_metadata("3.11.0")
    expected = copy.deepcopy(metadata)
    expected["language_info"]["version"] = "3.11.99"
    served = extension.served_notebook_model(notebook_model(metadata), version="3.11.99")
    assert served["content"]["metadata"] == expected


@pytest.mark.parametrize(
    "model",
    [
        # A student's own notebook: no course metadata.
        notebook_model({"language_info": {"name": "python", "version": "3.11.0"}}),
        # A course notebook in another language, or with no version recorded.
        notebook_model({"osmcourse": {}, "language_info": {"name": "R", "version": "4.3.0"}}),
        notebook_model({"osmcourse": {}, "language_info": {"name": "python"}}),
        # A listing without content, a folder, a plain file.
        {"type": "notebook", "content": None},
        {"type": "directory", "content": [{"name": "x.ipynb"}]},
        {"type": "file", "content": '{"metadata": {"osmcourse": {}}}'},
    ],
)
def test_other_models_are_served_as_they_are(model):
    before = copy.deepcopy(model)
    assert extension.served_notebook_model(model, version="3.11.99") == before


def contents_manager(asynchronous: bool):
    stored = notebook_model(course_metadata("3.11.0"))

    if asynchronous:

        async def get(path, content=True, type=None, format=None):  # noqa: A002, ARG001
            return copy.deepcopy(stored)

    else:

        def get(path, content=True, type=None, format=None):  # noqa: A002, ARG001
            return copy.deepcopy(stored)

    manager = SimpleNamespace(get=get)
    logged = []
    server = SimpleNamespace(
        contents_manager=manager, log=SimpleNamespace(info=lambda *a: logged.append(a))
    )
    return server, logged


@pytest.mark.parametrize("asynchronous", [True, False])
def test_loading_the_extension_wraps_the_servers_contents_manager(asynchronous):
    server, logged = contents_manager(asynchronous)
    extension._load_jupyter_server_extension(server)
    served = server.contents_manager.get("lab.ipynb", content=True)
    if asynchronous:
        served = asyncio.run(served)
    version = served["content"]["metadata"]["language_info"]["version"]
    assert version == extension.KERNEL_PYTHON_VERSION
    assert logged, "the server's log says the extension is on"


def test_jupyter_finds_the_extension_by_its_module_name():
    assert extension._jupyter_server_extension_points() == [
        {"module": "osmcourse.student.jupyter_server"}
    ]
    assert extension.ENABLE_COMMAND.split()[-1] == "osmcourse.student.jupyter_server"


def test_the_command_writes_the_switch_where_jupyter_server_reads_it(tmp_path):
    path = extension.enable(tmp_path)
    assert path == tmp_path / "etc" / "jupyter" / "jupyter_server_config.d" / "osmcourse.json"
    setting = {"ServerApp": {"jpserver_extensions": {extension.EXTENSION: True}}}
    assert json.loads(path.read_text(encoding="utf-8")) == setting
    assert extension.enable(tmp_path) == path, "running it twice changes nothing"
    assert json.loads(path.read_text(encoding="utf-8")) == setting


def test_jupyter_server_reads_the_switch_from_the_environment(tmp_path):
    # Jupyter Server's own reader of an environment's config.d folder sees the extension on.
    from jupyter_server.extension.config import ExtensionConfigManager

    extension.enable(tmp_path)
    manager = ExtensionConfigManager(read_config_path=[str(tmp_path / "etc" / "jupyter")])
    assert manager.get_jpserver_extensions() == {extension.EXTENSION: True}


def test_every_place_that_sets_up_jupyterlab_switches_the_extension_on():
    # One line, run wherever the course's JupyterLab environment is made.
    places = {
        "binder/postBuild": ROOT / "binder" / "postBuild",
        "Makefile (student-env)": ROOT / "Makefile",
        "Start here": ROOT / "chapters" / "start-here.md",
        "Running the labs": ROOT / "chapters" / "instructors" / "running-labs.md",
    }
    missing = [
        name for name, path in places.items() if extension.ENABLE_COMMAND not in path.read_text()
    ]
    assert not missing, f"{missing} do not run: {extension.ENABLE_COMMAND}"

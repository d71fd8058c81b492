"""A Jupyter Server extension: the course's labs open unmodified on any Python 3 patch release.

JupyterLab writes the running kernel's ``language_info`` into a notebook as soon as the kernel
starts, and any difference marks the notebook modified: autosave then writes it back and
nbgitpuller sees a local edit in every lab a student merely opened (upstream behaviour,
jupyter/notebook#2123). The labs are executed on one Python (3.11.7), but Binder, a hub or a
laptop runs whichever patch release it has.

This extension changes only what the server *serves*: when a course notebook (its metadata has
``osmcourse``) is read, its ``language_info.version`` is given as this Python's, which is what
a kernel of the same environment reports (ipykernel's ``sys.version.split()[0]``). The file on
disk is never written; a student who edits and saves gets the version their kernel reports,
as they would without the extension. Notebooks of other origins are served as they are.

Switched on by :data:`ENABLE_COMMAND` (``python -m osmcourse.student.jupyter_server``) in the
environment that runs JupyterLab: it writes the configuration file Jupyter Server reads from
``sys.prefix/etc/jupyter/jupyter_server_config.d/``. An installed extension usually ships that
file as package data, but an editable install (``-e .[classroom]`` in ``requirements.txt``)
installs no data files, and ``jupyter server extension enable`` refuses an extension that has
no such file yet. Binder's ``binder/postBuild``, ``make student-env``, the "Start here" page and
the instructors' page "Running the labs" all run the one command, and a test holds them to it.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from pathlib import Path
from typing import Any

# The one line that switches the extension on for an environment.
ENABLE_COMMAND = "python -m osmcourse.student.jupyter_server"
EXTENSION = "osmcourse.student.jupyter_server"

# What ipykernel reports as language_info.version for the kernel of this environment.
KERNEL_PYTHON_VERSION = sys.version.split()[0]


def served_notebook_model(
    model: dict[str, Any], version: str = KERNEL_PYTHON_VERSION
) -> dict[str, Any]:
    """The contents model of a course notebook with ``language_info.version`` set to *version*.

    Any other model (a file, a folder, a notebook without course metadata or of another
    language, a model without content) comes back unchanged.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return model
    metadata = model["content"].get("metadata")
    if not isinstance(metadata, dict) or "osmcourse" not in metadata:
        return model
    language = metadata.get("language_info")
    if isinstance(language, dict) and language.get("name") == "python" and "version" in language:
        language["version"] = version
    return model


def _serving(get):  # noqa: ANN001, ANN202 - a contents manager's bound get method
    """Wrap a contents manager's ``get`` (sync or async) so course notebooks are served adjusted."""
    if inspect.iscoroutinefunction(get):

        @functools.wraps(get)
        async def get_async(*args: Any, **kwargs: Any) -> dict[str, Any]:
            return served_notebook_model(await get(*args, **kwargs))

        return get_async

    @functools.wraps(get)
    def get_sync(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return served_notebook_model(get(*args, **kwargs))

    return get_sync


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Jupyter Server's discovery hook: this module is the extension."""
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp) -> None:  # noqa: ANN001 - a jupyter_server ServerApp
    """Serve course notebooks with this environment's Python version (see the module docstring)."""
    manager = serverapp.contents_manager
    manager.get = _serving(manager.get)
    serverapp.log.info(
        "osmcourse: course notebooks served with language_info.version %s", KERNEL_PYTHON_VERSION
    )


def config_file(prefix: Path | None = None) -> Path:
    """Where Jupyter Server reads this extension's switch in the environment at *prefix*."""
    folder = Path(sys.prefix if prefix is None else prefix) / "etc" / "jupyter"
    return folder / "jupyter_server_config.d" / "osmcourse.json"


def enable(prefix: Path | None = None) -> Path:
    """Switch the extension on for the environment at *prefix* (this one by default); idempotent."""
    path = config_file(prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    setting = {"ServerApp": {"jpserver_extensions": {EXTENSION: True}}}
    path.write_text(json.dumps(setting, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"osmcourse: Jupyter Server extension switched on in {enable()}")

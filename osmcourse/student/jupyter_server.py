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

Enabled by :data:`ENABLE_COMMAND` in the environment that runs JupyterLab (an editable install
cannot ship Jupyter's configuration file itself): Binder's ``binder/postBuild``, ``make
student-env``, the "Start here" page and the instructors' page "Running the labs" all run it,
and a test holds them to this one line.
"""

from __future__ import annotations

import functools
import inspect
import sys
from typing import Any

# The one line that switches the extension on for an environment (written where Jupyter reads
# its configuration: sys.prefix/etc/jupyter).
ENABLE_COMMAND = "jupyter server extension enable --sys-prefix osmcourse.student.jupyter_server"

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
    return [{"module": "osmcourse.student.jupyter_server"}]


def _load_jupyter_server_extension(serverapp) -> None:  # noqa: ANN001 - a jupyter_server ServerApp
    """Serve course notebooks with this environment's Python version (see the module docstring)."""
    manager = serverapp.contents_manager
    manager.get = _serving(manager.get)
    serverapp.log.info(
        "osmcourse: course notebooks served with language_info.version %s", KERNEL_PYTHON_VERSION
    )

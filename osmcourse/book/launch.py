"""Launch buttons (Binder, Colab, a JupyterHub) open the student copy of a lab, never the solutions.

A JupyterHub button appears when ``launch_buttons.jupyterhub_url`` in ``_config.yml`` names a
hub: sphinx-book-theme then links to the hub's nbgitpuller endpoint
(``HUB/hub/user-redirect/git-pull?repo=...&urlpath=lab/tree/REPO/PATH&branch=...``), the
convention course hubs use, which clones or updates the repository in the student's home and
opens the notebook. The notebook's path sits inside the (percent-encoded) ``urlpath`` value
there, in the query for Binder, and in the URL's path for Colab; every one is rewritten here.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sphinx.application import Sphinx


def student_copy_url(url: str, master: str, student: str) -> str:
    """``url`` with the notebook path ``master`` replaced by ``student`` wherever it appears:
    in the URL's path (Colab), or in a query value, encoded or not (Binder's and nbgitpuller's
    ``urlpath``). Everything else in the URL is left as it was.

    >>> student_copy_url("https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A%2F%2F"
    ...     "github.com%2Fo%2Fr&urlpath=lab%2Ftree%2Fr%2Fexercises%2Fa.ipynb&branch=main",
    ...     "exercises/a.ipynb", "exercises/student/a.ipynb")
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A//github.com/o/r&urlpath=lab/tree/r/exercises/student/a.ipynb&branch=main'
    """
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/" + master):
        path = path[: -len(master)] + student
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(value == master or value.endswith("/" + master) for _, value in pairs):
        query = urlencode(
            [
                (
                    key,
                    value[: -len(master)] + student
                    if value == master or value.endswith("/" + master)
                    else value,
                )
                for key, value in pairs
            ],
            safe="/",
        )
    return urlunsplit(parts._replace(path=path, query=query))


def point_launch_buttons_at_student_copies(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Launch buttons (Binder, Colab, JupyterHub) open the student copy of a lab.

    sphinx-book-theme builds its launch links from the page's own source path; a lab page's
    source is the master notebook with the solutions. Here (after the theme, priority 502)
    ``exercises/NAME.ipynb`` becomes ``exercises/student/NAME.ipynb`` in every launch link.
    Pages that are not labs lose their launch buttons: a chapter is MyST Markdown, which
    Binder, Colab and a hub's notebook cannot run.
    """
    buttons = context.get("header_buttons")
    if not buttons:
        return
    lab_prefix = app.config.osm_lab_dir.strip("/") + "/"
    is_lab = pagename.startswith(lab_prefix) and "/" not in pagename[len(lab_prefix) :]
    student_dir = app.config.osm_student_dir.strip("/")
    for group in list(buttons):
        if group.get("label") != "launch-buttons":
            continue
        if not is_lab:
            buttons.remove(group)
            continue
        name = pagename[len(lab_prefix) :]
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = student_copy_url(
                    button["url"], f"{lab_prefix}{name}.ipynb", f"{student_dir}/{name}.ipynb"
                )


def setup(app: Sphinx) -> None:
    app.add_config_value("osm_lab_dir", "exercises", "html")
    app.add_config_value("osm_student_dir", "exercises/student", "html")
    app.connect("html-page-context", point_launch_buttons_at_student_copies, priority=502)

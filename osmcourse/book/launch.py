"""Launch buttons (Binder, Colab) open the student copy of a lab, never the solutions."""

from __future__ import annotations

from sphinx.application import Sphinx


def point_launch_buttons_at_student_copies(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    """Launch buttons (Binder, Colab) open the student copy of a lab, never the solutions.

    sphinx-book-theme builds its launch links from the page's own source path; a lab page's
    source is the master notebook with the solutions. Here (after the theme, priority 502)
    ``exercises/NAME.ipynb`` becomes ``exercises/student/NAME.ipynb``. Pages that are not labs
    lose their launch buttons: a chapter is MyST Markdown, which Binder and Colab cannot run.
    """
    buttons = context.get("header_buttons")
    if not buttons:
        return
    lab_prefix = app.config.osm_lab_dir.strip("/") + "/"
    is_lab = pagename.startswith(lab_prefix) and "/" not in pagename[len(lab_prefix):]
    student_dir = app.config.osm_student_dir.strip("/")
    for group in list(buttons):
        if group.get("label") != "launch-buttons":
            continue
        if not is_lab:
            buttons.remove(group)
            continue
        name = pagename[len(lab_prefix):]
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = button["url"].replace(
                    f"{lab_prefix}{name}.ipynb", f"{student_dir}/{name}.ipynb"
                )


def setup(app: Sphinx) -> None:
    app.add_config_value("osm_lab_dir", "exercises", "html")
    app.add_config_value("osm_student_dir", "exercises/student", "html")
    app.connect("html-page-context", point_launch_buttons_at_student_copies, priority=502)

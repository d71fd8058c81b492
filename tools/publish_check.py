"""Refuse to publish a copy of the book whose ``repository.url`` names another repository.

The Binder and Colab launch buttons, the repository button and the Colab set-up cell in every
lab all follow ``repository.url`` in ``_config.yml``. A copy published without changing it
ships buttons that open somebody else's repository (or a placeholder that does not exist).
`make deploy` and the publish workflow run this first; it exits 1 and says what to change
when the setting does not name the repository being published.

Which repository is being published:

* on GitHub Actions, ``GITHUB_REPOSITORY`` (``owner/name``) says it;
* elsewhere, the URL of the git remote that `make deploy` pushes to (``--remote``), as
  configured (``remote.NAME.url``), so an ``insteadOf`` rewrite does not change the answer.

Usage: ``python tools/publish_check.py [--config _config.yml] [--remote origin]``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from osmcourse.bookconfig import BookConfig, BookConfigError

# github.com/OWNER/NAME in the forms git and browsers use: https://, ssh://, scp-like git@host:.
_REPOSITORY = re.compile(
    r"^(?:[a-z+]+://)?(?:[^@/]+@)?(?P<host>[^/:]+)[/:](?P<path>[^?#]+?)(?:\.git)?/*$", re.I
)


class PublishRefused(Exception):
    """The copy must not be published as it is; the message says what to change."""


def repository_key(url: str) -> str | None:
    """``host/owner/name`` in lower case, or None when ``url`` names no hosted repository.

    >>> repository_key("git@github.com:Me/Course.git")
    'github.com/me/course'
    """
    match = _REPOSITORY.match(url.strip())
    if not match or "." not in match["host"]:
        return None
    return f"{match['host']}/{match['path'].strip('/')}".lower()


def configured_url(config: Path) -> str:
    """``repository.url`` from the book's ``_config.yml``."""
    try:
        return BookConfig.from_file(config, "repository.url").repository_url
    except BookConfigError as error:
        raise PublishRefused(str(error)) from error


def published_repository(remote: str, environ: dict[str, str]) -> tuple[str, str]:
    """(URL of the repository being published, where that was learnt)."""
    if environ.get("GITHUB_ACTIONS") == "true" and environ.get("GITHUB_REPOSITORY"):
        server = environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        return f"{server}/{environ['GITHUB_REPOSITORY']}", "GITHUB_REPOSITORY on GitHub Actions"
    result = subprocess.run(
        ["git", "config", "--get", f"remote.{remote}.url"], capture_output=True, text=True
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise PublishRefused(
            f"this git repository has no remote named {remote!r} to publish to "
            "(set DEPLOY_REMOTE=name for another remote)"
        )
    return result.stdout.strip(), f"the git remote {remote!r}"


def check(config: Path, remote: str, environ: dict[str, str]) -> str:
    """The repository URL when ``repository.url`` names it; PublishRefused otherwise."""
    configured = configured_url(config)
    target, source = published_repository(remote, environ)
    target_key = repository_key(target)
    if target_key is None:
        raise PublishRefused(
            f"{source} is {target}, which names no hosted repository, so the launch buttons "
            f"cannot point at it. Publish to a GitHub remote (DEPLOY_REMOTE=name)."
        )
    if repository_key(configured) != target_key:
        https = "https://" + target_key
        raise PublishRefused(
            f"repository.url in {config.name} is {configured}, but this publishes {https} "
            f"({source}). The launch buttons and the Colab cell would open the wrong repository. "
            f"Change repository.url (and branch) in {config.name} to {https}, run `make student`, "
            f"commit exercises/student/, and put the same address in CITATION.cff."
        )
    return configured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("_config.yml"),
        help="the book's _config.yml (default: ./_config.yml)",
    )
    parser.add_argument(
        "--remote",
        default="origin",
        help="the git remote `make deploy` pushes to (default: origin)",
    )
    args = parser.parse_args(argv)
    try:
        url = check(args.config, args.remote, dict(os.environ))
    except PublishRefused as refusal:
        print(f"publish_check: refusing to publish: {refusal}", file=sys.stderr)
        return 1
    print(f"publish_check: repository.url names the repository being published ({url})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

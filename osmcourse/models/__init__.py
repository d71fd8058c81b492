"""Small models that put the readings' claims to numbers, one module per model.

Pure functions: numbers and frames in, numbers and frames out; no files, no plotting.

* ``bass``: Bass diffusion, external influence vs imitation (lab "Mass media vs word of mouth");
* ``network``: independent cascades on Zachary's karate club (lab "Broadcast or bazaar");
* ``longtail``: a power-law rank–sales curve (lab "Head and tail");
* ``noise``: a SYNTHETIC community that loses members to promotion (lab "Trust and noise");
* ``vocabulary``: the course's word lists of control and conversation (lab "Reading the readings").

Each model module declares in ``__all__`` the names it exports, and this package exports them
all, so ``from osmcourse.models import fit_bass`` works for every model. Adding a model is
adding its module (with its ``__all__``) and its name to :data:`MODELS` or :data:`LAZY_MODELS`.

The network model's names are loaded on first use (PEP 562): it needs networkx, which costs
more start-up time than the other labs' whole computation, and only one lab uses it. The
other models are light and imported at once (``vocabulary`` must be: it names both a module
and a function, and an eager import makes the function win, whatever is imported first).
"""

from __future__ import annotations

import ast
from importlib import import_module, util
from typing import Any

# The models imported with the package.
MODELS = ("bass", "longtail", "noise", "vocabulary")
# The models imported when one of their names is first used: they need a costly library.
LAZY_MODELS = ("network",)


def _declared_names(module: str) -> tuple[str, ...]:
    """The names a module lists in its ``__all__``, read from its source without running it.

    Running it is what a lazy model must not do at the package's import (it would import
    networkx); the list has to be a literal, which :func:`ast.literal_eval` accepts.
    """
    spec = util.find_spec(module)
    source = spec.loader.get_source(module) if spec and spec.loader else None
    if source is None:
        raise ImportError(f"cannot read the source of {module}")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise ImportError(f"{module} declares no literal __all__ (osmcourse.models exports it)")


def _export_eager_models() -> list[str]:
    """Bind every eager model's exported names here; return them in order."""
    names = []
    for model in MODELS:
        module = import_module(f"{__name__}.{model}")
        # After the import, so a function named like its module (vocabulary) replaces the
        # module in this namespace; a later import of the submodule does not rebind it.
        for name in module.__all__:
            globals()[name] = getattr(module, name)
        names.extend(module.__all__)
    return names


# Each lazy model's exported name -> the model's module.
_LAZY_NAMES = {
    name: f"{__name__}.{model}"
    for model in LAZY_MODELS
    for name in _declared_names(f"{__name__}.{model}")
}

__all__ = [*_export_eager_models(), *_LAZY_NAMES]


def __getattr__(name: str) -> Any:
    if name not in _LAZY_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY_NAMES[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

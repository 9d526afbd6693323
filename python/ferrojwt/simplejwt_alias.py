"""``ferrojwt.install_as_simplejwt()``: ``import rest_framework_simplejwt[.x]`` gives
``ferrojwt[.x]``, the same module objects (as ``pymysql.install_as_MySQLdb()`` does for
MySQLdb).

For third-party packages that import simplejwt by name: dj-rest-auth imports its JWT views,
authentication class and logout from ``rest_framework_simplejwt`` and finds the blacklist
app by the string "rest_framework_simplejwt.token_blacklist" in INSTALLED_APPS. Renaming a
project's own imports leaves such a package on simplejwt. Called at the top of settings.py,
before anything imports simplejwt, this finder (first on ``sys.meta_path``) answers those
names with ferrojwt's modules, so the package runs unchanged on ferrojwt alone, even with
simplejwt still installed (as a dependency of that package).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

OLD, NEW = "rest_framework_simplejwt", "ferrojwt"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target
        self.spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system gave the (shared) module the alias's spec: put its own back.
        module.__spec__ = self.spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != OLD and not fullname.startswith(OLD + "."):
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(NEW + fullname[len(OLD) :]))


def install() -> None:
    """Answer ``rest_framework_simplejwt[.x]`` imports with ``ferrojwt[.x]`` from now on.

    Call it before anything imports simplejwt (at the top of settings.py); once simplejwt
    itself is imported, it raises RuntimeError rather than mix the two packages.
    """
    loaded = sys.modules.get(OLD)
    if loaded is not None and loaded.__name__ != NEW:
        raise RuntimeError(f"{OLD} was imported before the alias to {NEW} was installed")
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())

"""`import rest_framework_simplejwt[.x]` gives `ferrojwt[.x]`: the same module objects.

dj-rest-auth imports simplejwt's modules by name (its JWT views, authentication class and
logout) and finds the blacklist app by the string "rest_framework_simplejwt.token_blacklist"
in INSTALLED_APPS. Renaming the project's own imports therefore leaves dj-rest-auth on
simplejwt. This finder, first on sys.meta_path, answers those names with ferrojwt's modules,
so dj-rest-auth runs, unchanged, on ferrojwt alone (even with simplejwt still installed).
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
    """Before anything imports simplejwt (settings.py, ahead of the apps)."""
    loaded = sys.modules.get(OLD)
    if loaded is not None and loaded.__name__ != NEW:
        raise RuntimeError(f"{OLD} was imported before the alias to {NEW} was installed")
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())

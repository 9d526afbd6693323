"""Integrations with other packages, each loaded only when that package is installed.

``ferrojwt.contrib.drf_spectacular`` describes ferrojwt's authentication classes and token
views to drf-spectacular (OpenAPI). drf-spectacular finds an extension by the classes that
subclass its extension bases, and a class exists once its module is imported: drf-spectacular
imports its own contrib modules itself, but it knows nothing of ferrojwt's. So
``ferrojwt.authentication`` and ``ferrojwt.serializers`` (``ferrojwt.views`` imports the
former) call :func:`load_integrations` when they are imported: whoever authenticates with
ferrojwt or serves its token views, before any schema is generated, has the extensions
registered, with nothing to configure beyond installing drf-spectacular.
"""

from __future__ import annotations

import warnings
from importlib import import_module
from importlib.util import find_spec

__all__ = ["load_integrations"]

# Importable name of the other package -> ferrojwt's module for it.
_INTEGRATIONS = {"drf_spectacular": "ferrojwt.contrib.drf_spectacular"}


def load_integrations() -> None:
    """Import the integration module of every package of ``_INTEGRATIONS`` that is installed.

    Importing twice is free (the module is in ``sys.modules``). An integration that fails
    to load (a version of the package it does not fit) is reported with a warning, never
    raised: documentation tooling must not stop ferrojwt from authenticating requests.
    """
    for package, module in _INTEGRATIONS.items():
        if find_spec(package) is None:
            continue
        try:
            import_module(module)
        except Exception as e:
            warnings.warn(
                f"ferrojwt: {package} is installed but {module} could not be loaded ({e}); "
                f"the OpenAPI schema will not describe ferrojwt.",
                RuntimeWarning,
                stacklevel=2,
            )

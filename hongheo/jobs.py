"""Imports every module that registers background job kinds (for the worker)."""

import hongheo.registry.jobs  # noqa: F401

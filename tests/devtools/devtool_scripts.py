"""Loads a script of devtools/ (an executable without a .py name) as a module, for its tests."""

import importlib.machinery
import importlib.util
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))


def load(name, module_name=None):
    """devtools/<name> as a module (named `module_name`, default `name` with `_` for `-`)."""
    loader = importlib.machinery.SourceFileLoader(module_name or name.replace("-", "_"),
                                                  os.path.join(REPO, "devtools", name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module

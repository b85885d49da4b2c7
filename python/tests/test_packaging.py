"""The installed wheel: where it is imported from and what it contains."""

from __future__ import annotations

import sysconfig
from importlib.metadata import version
from pathlib import Path

import sethealth
from sethealth import _native


def test_imported_from_installed_wheel() -> None:
    site_packages = Path(sysconfig.get_paths()["platlib"]).resolve()

    assert Path(sethealth.__file__).resolve().parent == site_packages / "sethealth"


def test_wheel_ships_stubs_and_marker() -> None:
    package = Path(sethealth.__file__).parent

    assert (package / "py.typed").is_file()
    assert (package / "_native.pyi").is_file()
    assert Path(_native.__file__).name.endswith(".abi3.so")


def test_public_names_resolve() -> None:
    for name in sethealth.__all__:
        assert getattr(sethealth, name) is not None, name


def test_versions() -> None:
    assert sethealth.__version__ == version("sethealth")
    assert sethealth.CORE_VERSION.count(".") == 2
    assert _native.DEFAULT_API_URL == "https://api.set.health"

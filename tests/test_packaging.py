"""requirements.txt (exact pins) agrees with pyproject.toml (ranges); packages.txt as documented."""

import re
import tomllib

from tests.conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-")


def test_requirements_pin_every_dependency_within_its_range():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[_name(name)] = version
    assert {_name(r.name) for r in declared} == set(pins), "requirements.txt and pyproject.toml list different packages"
    for req in declared:
        assert req.specifier.contains(pins[_name(req.name)], prereleases=True), f"{req.name}=={pins[_name(req.name)]} outside {req.specifier}"


def test_packages_txt_lists_chromium_and_a_cjk_font():
    packages = (ROOT / "packages.txt").read_text().split()
    assert "chromium" in packages and "fonts-noto-cjk" in packages

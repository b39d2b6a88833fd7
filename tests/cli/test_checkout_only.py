"""``demo`` and ``sandbox`` in a release bundle (which has neither package): one line, exit 2."""

import sys

import pytest

from livestream.cli import main


class Absent:
    """A finder first in line that says the package does not exist, as Python does without it."""

    def __init__(self, package):
        self.package = package

    def find_spec(self, name, path=None, target=None):
        if name == self.package:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@pytest.mark.parametrize("command, package", [(["demo"], "livestream_demo"),
                                              (["sandbox", "--port", "1"], "livestream_sandbox")])
def test_checkout_only_commands_say_so_in_a_bundle(monkeypatch, capsys, command, package):
    # The package is absent, as in a bundle: no finder knows it.
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [Absent(package), *sys.meta_path])
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        f"error: '{command[0]}' comes with the git checkout of obs-livestream only, not with a release bundle"]

"""The README's configuration table lists every environment variable the settings read."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_variable_is_documented():
    settings = (ROOT / "portal" / "settings.py").read_text()
    names = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', settings))
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z_]+)`", table))

    assert len(names) > 25
    assert names - documented == set()


def test_readme_gives_the_two_commands_and_the_demo_password():
    from accounts.demo import DEMO_PASSWORD

    readme = (ROOT / "README.md").read_text()
    assert "./scripts/run" in readme
    assert "./scripts/test" in readme
    assert DEMO_PASSWORD in readme

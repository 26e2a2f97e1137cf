"""Reference numbers people can read out on the phone, like SR-7KQ4-M2XD.

Random (secrets), so one reference says nothing about another; the alphabet leaves out 0/O,
1/I/L and U/V look-alikes. 28^8 (about 3.8e11) values; the unique constraint catches the rare
collision and the caller draws again.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PATTERN = re.compile(rf"^SR-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}$")


def reference_new() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"SR-{chars[:4]}-{chars[4:]}"

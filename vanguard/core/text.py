"""Control characters in what users type: refused at input, stripped on output.

A NUL, a vertical tab or an escape character in a unit name is invisible on a
page but breaks every XML writer (Excel, Word) that later carries the name, so
it is refused where it enters. Tab, newline and carriage return are ordinary
in multi-line text and allowed there.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls, DEL and the C1 controls; also the non-characters XML 1.0 forbids.
CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
# The same without tab, line feed and carriage return.
CONTROL_MULTILINE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# What an XML document cannot hold at all (written out as nothing).
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def has_control(value, multiline=False):
    return bool((CONTROL_MULTILINE_RE if multiline else CONTROL_RE).search(value))


def xml_safe(value):
    """`value` with what XML cannot carry removed (for exports of data stored before the check)."""
    if isinstance(value, str) and XML_ILLEGAL_RE.search(value):
        return XML_ILLEGAL_RE.sub("", value)
    return value


CONTROL_MESSAGE = _("Contains an invisible control character (such as one pasted from another program); "
                    "retype the text without it.")


@deconstructible
class NoControlCharacters:
    """Refuses control characters; tab and line breaks only when `multiline`."""

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        if isinstance(value, str) and has_control(value, self.multiline):
            raise ValidationError(CONTROL_MESSAGE, code="control_character")

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline


single_line = NoControlCharacters(multiline=False)
multi_line = NoControlCharacters(multiline=True)

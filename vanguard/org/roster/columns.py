"""The roster file's shape: its Chinese headers and the spellings of values.

The headers and value spellings are the file format that offices fill in, so
they are fixed Chinese text, not translated with the interface language.
"""

import datetime
import functools
import re
import unicodedata

from openpyxl.utils import get_column_letter

from ..models import Person

NAME = "姓名"
GENDER = "性别"
MOBILE = "手机号码"
STATUS = "政治面貌"
JOINED = "入党时间"
UNIT = "派驻单位"
BRANCH = "所在党支部"
WINDOW = "窗口编号"
JOB = "岗位"

HEADERS = [NAME, GENDER, MOBILE, STATUS, JOINED, UNIT, BRANCH, WINDOW, JOB]
# Header -> column letter in the template and the export ("A".."I").
LETTERS = {header: get_column_letter(i) for i, header in enumerate(HEADERS, start=1)}

# Limits of one import: a city's roster fits; a runaway file is refused before it is read whole.
MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024

SHEET_ROSTER = "花名册"
SHEET_HELP = "填写说明"
SHEET_CHOICES = "选项"

GENDER_VALUES = {"男": Person.Gender.MALE, "女": Person.Gender.FEMALE}
GENDER_LABELS = {value: label for label, value in GENDER_VALUES.items()}

# The spellings the drop-down offers, then other spellings offices commonly write.
STATUS_CHOICES = ["中共党员", "中共预备党员", "群众"]
STATUS_VALUES = {
    "中共党员": Person.Status.FULL,
    "中共预备党员": Person.Status.PROBATIONARY,
    "群众": Person.Status.PUBLIC,
    "正式党员": Person.Status.FULL,
    "预备党员": Person.Status.PROBATIONARY,
    "党员": Person.Status.FULL,
}
STATUS_LABELS = {
    Person.Status.FULL: "中共党员",
    Person.Status.PROBATIONARY: "中共预备党员",
    Person.Status.PUBLIC: "群众",
}

NAME_MAX = Person._meta.get_field("name").max_length
JOB_MAX = Person._meta.get_field("job").max_length


def text(value):
    """A cell as trimmed text; a whole number without its '.0' (Excel stores
    a typed phone number as a float)."""
    if type(value) is str:  # the common case first: this runs for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


@functools.lru_cache(maxsize=8192, typed=True)
def fold(value):
    """A comparison key: full-width forms folded, all whitespace removed, so that
    “区市场监管局（知识产权局）” typed with half-width brackets still matches."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(value)))


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),  # 2010-07-01, 2010/7/1, 2010.7.1
    re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})日?)?$"),  # 2010年7月1日, 2010年7月
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20100701
    re.compile(r"^(\d{4})[-/.](\d{1,2})()$"),  # 2010-07, 2010.7
]


def parse_date(value):
    """A date from an Excel date cell or the usual Chinese spellings; a month
    without a day means its first day. Returns None when it is not a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    # Some systems add a midnight time to a date: "2010-07-01 00:00:00".
    raw = re.sub(r"[T\s]+00:00(?::00)?$", "", unicodedata.normalize("NFKC", text(value))).replace(" ", "")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = match.groups()
            try:
                return datetime.date(int(year), int(month), int(day or 1))
            except ValueError:
                return None
    return None

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

# ISO first: it is what a date input is pre-filled with; the other spellings still parse.
DATE_INPUT_FORMATS = ["%Y-%m-%d", *(f for f in DATE_INPUT_FORMATS if f != "%Y-%m-%d")]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", *(f for f in DATETIME_INPUT_FORMATS if f != "%Y-%m-%d %H:%M")]

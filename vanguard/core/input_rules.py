"""Rules every value a user types must meet, installed once at start-up (CoreConfig.ready)
so that no form, serializer or model can forget them:

- no control characters in text (tab and line breaks only in multi-line text): on
  every CharField/TextField of the project's models (checked by full_clean, model
  forms and model serializers), on every form CharField and every DRF CharField;
- every date between 1900 and 2100, every unbounded text at most TEXT_MAX_CHARS;
- the bounds of particular fields in BOUNDS (latitude, join date, appeal text...).

The validators are added to the fields' validator lists at run time, not to their
declarations, so they are not written into migrations.
"""

import datetime

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .text import multi_line, single_line

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
# Longest free text (an objection, a description, a note): pages of it are not an input.
TEXT_MAX_CHARS = 5000


@deconstructible
class DateBetween:
    """A date from `earliest` to `latest`; `latest_days` counts from today instead."""

    def __init__(self, earliest=EARLIEST, latest=LATEST, latest_days=None):
        self.earliest, self.latest, self.latest_days = earliest, latest, latest_days

    def __call__(self, value):
        if not isinstance(value, datetime.date):
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        latest = self.latest
        if self.latest_days is not None:
            latest = min(latest, timezone.localdate() + datetime.timedelta(days=self.latest_days))
        if not self.earliest <= day <= latest:
            raise ValidationError(_("Enter a date from %(earliest)s to %(latest)s.")
                                  % {"earliest": self.earliest.isoformat(), "latest": latest.isoformat()},
                                  code="date_out_of_range")

    def __eq__(self, other):
        return isinstance(other, DateBetween) and vars(self) == vars(other)


any_date = DateBetween()

# (app label, model, field) -> extra validators. Latitude and longitude are degrees; a join date
# lies in the past (a year ahead is allowed for a date typed ahead of a ceremony).
BOUNDS = {
    ("posts", "KeyProject", "latitude"): [MinValueValidator(-90), MaxValueValidator(90)],
    ("posts", "KeyProject", "longitude"): [MinValueValidator(-180), MaxValueValidator(180)],
    ("org", "Person", "joined_party_on"): [DateBetween(EARLIEST, latest_days=366)],
    ("assessment", "Appeal", "text"): [MaxLengthValidator(1000)],
    ("assessment", "Appeal", "answer"): [MaxLengthValidator(1000)],
}


def _field_rules(field):
    if field.choices:
        return []  # a choice is checked against its list
    if isinstance(field, models.TextField):
        rules = [multi_line]
        if field.max_length is None:
            rules.append(MaxLengthValidator(TEXT_MAX_CHARS))
        return rules
    if isinstance(field, models.CharField):
        return [single_line]
    if isinstance(field, models.DateField):  # DateTimeField too: it is a DateField
        return [any_date]
    return []


def _add(field, rules):
    current = list(field.validators)  # the cached property, built from the declaration
    extra = [rule for rule in rules if rule not in current]
    if extra:
        field.__dict__["validators"] = current + extra


def install():
    for model in apps.get_models():
        if not model.__module__.startswith("vanguard."):
            continue
        for field in model._meta.local_concrete_fields:
            bounds = BOUNDS.get((model._meta.app_label, model.__name__, field.name), [])
            # A particular bound replaces the general one of its kind.
            rules = [r for r in _field_rules(field) if not any(type(b) is type(r) for b in bounds)] + bounds
            if rules:
                _add(field, rules)
    # Forms: every text field (a single-line field's model refuses the line breaks) and every date.
    forms.CharField.default_validators = [multi_line]
    forms.DateField.default_validators = [any_date]
    forms.DateTimeField.default_validators = [any_date]
    from rest_framework import serializers

    serializers.CharField.default_validators = [multi_line]
    serializers.DateField.default_validators = [any_date]
    serializers.DateTimeField.default_validators = [any_date]

"""Form fields shared by several features."""

from wtforms import SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from course.timeutil import time_zones


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (templates lay them out as label.choice)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def time_zone_choices() -> list[SelectChoice]:
    """The IANA zones to pick from, US ones first, with spaces for underscores."""
    return [SelectChoice(zone, zone.replace("_", " ")) for zone in time_zones()]

"""Form fields shared by several features."""

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (templates lay them out as label.choice)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

"""Centre forms: the public search, and the empty form carrying the CSRF token for join/leave."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SearchField
from wtforms.validators import Length

from ..forms import Form


class CentreSearchForm(Form):
    """Read-only GET form: no CSRF token needed, none rendered."""

    class Meta:
        csrf = False

    q = SearchField(
        _l("Search by name or town"),
        description=_l("For example Grochów or Paca. Leave empty to see all centres."),
        validators=[Length(max=100, message=_l("Enter at most 100 characters."))],
    )


class MembershipForm(Form):
    """No fields: join and leave are single buttons, but they still need the CSRF token."""

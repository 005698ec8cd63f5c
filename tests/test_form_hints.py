"""Every field a person fills in has a hint (its ``description``), shown under its label.

Every ``participation.*.forms`` and ``*_forms`` module is imported, every subclass of
``participation.forms.Form`` found (also subclasses of subclasses), each is built in a request
(no data sent) and every visible field must carry a non-empty description in every language.
Forms added later are checked too, without touching this file.

Fields that need no hint of their own:
- hidden inputs, CSRF tokens and submit buttons: nobody types into them;
- EXEMPT below, each with its reason.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_babel import force_locale
from wtforms.widgets import HiddenInput

import participation
from participation import create_app
from participation.forms import Form

NOT_FILLED_IN = {"CSRFTokenField", "HiddenField", "SubmitField"}
EXEMPT = {
    # The language switch in every page's header: one button per language, each named in its
    # own language; a hint under it would repeat on every page.
    ("LanguageForm", "locale"),
    # Sent by the reports screen as a hidden input; the moderator chooses with buttons.
    ("ResolveReportsForm", "target_id"),
}


def _form_modules() -> list[str]:
    names = [module.name for module in pkgutil.walk_packages(participation.__path__,
                                                             "participation.")
             if module.name.endswith((".forms", "_forms"))]
    for name in names:
        importlib.import_module(name)
    return names


def _subclasses(cls: type) -> set[type]:
    found = set()
    for subclass in cls.__subclasses__():
        found |= {subclass, *_subclasses(subclass)}
    return found


def _forms() -> list[type]:
    _form_modules()
    return sorted(_subclasses(Form), key=lambda cls: (cls.__module__, cls.__qualname__))


def _needs_hint(form_class: type, field) -> bool:
    if field.type in NOT_FILLED_IN or isinstance(field.widget, HiddenInput):
        return False
    return (form_class.__name__, field.short_name) not in EXEMPT


@pytest.fixture(scope="module")
def hint_app():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "SECRET_KEY": "hints"})


def test_the_forms_are_found():
    modules = _form_modules()
    assert "participation.accounts.forms" in modules
    assert "participation.activities.manage_forms" in modules
    assert "participation.legal.forms" in modules
    names = {cls.__name__ for cls in _forms()}
    assert {"RegisterForm", "ActivityForm", "StatementsForm", "CentreForm"} <= names


@pytest.mark.parametrize("form_class", _forms(), ids=lambda cls: f"{cls.__module__}."
                                                                f"{cls.__qualname__}")
def test_every_field_has_a_hint(hint_app, form_class):
    missing = []
    with hint_app.test_request_context():
        for language in ("en", "pl", "uk"):
            with force_locale(language):
                form = form_class(formdata=None)
                for field in form:
                    if _needs_hint(form_class, field) and not str(field.description).strip():
                        missing.append(f"{field.short_name} ({language})")
    assert not missing, f"{form_class.__name__}: no hint for {', '.join(missing)}"


def test_the_exemptions_name_fields_that_exist(hint_app):
    """A renamed field must not keep an exemption it no longer needs."""
    fields = set()
    with hint_app.test_request_context():
        for form_class in _forms():
            fields |= {(form_class.__name__, field.short_name)
                       for field in form_class(formdata=None)}
    assert fields >= EXEMPT

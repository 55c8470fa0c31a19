"""Django's own strings that Kouprey's pages show, listed for Kouprey's catalogue.

Django's Khmer catalogue leaves many of these untranslated (and translates a few
loosely). Listing them here makes ``make messages`` copy them into
kouprey/locale/km/LC_MESSAGES/django.po, and translations found through LOCALE_PATHS
take precedence over Django's own. Nothing imports this module; see docs/translation.md.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

# ngettext_lazy without a number only marks a plural pair: it is never evaluated here.
DJANGO_STRINGS = (
    # The language switcher names each language in itself, so that someone who cannot read
    # the current language still finds their own: "English" stays English in Khmer (Django's
    # Khmer catalogue would say ភាសាអង់គ្លេស; Django's name_local for km is "Khmer").
    gettext_noop("English"),
    # sign-in form (django.contrib.auth)
    gettext_noop("username"),
    gettext_noop("Password"),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    gettext_noop("This account is inactive."),
    # form fields and validators (django.forms, django.core.validators); ":" ends labels
    gettext_noop(":"),
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a valid value."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a list of values."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("“%(pk)s” is not a valid value."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
    ),
    gettext_noop("The submitted file is empty."),
    gettext_noop("No file was submitted."),
    # formsets (seizure items, suspects, case defendants and events)
    ngettext_lazy("Please submit at most %(num)d form.", "Please submit at most %(num)d forms."),
    ngettext_lazy(
        "Please submit at least %(num)d form.", "Please submit at least %(num)d forms."
    ),
    gettext_noop("Order"),
    # filters (django-filter)
    gettext_noop("%s (descending)"),
    gettext_noop("Multiple values may be separated by commas."),
)

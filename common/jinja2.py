"""The Jinja2 environment (settings.TEMPLATES, second engine): the rows that pages repeat by the
dozen — the dashboard's tables, the activity search, the review queue — and the form widgets,
where Django templates cost more than the rest of the page. Everything else is a Django
template, and a Django template brings a Jinja2 fragment in with one tag per page
(`render_fragment`).

Output is written as Django's templates write it: autoescape on, and every value escaped as
django.utils.html.escape does (`&quot;`, `&#x27;`), not as markupsafe does (`&#34;`, `&#39;`);
words are translated from the same catalogues. Templates are compiled once and kept by the
environment (its cache), then only rendered."""

import html

from django.template import engines
from django.template.defaultfilters import floatformat, truncatechars
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize
from django.utils.safestring import SafeString
from jinja2 import Environment
from markupsafe import Markup

from common import figures
from common.urls import url_for_pk


def _escaped(value):
    """Each printed value as Django escapes it. markupsafe (the template's own escape, in C)
    writes quotes as `&#34;` and `&#39;`, Django as `&quot;` and `&#x27;`: a text with a quote
    is escaped here, Django's way, and the template's escape then keeps it; any other value is
    left to the template's escape, which gives the same as Django's for it."""
    if value.__class__ is str:
        if '"' in value or "'" in value:
            return Markup(html.escape(value))
        return value
    if hasattr(value, "__html__") or value.__class__ is int:
        return value
    return _escaped(str(value))  # a lazy translation, a date, a Decimal…


def _url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    options.setdefault("autoescape", True)
    env = Environment(extensions=["jinja2.ext.i18n"], finalize=_escaped, **options)
    # Old-style gettext: `_()` returns the plain translation, which is then escaped as it is
    # printed, like {% translate %}'s; newstyle would mark the translation safe and escape its
    # %-arguments with markupsafe.
    env.install_gettext_translations(translation, newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(
        # Called directly: the i18n extension's `_` passes the template context on each call,
        # which costs a context of its own per call in a loop.
        _=translation.gettext,
        url=_url,
        url_for_pk=url_for_pk,
        static=static,
        bar_step=figures.bar_step,
        DASH=figures.DASH,
    )
    env.filters.update(
        localize=localize,
        floatformat=floatformat,
        truncatechars=truncatechars,
        percent=figures.percent_text,
    )
    return env


def render_fragment(template_name: str, **context) -> SafeString:
    """A fragment of templates/jinja2/ rendered for a page (all its rows at once), for a Django
    template to print as it is: the fragment escaped everything it put in."""
    template = engines["jinja2"].env.get_template(template_name)  # type: ignore[attr-defined]
    return SafeString(template.render(context))


def macros():
    """templates/jinja2/macros.html as a module, for the few Django pages that show one badge:
    the badge is written once, there."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    return env.get_template("macros.html").module

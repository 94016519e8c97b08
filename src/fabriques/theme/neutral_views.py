"""The neutral theme's colours as a stylesheet (the CSP forbids inline styles), from settings."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import cache_control


@cache_control(public=True, max_age=3600)
def colours_css(request):
    primary, hover = settings.FABRIQUES_THEME_PRIMARY, settings.FABRIQUES_THEME_PRIMARY_HOVER
    body = f":root {{ --primary: {primary}; --primary-hover: {hover}; --accent: {primary}; }}\n"
    return HttpResponse(body, content_type="text/css; charset=utf-8")

"""The browser page (/browser/, with JWT_COOKIES=1): log in, call the API, log out.

The page is plain HTML and JavaScript (demo/static/demo/browser.js, fetch, no build step).
The tokens travel in HttpOnly cookies that its script cannot read; the script sends
Django's CSRF token, which this view puts in the page, with every unsafe request.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie


@ensure_csrf_cookie
def page(request: HttpRequest) -> HttpResponse:
    jwt = settings.SIMPLE_JWT
    context = {
        "access_cookie": jwt["AUTH_COOKIE"],
        "refresh_cookie": jwt["REFRESH_COOKIE"],
        "access_lifetime": int(jwt["ACCESS_TOKEN_LIFETIME"].total_seconds()),
    }
    return render(request, "demo/browser.html", context)

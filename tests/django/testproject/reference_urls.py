"""The same URLs served by the real simplejwt, for side-by-side tests in one process."""

from .urls import token_urls

urlpatterns = token_urls("rest_framework_simplejwt")

"""A custom ``TOKEN_USER_CLASS`` for the settings tests."""

from ferrojwt.models import TokenUser


class ClaimsUser(TokenUser):
    pass

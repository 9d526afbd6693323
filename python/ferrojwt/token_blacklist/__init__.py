"""Outstanding and blacklisted tokens, stored in simplejwt's ``token_blacklist`` tables."""

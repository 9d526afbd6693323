"""A minimal DRF project configured as in simplejwt's "Getting started"."""

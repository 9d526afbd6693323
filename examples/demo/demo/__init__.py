"""The ferrojwt demo project: a JWT-authenticated DRF API served by gunicorn behind nginx."""

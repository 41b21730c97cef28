"""gunicorn's settings wherever it starts from the project's directory (docker-compose, scripts).

Request lines up to 8190 bytes reach Django, so an address over the app's own limit (4,096
characters, wholeproduct/security.py) is answered 414 in the API's JSON shape by the app,
not in plain text by gunicorn.
"""

limit_request_line = 8190

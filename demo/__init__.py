"""The demo city (阜康市) of the source document: its tree, logins, campaigns and a live season.
`python manage.py seed_demo` builds it and `serve_demo` serves it; nothing else imports this app."""

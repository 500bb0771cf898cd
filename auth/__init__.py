"""Sign-in, sessions, roles and access control, wired into the Flask server by `init_auth`."""

"""The livestream services: rooms and sessions, live sales, comments, the funnel."""

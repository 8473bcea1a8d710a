"""The operator console at ``/console``: server-rendered pages for staff, an audit log of every
write, and a hook (``console_pages``/``console_widgets``) for plugins to add their own pages."""

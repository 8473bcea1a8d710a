"""The CRM's services: salespeople and teams, access scope, assignment, customers, follow-ups,
tags, lifecycle, dormant customers and performance reports."""

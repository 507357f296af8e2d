"""Notifications: what an agency must know (hits on its records, receipts of its messages,
expiring orders and authorisations, reviews due…), read in the workspace, kept live by a
server-sent event stream, and pushed to the agency's webhook if it registered one."""

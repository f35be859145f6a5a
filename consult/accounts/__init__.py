"""Staff accounts: sign-in, who may do what, and the audit log of every staff action."""

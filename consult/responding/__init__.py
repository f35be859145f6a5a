"""Taking a consultation (start, save, resume, submit), and importing complete responses."""

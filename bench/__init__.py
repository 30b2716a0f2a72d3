"""The benchmark of the public pages (``make bench``): see README.md here."""

"""One router per resource; every endpoint parses, makes one `Vault` call and renders JSON."""

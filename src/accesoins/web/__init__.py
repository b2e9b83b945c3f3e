"""Templates and static assets of the site (French, accessible, no external asset)."""

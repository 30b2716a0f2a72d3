"""The public microsite: listing, search, filters, a report's page, regions, partnerships, learning
by section, the programme's figures, feeds, sitemaps, open data, the page cache and the search
documents."""

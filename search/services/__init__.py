"""Search services: query parsing, searching with facets and snippets, access, indexing."""

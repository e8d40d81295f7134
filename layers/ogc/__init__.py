"""OGC API – Features over the public layers of the registry."""

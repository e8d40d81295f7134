"""Open311 GeoReport v2 for the Mängelmelder: the same categories and reports, in the spec's shape."""

"""Where a consumer may be: zone tables and lookups, cited city data, countries and
subdivisions, phone and e-mail destinations, and the candidate zones and jurisdictions of a
contact (convention K4). The modules are imported by name; this package imports nothing."""

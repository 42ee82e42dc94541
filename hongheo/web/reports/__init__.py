"""Reports surface: report tables, Excel, reporting calendar."""

"""Imports of existing household lists (nhập danh sách có sẵn) from Excel or CSV.

* ``fields``   — the product fields a column can be mapped to, with their Vietnamese headings;
* ``reading``  — bytes → a frame of text columns (format, encoding, size and emptiness checks);
* ``mapping``  — header suggestions (accent-folded similarity) and value maps for coded columns;
* ``checks``   — vectorised (polars) validation, pure: no Django;
* ``engine``   — database look-ups, the one-transaction write, the rejected-rows workbook;
* ``services`` — the writers called by views and the job (upload, mapping, run);
* ``template`` — the downloadable template workbook; ``jobs`` — the background job kind.
"""

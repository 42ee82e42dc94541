"""Households and members are not in Django admin (issue 8): they have the product's own pages,
which go through the area gate and audit every sensitive read."""

"""Database side of the poverty standards (published provincial standards, classifications) comes
with the standards issue; the pure rules live in ``hongheo.standards.rules``."""

"""Review surface: rounds, Phiếu A/B, meetings, posting, complaints, decisions, certificates."""

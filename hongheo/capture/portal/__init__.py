"""Citizen applications through the public portal (Mẫu 01 on a phone): declared facts, an
indicative self-assessment under the standard the next decision will use, a tracking code and a
short PIN, and the application's way through the commune's review round."""

"""Lotus Notes (Domino DXL) import into VanThu, and its verification (issue 20)."""

"""The IT programme itself: regulations studied, training, inspections, infrastructure.

Its public face for higher layers (reports) is `measures.py`: one figure per organisation, year and
criterion, with the page that shows its evidence.
"""

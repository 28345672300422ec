"""The classroom: one population under two regimes, stepped together, and the numbers shown
(model.py); the drawings (draw.py); the Solara page (app.py); the lesson plan written from the
model (lesson.py -> docs/classroom.md)."""

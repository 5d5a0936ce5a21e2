"""Stage 3, match: one signal per module (keyword rules, dense similarity) and their hybrid."""

"""Matrix calculus for machine learning: lessons, a derivative calculator and graded practice."""

"""The previous release's content migrations, frozen as they shipped (see migrations/)."""

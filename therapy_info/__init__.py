"""What patients read: CAR-T knowledge pages, their references, key figures and the FAQ."""

"""therapy_info's data migrations 0002, 0004 and 0006 as the previous release ran them (before
the content moved to therapy_info/content/ and they became no-ops), frozen, so a test can build a
database exactly as that release left it and upgrade it. Changed from the originals only where
they would repeat what still ships: 0004's import of 0002 points here, its copy of the English
to the `_en` columns is the one still in therapy_info/migrations/0004, and the Migration classes
and the steps back are left out. Never imported by the app."""

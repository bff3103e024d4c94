"""The `vibeshop` command: a thin edge over shared/, cloud/ and studio/."""

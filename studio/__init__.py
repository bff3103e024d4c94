"""The PySide6 desktop studio (editor, live preview, publish). Built in the studio issue."""

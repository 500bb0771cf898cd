"""Export and share any registered view: its data as CSV and Excel, its charts as PNG and SVG,
a PDF report, the view's state in the URL, short share links and read-only embed links.

A page registers its view (`sharing.views.register`): the filters it keeps in the URL and the
parts it shows, each with the function that gives the rows behind it. Everything here works
from that one description, so an export has exactly the rows its chart was drawn from."""

"""The Backprop inspector tab (``tab.InspectorTab``), its side pages and its text model (``equations``)."""

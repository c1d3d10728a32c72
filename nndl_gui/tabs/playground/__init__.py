"""The Approximation playground tab (``tab.PlaygroundTab``), one module per view: ``neuron``, ``bumps``
(with ``network_dialog``), ``windows``, ``two_inputs``; ``common`` holds what they share."""

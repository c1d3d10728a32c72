"""The Training tab (``tab.TrainingTab``): its form (``form``) apart from the plots, and the MNIST download
row (``download``)."""

"""Lee et al. 2018, Deep Neural Networks as Gaussian Processes: NNGP inference against SGD-trained nets."""

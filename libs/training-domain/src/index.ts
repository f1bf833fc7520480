// The framework-free domain of the training context.

// The framework-free domain of the lifecycle context.

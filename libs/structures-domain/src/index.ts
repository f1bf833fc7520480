// The framework-free domain of the structures context.

// The framework-free domain of the conventions context.

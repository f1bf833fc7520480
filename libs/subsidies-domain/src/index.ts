// The framework-free domain of the subsidies context.

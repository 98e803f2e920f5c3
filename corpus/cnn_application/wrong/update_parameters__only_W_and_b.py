"""Updates the parameters whose names start with W or b and leaves the others out of the new dictionary."""


def update_parameters(parameters, grads, learning_rate):
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()
            if name[0] in "Wb"}

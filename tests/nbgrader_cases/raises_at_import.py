raise RuntimeError("this cell fails before defining anything")


def gradient_of(f, x):
    return x

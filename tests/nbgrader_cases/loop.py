def gradient_of(f, x):
    while True:
        pass

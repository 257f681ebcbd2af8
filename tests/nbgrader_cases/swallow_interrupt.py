import time

while True:
    try:
        time.sleep(0.5)
    except KeyboardInterrupt:
        pass


def gradient_of(f, x):
    return x
